"""Batch receipts at scale (issue 16): ``stadsregister decisions batch`` with 1 and 2 worker
processes, for 10,000 and 1,000,000 WOZ cases, on SQLite and PostgreSQL.

Each database gets the demo (``stadsregister demo``: the sample WOZ model registered and
published). The cases are the WOZ reference rows repeated, each with its own ``case_ref``, as a
CSV the way a tax office would send them. Every run is the real command in its own process (start-
up, reading the file, explaining, storing every receipt, writing the URLs); its receipts are
deleted afterwards, outside the timing, so each run stores all of its cases anew. Prints wall time
and receipts/s per run, and the rows in the output file as a check.

    python bench/bench_batch.py [--cases 10000,1000000] [--workers 1,2] [--db sqlite|postgresql|both]
                                [--pg-url postgresql://postgres@127.0.0.1:5432/bench_batch]

Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from served import production_env
from sqlalchemy import create_engine, text

from register.db import normalise_url
from register.services.demo_models import ARTEFACTS, DEMO_MODELS


def cli(env: dict, *args: str, quiet: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from register.cli import main; main()", *args], env=env, cwd=ROOT,
                          check=True, stdout=subprocess.DEVNULL if quiet else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def write_cases(path: Path, n: int) -> None:
    """n WOZ cases (the reference rows over and over), each with its own case_ref."""
    spec_names = pd.read_json(ARTEFACTS / "woz" / "spec.json", typ="series")["features"]
    names = [f["name"] for f in spec_names]
    reference = pd.read_csv(ARTEFACTS / "woz" / "reference.csv", dtype=str)[names]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, "case_ref"])
        rows = reference.to_numpy().tolist()
        for i in range(n):
            writer.writerow([*rows[i % len(rows)], f"WOZ-2027-{i:08d}"])


def prepare(db: str, pg_url: str, folder: Path) -> tuple[dict, str]:
    env = production_env(folder, pg_url if db == "postgresql" else None, "batch.sqlite",
                         BASE_URL="https://stadsregister.example")
    cli(env, "db", "upgrade")
    cli(env, "demo")
    engine = create_engine(normalise_url(env["STADSREGISTER_DATABASE_URL"]))
    with engine.connect() as conn:
        code = conn.execute(text("SELECT code FROM algorithm WHERE source_id = :s"), {"s": DEMO_MODELS["woz"]}).scalar()
    engine.dispose()
    return env, code


def receipts(env: dict, delete: bool = False) -> int:
    engine = create_engine(normalise_url(env["STADSREGISTER_DATABASE_URL"]))
    with engine.begin() as conn:
        count = conn.execute(text("SELECT count(*) FROM decision_receipt")).scalar()
        if delete:
            conn.execute(text("DELETE FROM decision_receipt"))
    engine.dispose()
    return count


def run(env: dict, code: str, cases: Path, out: Path, workers: int) -> tuple[float, str]:
    started = time.perf_counter()
    done = cli(env, "decisions", "batch", "--algorithm", code, "--workers", str(workers), str(cases), str(out),
               quiet=False)
    elapsed = time.perf_counter() - started
    last = done.stdout.strip().splitlines()[-1]  # "N receipts written to OUT; 0 rows refused (first chunk after …)"
    return elapsed, last.split("; ", 1)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="10000,1000000", help="comma-separated numbers of cases")
    parser.add_argument("--workers", default="1,2", help="comma-separated numbers of worker processes")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/bench_batch")
    args = parser.parse_args()
    sizes = [int(n) for n in args.cases.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        files = {}
        for n in sizes:
            files[n] = folder / f"cases-{n}.csv"
            write_cases(files[n], n)
        for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
            env, code = prepare(db, args.pg_url, folder / db)
            print(f"\n{db}: the demo's WOZ model ({code})", flush=True)
            for n in sizes:
                for w in workers:
                    out = folder / db / f"out-{n}-{w}.csv"
                    elapsed, summary = run(env, code, files[n], out, w)
                    with out.open(encoding="utf-8") as handle:
                        written = sum(1 for _ in handle) - 1
                    stored = receipts(env, delete=True)
                    print(f"  {n:>9,} cases, {w} worker{'s' if w > 1 else ' '}: {elapsed:7.1f} s = "
                          f"{n / elapsed:7,.0f} receipts/s; {stored:,} receipts stored, {written:,} URLs written; "
                          f"load {os.getloadavg()[0]:.2f}  ({summary})", flush=True)
                    out.unlink()


if __name__ == "__main__":
    main()
