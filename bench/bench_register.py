"""Benchmark of the algorithm register (issue 2).

Generates N published entries (default 100,000) with realistic Dutch text, then measures through
the real app (Flask test client, so routing, the service, the database and the template are all
in the figure): search p50/p95 and detail-page p50/p95, on SQLite and on PostgreSQL. Also the
throughput of `algorithms import` for 10,000 records.

    python bench/bench_register.py [--entries 100000] [--runs 200] [--pg postgresql://postgres@127.0.0.1:5432/bench_register]
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from served import fresh_database
from sqlalchemy import create_engine, insert, text

from register import create_app, db
from register.models import Algorithm, AlgorithmTheme, AlgorithmVersion, Organisation
from register.services import search
from register.services.standard import STORED_STANDARD_FIELDS

SUBJECTS = ["parkeervergunningen", "WOZ-waarden", "bijstandsaanvragen", "meldingen openbare ruimte",
            "cameratoezicht", "afvalinzameling", "vakantieverhuur", "schuldhulp", "leerlingenvervoer",
            "bouwvergunningen", "verkeerslichten", "subsidieaanvragen", "huurtoeslag", "riolering",
            "evenementenvergunningen", "handhaving", "kinderopvang", "belastingaanslagen", "jeugdzorg", "groenbeheer"]
VERBS = ["beoordelen", "controleren", "voorspellen", "sorteren", "plannen", "toewijzen", "signaleren", "berekenen"]
THEMES = ["Bestuur", "Economie", "Financiën", "Huisvesting", "Natuur en milieu", "Openbare orde en veiligheid",
          "Ruimte en infrastructuur", "Sociale zekerheid", "Verkeer", "Werk", "Zorg en gezondheid"]
STATUSES = ["In ontwikkeling", "In gebruik", "Buiten gebruik"]
CATEGORIES = ["Hoog-risico AI-systeem (Categorie A)", "Impactvolle algoritmes (Categorie B)",
              "Overige algoritmes (Categorie C)"]
QUERIES = ["parkeren", "woz", "aanvragen bijstand", "camera", "afval", "voorspellen", "vergunningen plannen",
           "kinderopvang", "huurtoeslag berekenen", "riool"]


def entry(rng: random.Random, i: int, organisation: str) -> dict:
    subject, verb = rng.choice(SUBJECTS), rng.choice(VERBS)
    other = rng.choice(SUBJECTS)
    return {
        "name": f"{subject.capitalize()} {verb} {i}"[:99],
        "description_short": f"Een algoritme helpt bij het {verb} van {subject}. Een medewerker neemt het besluit.",
        "organization": organisation, "theme": rng.sample(THEMES, rng.randint(1, 2)),
        "status": rng.choice(STATUSES), "start_date": f"{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}",
        "contact": "info@gemeente.example", "publication_category": rng.choice(CATEGORIES),
        "purpose_and_impact": f"Het doel is {subject} sneller en gelijker te behandelen. Ook {other} komt aan bod.",
        "considerations": "Voordelen en nadelen zijn afgewogen.", "human_intervention": "Een medewerker beslist.",
        "risk_management": "Steekproeven en jaarlijkse evaluatie.",
        "impact_assessments": rng.choice(["DPIA", "DPIA, IAMA", "Geen"]), "data": "Gegevens uit de aanvraag.",
        "technical_operation": "Een statistisch model geeft een score.", "supplier": "Intern ontwikkeld",
        "source_id": f"BENCH-{i}", "search_terms": f"{subject}, {verb}", "decision_kinds": [f"Besluit {subject}"],
    }


def populate(url: str, n: int, seed: int = 7) -> None:
    """Bulk-load n published entries with the same listing columns and index rows the app writes."""
    rng = random.Random(seed)
    engine = create_engine(db.normalise_url(url))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        orgs = [f"Gemeente {name}" for name in ("Amsterdam", "Utrecht", "Zwolle", "Delft", "Almere", "Haarlem",
                                                 "Leiden", "Breda", "Tilburg", "Arnhem")]
        org_ids = {}
        for name in orgs:
            org_ids[name] = conn.execute(insert(Organisation).values(name=name, kind="municipality", created_at=now)
                                         .returning(Organisation.id)).scalar_one()
        batch = 2000
        for start in range(0, n, batch):
            rows = [entry(rng, i, rng.choice(orgs)) for i in range(start, min(n, start + batch))]
            algos = [{"id": start + k + 1, "code": f"B-{start + k + 1:06d}", "organisation_id": org_ids[r["organization"]],
                      "source_id": r["source_id"], "created_at": now, "public_state": "published",
                      "published_version_id": start + k + 1, "name": r["name"], "description_short": r["description_short"],
                      "organisation_name": r["organization"], "status": r["status"],
                      "publication_category": r["publication_category"],
                      "has_impact_assessment": r["impact_assessments"] != "Geen", "published_at": now}
                     for k, r in enumerate(rows)]
            conn.execute(insert(Algorithm), algos)
            versions = [dict({f: r.get(f) for f in STORED_STANDARD_FIELDS}, id=a["id"], algorithm_id=a["id"], number=1,
                             state="published", created_at=now, updated_at=now, published_at=now,
                             decision_kinds=r["decision_kinds"]) for a, r in zip(algos, rows)]
            conn.execute(insert(AlgorithmVersion), versions)
            conn.execute(insert(AlgorithmTheme), [{"algorithm_id": a["id"], "theme": t}
                                                  for a, r in zip(algos, rows) for t in r["theme"]])
            docs = []
            for a, r in zip(algos, rows):
                version = AlgorithmVersion(**{f: r.get(f) for f in STORED_STANDARD_FIELDS}, decision_kinds=r["decision_kinds"])
                title, body = search.document_text(version)
                docs.append({"id": a["id"], "title": title, "body": body})
            if conn.dialect.name == "postgresql":
                conn.execute(text(search.PG_INSERT), docs)
            else:
                conn.execute(text("INSERT INTO algorithm_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                             [{"id": d["id"], "title": " ".join(search.stems(d["title"])),
                               "body": " ".join(search.stems(d["body"]))} for d in docs])
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT setval(pg_get_serial_sequence('algorithm', 'id'), (SELECT max(id) FROM algorithm))"))
            conn.execute(text("SELECT setval(pg_get_serial_sequence('algorithm_version', 'id'), (SELECT max(id) FROM algorithm_version))"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(client, urls: list[str], warm: bool = True) -> tuple[float, float]:
    if warm:
        for url in urls[:5]:
            client.get(url)  # warm caches
    else:
        client.get("/algorithms?page=2")  # only the facet index, built once per publication
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), percentile(times, 0.95)


def bench_database(label: str, url: str, n: int, runs: int, instance: Path) -> None:
    started = time.perf_counter()
    populate(url, n)
    print(f"[{label}] loaded {n:,} published entries in {time.perf_counter() - started:.1f} s")
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench" * 10, "DATABASE_URL": url, "DATA_DIR": str(instance / "data")})
    client = app.test_client()
    rng = random.Random(1)
    # Cold: every query new since the last publication (nothing remembered); warm: common queries again.
    words = [w for phrase in SUBJECTS + VERBS for w in phrase.lower().replace("-", " ").split()]
    distinct = list(dict.fromkeys([f"{a} {b}" for a in words for b in VERBS] + words))
    rng.shuffle(distinct)
    cold = [f"/algorithms?q={q}" + rng.choice(["", "&theme=Verkeer", "&status=In+gebruik", "&page=3"])
            for q in distinct[:runs]]
    p50, p95 = measure(client, cold, warm=False)
    print(f"[{label}] search page, cold (each query new):     median {p50:.1f} ms, p95 {p95:.1f} ms over {len(cold)} queries")
    warm = [f"/algorithms?q={QUERIES[i % len(QUERIES)]}" for i in range(runs)]
    p50, p95 = measure(client, warm)
    print(f"[{label}] search page, warm (common queries):    median {p50:.1f} ms, p95 {p95:.1f} ms")
    p50, p95 = measure(client, [f"/algorithms.json?q={q}" for q in distinct[runs:2 * runs]], warm=False)
    print(f"[{label}] search .json, cold:                      median {p50:.1f} ms, p95 {p95:.1f} ms")
    p50, p95 = measure(client, ["/algorithms"] * (runs // 4))
    print(f"[{label}] list without query:                     median {p50:.1f} ms, p95 {p95:.1f} ms")
    codes = [f"B-{rng.randint(1, n):06d}" for _ in range(runs)]
    p50, p95 = measure(client, [f"/algorithms/{c}" for c in codes])
    print(f"[{label}] detail page:                            median {p50:.1f} ms, p95 {p95:.1f} ms over {runs} entries")
    app.extensions["stadsregister.engine"].dispose()


def bench_import(label: str, url: str, instance: Path, count: int = 10_000) -> None:
    from sqlmodel import Session

    from register.services.interchange import import_records

    rng = random.Random(3)
    records = [entry(rng, i, "Gemeente Import") for i in range(count)]
    for r in records:
        r["source_id"] = "IMP-" + r["source_id"]
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench" * 10, "DATABASE_URL": url, "DATA_DIR": str(instance / "data")})
    with app.app_context(), Session(app.extensions["stadsregister.engine"]) as session:
        started = time.perf_counter()
        report = import_records(session, records)
        elapsed = time.perf_counter() - started
    assert not report.errors and len(report.created) == count
    print(f"[{label}] import of {count:,} records (validate + publish + index, one transaction): "
          f"{elapsed:.1f} s = {count / elapsed:,.0f} records/s")
    app.extensions["stadsregister.engine"].dispose()


def reset_postgres(url: str) -> None:
    fresh_database(url)
    db.upgrade(url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--import-records", type=int, default=10_000)
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/bench_register"))
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        sqlite_url = f"sqlite:///{instance}/bench.sqlite"
        db.upgrade(sqlite_url)
        bench_database("SQLite", sqlite_url, args.entries, args.runs, instance)
        db.upgrade(f"sqlite:///{instance}/import.sqlite")
        bench_import("SQLite", f"sqlite:///{instance}/import.sqlite", instance, args.import_records)
        if not args.skip_pg:
            reset_postgres(args.pg)
            bench_database("PostgreSQL", args.pg, args.entries, args.runs, instance)
            reset_postgres(args.pg)
            bench_import("PostgreSQL", args.pg, instance, args.import_records)


if __name__ == "__main__":
    main()
