"""Benchmark of interchange with the national register and open-data portals (issue 17).

Imports N records in the national register's own shape (default 1,517, as many as the national
register held for the issue; one in 150 with a trailing zero-width space), exports them in the
national shape, sends S of them (default 200) to a stand-in of the submission API on 127.0.0.1
that validates every request against its OpenAPI document (first run, then a second run that
sends nothing), and builds the DCAT catalogue. Prints wall-clock figures.

    python bench/bench_interchange.py [--records 1517] [--send 200]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from register import create_app, db


def record(i: int) -> dict:
    tail = "\u200b" if i % 150 == 0 else ""
    return {"name": f"Aanvragen beoordelen {i}{tail}", "description_short": f"Een algoritme helpt bij aanvraag {i}.",
            "organization": "Gemeente Amsterdam", "category": ["Sociale zekerheid"], "status": "In gebruik",
            "begin_date": "2023-01", "contact_email": "algoritmes@amsterdam.example",
            "publication_category": "Impactvolle algoritmes", "goal": f"<p>Sneller beslissen ({i}).</p>",
            "proportionality": "Sneller en gelijker.", "human_intervention": "Een medewerker beslist.",
            "risks": "Steekproeven.", "impacttoetsen_grouping": [{"title": "DPIA"}], "source_data": "Aanvraag.",
            "methods_and_models": "Regels.", "provider": "Intern ontwikkeld", "lang": "nld", "source_id": f"B-{i}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1517)
    parser.add_argument("--send", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATABASE_URL": url,
                      "DATA_DIR": str(folder / "data")})
    runner = app.test_cli_runner()
    source = folder / "national.json"
    source.write_text(json.dumps([record(i) for i in range(args.records)], ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    result = runner.invoke(args=["algorithms", "import", str(source)])
    took = time.perf_counter() - start
    print(f"import of {args.records} national-shape records: {took:.1f} s ({args.records / took:.0f} records/s); "
          f"exit {result.exit_code}; {result.output.count('Adjusted')} notes")
    start = time.perf_counter()
    runner.invoke(args=["algorithms", "export", "--shape", "national", str(folder / "out.json")])
    print(f"export in the national shape: {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    app.test_client().get("/catalog.ttl")
    print(f"/catalog.ttl: {(time.perf_counter() - start) * 1000:.0f} ms")
    import warnings

    from tests.register.national_server import TOKEN, NationalRegister

    warnings.filterwarnings("ignore", "Unsupported scheme type")
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    with engine.begin() as conn:  # send only the first S: move the rest to another organisation
        conn.execute(text("INSERT INTO organisation (name, kind, created_at) VALUES ('Elders', 'municipality', '2026-01-01')"))
        conn.execute(text("UPDATE algorithm SET organisation_id = (SELECT id FROM organisation WHERE name = 'Elders') "
                          "WHERE id > :n"), {"n": args.send})
    with NationalRegister() as national:
        app.config.update(NATIONAL_API_URL=national.url, NATIONAL_API_TOKEN=TOKEN)
        for label in ("first run", "second run (nothing new)"):
            start = time.perf_counter()
            result = runner.invoke(args=["algorithms", "publish-national", "--organisation", "Gemeente Amsterdam",
                                         "--national-id", "gm0363"])
            took = time.perf_counter() - start
            summary = next(line for line in result.output.splitlines() if " entries: " in line)
            print(f"publish-national, {label}: {took:.1f} s for {args.send} entries; {summary}")


if __name__ == "__main__":
    main()
