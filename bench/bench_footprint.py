"""Benchmark of the footprint measurement and the lock-in index (issue 15).

Run: .venv/bin/python bench/bench_footprint.py [--records 500] [--entries 2000]
Prints, on SQLite:
- the cost of recording one measurement (``costs.record``: an UPDATE of the day's row in a
  transaction of its own), which every explanation now pays;
- the time to compute the Vendor Lock-in Index over N published entries (``lockin.compute``).
"""
from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session, select

from register import create_app, db
from register.models import Algorithm
from register.services import accounts, costs, lockin
from register.services import algorithms as algos


def entry(i: int) -> dict:
    themes = lockin_themes[i % len(lockin_themes)]
    return {"name": f"Algoritme {i}", "description_short": "Korte beschrijving.", "organization": "Gemeente Bench",
            "theme": themes, "status": "In gebruik", "start_date": "2023-01", "contact": "info@bench.example",
            "publication_category": "Overige algoritmes (Categorie C)", "purpose_and_impact": "Doel.",
            "considerations": "Afwegingen.", "human_intervention": "Een mens beslist.", "risk_management": "Toets.",
            "impact_assessments": "DPIA", "data": "Gegevens.", "technical_operation": "Regels.",
            "supplier": f"Leverancier {i % 17}", "source_id": f"B-{i}",
            "hosting": ("own", "nl_eu_cloud", "other")[i % 3], "replaceability": ("easy", "effort", "hard")[i % 3],
            "source_open": bool(i % 2), "data_portable": bool(i % 5)}


lockin_themes = [["Verkeer"], ["Werk", "Sociale zekerheid"], ["Huisvesting"], ["Zorg en gezondheid", "Verkeer"]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--entries", type=int, default=2000)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite"
        db.upgrade(url)
        app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATABASE_URL": url,
                          "DATA_DIR": f"{tmp}/data"})
        with Session(app.extensions["stadsregister.engine"], expire_on_commit=False) as session:
            org = accounts.get_or_create_organisation(session=session, name="Gemeente Bench")
            session.commit()
            start = time.perf_counter()
            for i in range(args.entries):
                algos.publish_imported(session=session, organisation=org, data=entry(i), note="bench")
                if i % 500 == 499:
                    session.commit()
            session.commit()
            print(f"set-up: {args.entries} published entries in {time.perf_counter() - start:.1f} s")
            first = session.exec(select(Algorithm.id)).first()
            times = []
            for _ in range(args.records):
                t0 = time.perf_counter()
                costs.record(session, algorithm_id=first, model_version_id=1, kind="explanation", count=1,
                             cpu_seconds=0.002)
                times.append(time.perf_counter() - t0)
            times.sort()
            print(f"costs.record per explanation: median {statistics.median(times) * 1000:.2f} ms, "
                  f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms ({args.records} records)")
            runs = []
            for _ in range(5):
                t0 = time.perf_counter()
                result = lockin.compute(session, 2026)
                runs.append(time.perf_counter() - t0)
            print(f"lockin.compute over {result['city']['entries']} entries, {len(result['domains'])} domains: "
                  f"median {statistics.median(runs):.2f} s (5 runs)")
        app.extensions["stadsregister.engine"].dispose()


if __name__ == "__main__":
    main()
