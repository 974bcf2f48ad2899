"""Exit codes that mean something (issue #17, point 6; the README's table under "Command line").

0: every record or row was processed; 1: some (or all) were refused or failed — whatever could be
written was written, and the report says which; 2: a usage error (a missing file, an unknown
option, an unknown algorithm code or organisation, a missing setting).
"""
import csv
import json


from tests.register.samples import ARTEFACTS, WOZ_CASE
from tests.register.test_sensors_import import csv_row, csv_text


def write_json(tmp_path, data):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_algorithms_import(runner, tmp_path, make_entry):
    good = write_json(tmp_path, [make_entry(source_id="A")])
    assert runner.invoke(args=["algorithms", "import", "--lang", "en", str(good)]).exit_code == 0
    mixed = write_json(tmp_path, [make_entry(source_id="B"), make_entry(source_id="C", status="Actief")])
    assert runner.invoke(args=["algorithms", "import", "--lang", "en", str(mixed)]).exit_code == 1  # nothing written
    partly = runner.invoke(args=["algorithms", "import", "--lang", "en", "--skip-invalid", str(mixed)])
    assert partly.exit_code == 1 and "1 created" in partly.output  # the valid one is written
    refused = write_json(tmp_path, [make_entry(status="Actief"), make_entry(name="")])
    assert runner.invoke(args=["algorithms", "import", "--lang", "en", "--skip-invalid", str(refused)]).exit_code == 1
    assert runner.invoke(args=["algorithms", "import", "--lang", "en", str(tmp_path / "missing.json")]).exit_code == 2
    assert runner.invoke(args=["algorithms", "import", "--lang", "en", "--no-such-option", str(good)]).exit_code == 2


def sensors_import(runner, path, owner="Gemeente Amsterdam", valid_only=False):
    """``--valid-only`` (or ``--skip-invalid``, the alias the sensors room is adding)."""
    args = ["sensors", "import", "--lang", "en", str(path), "--owner", owner]
    if not valid_only:
        return runner.invoke(args=args)
    for flag in ("--valid-only", "--skip-invalid"):
        result = runner.invoke(args=[*args, flag])
        if "No such option" not in result.output:
            return result
    raise AssertionError("sensors import has neither --valid-only nor --skip-invalid")


def test_sensors_import(runner, world, tmp_path):
    good, mixed, bad = tmp_path / "good.csv", tmp_path / "mixed.csv", tmp_path / "bad.csv"
    good.write_bytes(csv_text([csv_row("G-1")]))
    mixed.write_bytes(csv_text([csv_row("M-1"), csv_row("M-2", sensor_type="Radar")]))
    bad.write_bytes(csv_text([csv_row("B-1", sensor_type="Radar")]))
    assert sensors_import(runner, good).exit_code == 0
    assert sensors_import(runner, mixed).exit_code == 1
    partly = sensors_import(runner, mixed, valid_only=True)
    assert partly.exit_code == 1 and "1 new" in partly.output
    assert sensors_import(runner, bad, valid_only=True).exit_code == 1
    assert sensors_import(runner, good, owner="Nobody").exit_code == 2
    assert sensors_import(runner, tmp_path / "missing.csv").exit_code == 2


def cases_file(tmp_path, rows, name="cases.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*WOZ_CASE, "case_ref"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_decisions_batch(runner, woz, tmp_path):
    out = tmp_path / "out.csv"
    good = cases_file(tmp_path, [dict(WOZ_CASE, case_ref="K-1")])
    assert runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(good), str(out)]).exit_code == 0
    mixed = cases_file(tmp_path, [dict(WOZ_CASE, case_ref="K-2"), dict(WOZ_CASE, woonoppervlak="veel", case_ref="K-3")])
    assert runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(mixed), str(out)]).exit_code == 1
    refused = cases_file(tmp_path, [dict(WOZ_CASE, bouwjaar="3020", case_ref=f"K-{i}") for i in range(4, 7)])
    result = runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(refused), str(out)])
    assert result.exit_code == 1 and "0 receipts written" in result.output  # a yearly run in cron sees it
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 3 and all(r["error"] and not r["url"] for r in rows)  # the report is written
    assert runner.invoke(args=["decisions", "batch", "--algorithm", "A-ZZZZ", str(good), str(out)]).exit_code == 2


def test_models_register(runner, published, tmp_path):
    base = ARTEFACTS / "woz"
    files = [str(base / "model.skops"), str(base / "spec.json"), str(base / "reference.csv")]
    assert runner.invoke(args=["models", "register", "--algorithm", published.code, *files]).exit_code == 0
    joblib = tmp_path / "model.joblib"
    joblib.write_bytes(b"\x80\x04not a model")
    refused = runner.invoke(args=["models", "register", "--algorithm", published.code, str(joblib), *files[1:]])
    assert refused.exit_code == 1 and "skops" in refused.output
    assert runner.invoke(args=["models", "register", "--algorithm", "A-ZZZZ", *files]).exit_code == 2


def test_publish_national_and_exports(app, runner, world, tmp_path):
    """publish-national's 0 and 1 are tested against the stand-in API in test_national_publish.py."""
    assert runner.invoke(args=["algorithms", "publish-national", "--organisation", "Gemeente Amsterdam"]).exit_code == 2
    assert runner.invoke(args=["algorithms", "export", "--shape", "national", "--format", "csv",
                               str(tmp_path / "x.csv")]).exit_code == 2
    assert runner.invoke(args=["algorithms", "export", "--shape", "national", str(tmp_path / "x.json")]).exit_code == 0
