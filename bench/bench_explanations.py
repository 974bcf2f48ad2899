"""Benchmark of residents' explanations (issue 5), through the real app on SQLite.

Prints per sample model: the "explain a decision" page (POST, HTML) and receipt creation through
the API (median, p95); the PDF render time; and batch receipts per second for N WOZ cases
(default 100,000) with `stadsregister decisions batch`, CSV in and out.

    python bench/bench_explanations.py [--runs 50] [--batch 100000]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from register import create_app, db  # noqa: E402
from register.models import Algorithm  # noqa: E402
from register.services import accounts, demo  # noqa: E402
from register.services.demo_models import ARTEFACTS, DEMO_MODELS  # noqa: E402


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, runs):
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def cases_for(folder: str, n: int) -> list[dict]:
    spec = json.loads((ARTEFACTS / folder / "spec.json").read_text())
    if spec.get("kind") == "rules":  # issue 11: DMN rules, a text classifier
        names = list(spec["inputs"])
    elif spec.get("kind") == "text":
        names = [spec["text"]["name"]]
    else:
        names = [f["name"] for f in spec["features"]]
    frame = pd.read_csv(ARTEFACTS / folder / "reference.csv", dtype=str)[names]
    rows = frame.to_dict("records")
    return [rows[i % len(rows)] for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--rules-batch", type=int, default=10_000, help="parking scans for the DMN rules batch")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-explanations-"))
    url = f"sqlite:///{tmp}/bench.sqlite"
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" * 8, "DATABASE_URL": url, "DATA_DIR": str(tmp / "data"),
                      "WTF_CSRF_ENABLED": False, "BASE_URL": "https://stadsregister.example"})
    with app.app_context(), Session(app.extensions["stadsregister.engine"]) as session:
        demo.load_demo(session)
        from register.services.demo_models import load_demo_models

        started = time.perf_counter()
        load_demo_models(session)
        print(f"registering the {len(DEMO_MODELS)} sample models and rules (intake, explainer, global explanation, "
              "fairness): "
              f"{time.perf_counter() - started:.1f} s")
        user = session.exec(select(accounts.User).where(accounts.User.email == "registrant@amsterdam.example")).one()
        org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
        token = accounts.create_api_token(session=session, user=user, organisation=org, name="bench")[1]
        session.commit()
        codes = {folder: session.exec(select(Algorithm).where(Algorithm.source_id == source)).one().code
                 for folder, source in DEMO_MODELS.items()}
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    receipt_url = {}
    for folder, code in codes.items():
        cases = cases_for(folder, args.runs + 1)
        client.post(f"/algorithms/{code}/explain", data=cases[-1])  # builds the explainer once
        p50, p95 = timed(lambda i: client.post(f"/algorithms/{code}/explain", data=cases[i]), args.runs)
        print(f"[{folder}] explain-a-decision page (validate, explain, narrate, chart, counterfactual): "
              f"median {p50:.1f} ms, p95 {p95:.1f} ms")
        made = client.post(f"/api/v1/algorithms/{code}/decisions", json={"inputs": cases[0]}, headers=headers)
        if made.status_code != 201:  # archived (Slimme Check) or another organisation's entry (GGD)
            print(f"[{folder}] no receipt through the API with the bench's token: HTTP {made.status_code}")
            continue
        p50, p95 = timed(lambda i: client.post(f"/api/v1/algorithms/{code}/decisions",
                                               json={"inputs": cases[i], "case_ref": f"{folder}-{i}"},
                                               headers=headers), args.runs)
        print(f"[{folder}] receipt creation through the API: median {p50:.1f} ms, p95 {p95:.1f} ms")
        receipt_url[folder] = made.get_json()["url"].replace("https://stadsregister.example", "")
    for folder, path in receipt_url.items():
        p50, p95 = timed(lambda i: client.get(path + ".pdf"), max(5, args.runs // 5))
        print(f"[{folder}] receipt PDF render (WeasyPrint, PDF/UA-1): median {p50:.0f} ms, p95 {p95:.0f} ms")
    if args.batch:
        rows = cases_for("woz", args.batch)
        source = tmp / "cases.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) + ["case_ref"])
            writer.writeheader()
            for i, row in enumerate(rows):
                writer.writerow(dict(row, case_ref=f"WOZ-2027-{i:07d}"))
        runner = app.test_cli_runner()
        for attempt in ("first run", "re-run (all receipts exist)"):
            started = time.perf_counter()
            result = runner.invoke(args=["decisions", "batch", "--algorithm", codes["woz"], str(source), str(tmp / "out.csv")])
            elapsed = time.perf_counter() - started
            assert result.exit_code == 0, result.output
            summary = result.output.strip().splitlines()[-1]
            print(f"[woz] decisions batch, {args.batch:,} cases, {attempt}: {elapsed:.1f} s = "
                  f"{args.batch / elapsed:,.0f} receipts/s ({summary})")
    if args.rules_batch:  # issue 11: batch receipts for a rule set (the parking scan car's DMN tables)
        rows = cases_for("parkeerscan", args.rules_batch)
        source = tmp / "scans.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]) + ["case_ref"])
            writer.writeheader()
            for i, row in enumerate(rows):
                writer.writerow(dict(row, case_ref=f"SCAN-{i:07d}"))
        runner = app.test_cli_runner()
        started = time.perf_counter()
        result = runner.invoke(args=["decisions", "batch", "--algorithm", codes["parkeerscan"], str(source),
                                     str(tmp / "scans-out.csv")])
        elapsed = time.perf_counter() - started
        assert result.exit_code == 0, result.output
        print(f"[parkeerscan] decisions batch (DMN rules), {args.rules_batch:,} scans: {elapsed:.1f} s = "
              f"{args.rules_batch / elapsed:,.0f} receipts/s")


if __name__ == "__main__":
    main()
