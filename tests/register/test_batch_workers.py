"""Batch receipts spread over processes and machines give the same file as one process (#16)."""
from __future__ import annotations

import csv

import pytest
from sqlmodel import select

from register.models.explanation import DecisionReceipt

from .samples import WOZ_COLUMNS, woz_reference_cases


@pytest.fixture
def cases(tmp_path):
    """60 reference homes with a case reference each; line 12 is refused, line 30 repeats line 20."""
    rows = woz_reference_cases(60)
    path = tmp_path / "cases.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*WOZ_COLUMNS, "case_ref"])
        for n, row in enumerate(rows, start=2):
            values = list(row)
            if n == 12:
                values[2] = "veel"
            ref = "WOZ-20" if n == 30 else f"WOZ-{n}"
            if n == 30:
                values = list(rows[18])
            writer.writerow([*values, ref])
    return path


def run(runner, woz, cases, out, *extra):
    return runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, "--chunk", "7", *extra,
                               str(cases), str(out)])


def test_two_workers_write_what_one_process_writes_in_input_order(runner, session, woz, cases, tmp_path):
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    single = run(runner, woz, cases, one)
    assert single.exit_code == 1 and "line 12:" in single.output
    parallel = run(runner, woz, cases, two, "--workers", "2")
    assert parallel.exit_code == 1, parallel.output
    assert two.read_text() == one.read_text()  # same URLs, same order: re-running is safe
    lines = [int(r["line"]) for r in csv.DictReader(two.open())]
    assert lines == list(range(2, 62))
    session.expire_all()
    assert len(session.exec(select(DecisionReceipt)).all()) == 58  # 60 - refused - repeated case


def test_shards_on_two_machines_make_the_whole_file_together(runner, woz, cases, tmp_path):
    whole = tmp_path / "whole.csv"
    run(runner, woz, cases, whole)
    parts = []
    for shard in ("1/2", "2/2"):
        out = tmp_path / f"part{shard[0]}.csv"
        run(runner, woz, cases, out, "--shard", shard)
        parts += list(csv.DictReader(out.open()))
    merged = sorted(parts, key=lambda r: int(r["line"]))
    assert merged == list(csv.DictReader(whole.open()))


def test_a_wrong_shard_is_a_usage_error(runner, woz, cases, tmp_path):
    result = run(runner, woz, cases, tmp_path / "x.csv", "--shard", "3/2")
    assert result.exit_code == 2 and "--shard" in result.output
