"""Benchmark of published assessments: upload + index of a big PDF, and search with many documents.

Run: .venv/bin/python bench/bench_documents.py [--documents 10000] [--per-entry 4] [--words 600]
     [--extra-vocabulary 3000] [--queries 330] [--skip-big] [--skip-postgres]
     [--postgres postgresql://postgres@127.0.0.1:5432/bench_documents]
Prints, on SQLite and on PostgreSQL:
- time to attach a 20 MB, 300-page PDF (parse, active-content check, text extraction, SHA-256,
  atomic write, rows) and to publish it (link to the version, index its text with the entry);
- search latency (median, p95) with N documents indexed with their entries, each query one not
  asked before: search.search() as a worker runs it (matching, ranking, one page, facet counts;
  the facet index warm in the app's cache), and the whole GET /algorithms?q= (HTML and .json).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from served import fresh_database  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from register import create_app, db  # noqa: E402
from register.models import AlgorithmVersion, Organisation  # noqa: E402
from register.models.document import Document, DocumentFile, VersionDocument  # noqa: E402
from register.services import accounts, documents, pdfcheck, search  # noqa: E402
from register.services import algorithms as algos  # noqa: E402

VOCABULARY = (
    "verwerking persoonsgegevens betrokkenen risico maatregel bewaartermijn grondslag noodzaak evenredigheid "
    "doelbinding verwerkingsverantwoordelijke functionaris gegevensbescherming toezicht camera kenteken "
    "parkeren woning waarde aanvraag uitkering inspectie melding adres leeftijd inkomen huishouden wijk "
    "stadsdeel algoritme model training validatie foutmarge uitleg bezwaar besluit medewerker beoordeling "
    "beveiliging toegang logging versleuteling leverancier verwerkersovereenkomst audit evaluatie "
    "transparantie register publicatie inwoner bewoner gemeente college burgemeester verordening wet "
    "artikel lid onder taak belang algemeen openbare orde veiligheid drukte telling sensor locatie tijdstip "
    "foto beeld vervagen wissen opslag server netwerk datalek melding autoriteit "
).split()
RARE = ["cameratoezicht", "gezichtsherkenning", "wifitelling", "geluidsmeting"]
QUERIES = ["persoonsgegevens", "cameratoezicht", "risico maatregel", "parkeer", "bewaartermijn wissen",
           "gezichtsherkenning", "leverancier audit", "woning", "drukte telling", "inspectie", "onbekendwoord"]


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def big_pdf(pages: int = 300, target_mb: float = 20.0) -> bytes:
    """A ``pages``-page PDF of about ``target_mb`` MB: Dutch text plus one incompressible image per page."""
    import base64

    from PIL import Image
    from weasyprint import HTML

    rng = random.Random(7)
    side = int((target_mb * 1024 * 1024 / pages) ** 0.5 / 1.73)  # RGB noise, ~3 bytes a pixel
    parts = []
    for page in range(pages):
        image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        words = " ".join(rng.choice(VOCABULARY) for _ in range(350))
        parts.append(f"<section><h2>Paragraaf {page + 1}</h2><p>{words}.</p>"
                     f"<img alt='' style='width:60mm' src='data:image/png;base64,"
                     f"{base64.b64encode(buffer.getvalue()).decode()}'></section>")
    html = ("<html lang='nl'><style>section { page-break-after: always; } body { font-size: 9pt }</style><body>"
            + "".join(parts) + "</body></html>")
    return HTML(string=html).write_pdf()


def setup_app(url: str, data_dir: str):
    if url.startswith("postgresql"):
        fresh_database(url)  # made on first use, emptied before each run
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATABASE_URL": url,
                      "DATA_DIR": data_dir, "MAX_UPLOAD_MB": 25})
    return app


def people(session):
    accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"
    org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
    registrant = accounts.create_user(session=session, email="reg@example.org", name="r", password="x" * 12)
    approver = accounts.create_user(session=session, email="app@example.org", name="a", password="x" * 12)
    accounts.grant(session=session, user=registrant, organisation=org, role="registrant")
    accounts.grant(session=session, user=approver, organisation=org, role="approver")
    session.commit()
    return org, registrant, approver


ENTRY = {
    "name": "Parkeercontrole", "description_short": "Scanauto's controleren of er betaald is.",
    "organization": "Gemeente Amsterdam", "theme": ["Verkeer"], "status": "In gebruik", "start_date": "2020-01",
    "contact": "info@amsterdam.example", "publication_category": "Impactvolle algoritmes (Categorie B)",
    "purpose_and_impact": "Controle.", "considerations": "Afweging.", "human_intervention": "Medewerker beslist.",
    "risk_management": "Steekproef.", "impact_assessments": "DPIA", "data": "Kenteken.",
    "technical_operation": "Regels.", "supplier": "Intern", "decision_kinds": [], "theme_extra": None,
}
ENTRY.pop("theme_extra")


def bench_big_upload(app, pdf: bytes) -> None:
    with app.app_context(), Session(app.extensions["stadsregister.engine"], expire_on_commit=False) as session:
        org, registrant, approver = people(session)
        algorithm = algos.create_entry(session=session, user=registrant, organisation=org, data=ENTRY)
        started = time.perf_counter()
        facts = pdfcheck.inspect(pdf)
        inspect_s = time.perf_counter() - started
        started = time.perf_counter()
        documents.attach(session=session, user=registrant, algorithm=algorithm, data=pdf, filename="groot.pdf",
                         fields={"kind": "dpia", "title": "Grote DPIA", "assessment_date": "2024-01-01",
                                 "language": "nl", "summary": "Samenvatting."},
                         data_dir=app.config["DATA_DIR"], max_bytes=25 * 1024 * 1024)
        attach_s = time.perf_counter() - started
        algos.submit(session=session, user=registrant, algorithm=algorithm)
        started = time.perf_counter()
        algos.approve(session=session, user=approver, algorithm=algorithm)
        publish_s = time.perf_counter() - started
        found = search.search(session, q="bewaartermijn")["total"]
    print(f"  20 MB PDF: {len(pdf) / 1024 / 1024:.1f} MB, {facts.page_count} pages, "
          f"{len(facts.text):,} characters of text kept (truncated: {facts.text_truncated})")
    print(f"  check alone (parse, active content, text): {inspect_s:.2f} s")
    print(f"  attach (check + SHA-256 + atomic write + rows): {attach_s:.2f} s")
    print(f"  publish (link to version + index text with the entry): {publish_s:.3f} s")
    print(f"  search for a word in it afterwards finds {found} entry")


def load_average() -> str:
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else ""


def distinct_queries(rng: random.Random, count: int, vocabulary: list[str]) -> list[str]:
    """``count`` different queries, so none is answered from a worker's memory of an earlier one:
    whole words, the start of a word (as typed), two words, a rare word, a word in no document."""
    queries: list[str] = list(QUERIES)
    while len(queries) < count:
        kind = len(queries) % 5
        word = rng.choice(vocabulary)
        if kind == 0:
            q = word
        elif kind == 1:
            q = word[: rng.randint(4, max(4, len(word)))]
        elif kind == 2:
            q = f"{word} {rng.choice(vocabulary)}"
        elif kind == 3:
            q = f"{rng.choice(RARE)} {word[:5]}"
        else:
            q = f"onbekend{len(queries)}"
        if q not in queries:
            queries.append(q)
    return queries


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return (f"median {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms")


def bench_search(app, n_documents: int, per_entry: int, words: int, queries: int, extra_vocabulary: int) -> None:
    rng = random.Random(11)
    # Real assessments use thousands of different words; ``extra_vocabulary`` made-up ones widen the
    # 120 common words, so each entry's index is as big as a real one's.
    vocabulary = VOCABULARY + [f"{rng.choice(VOCABULARY)}{rng.choice(VOCABULARY)[:4]}{n}" for n in range(extra_vocabulary)]
    engine = app.extensions["stadsregister.engine"]
    with app.app_context(), Session(engine) as session:
        org = accounts.get_or_create_organisation(session=session, name="Gemeente Amsterdam")
        session.commit()
        org_id = org.id
        entries = n_documents // per_entry
        started = time.perf_counter()
        for number in range(entries):
            data = dict(ENTRY, name=f"Algoritme {number} {rng.choice(VOCABULARY)}", source_id=f"B-{number}",
                        description_short=" ".join(rng.choice(VOCABULARY) for _ in range(20)))
            algorithm, _ = algos.publish_imported(session=session, organisation=org, data=data, note="bench")
            version = session.get(AlgorithmVersion, algorithm.published_version_id)
            docs = []
            for index in range(per_entry):
                body = [rng.choice(vocabulary) for _ in range(words)]
                if rng.random() < 0.01:
                    body[rng.randrange(words)] = rng.choice(RARE)
                sha = f"{number:032x}{index:032x}"
                session.add(DocumentFile(sha256=sha, size_bytes=words * 8, page_count=max(1, words // 400),
                                         text=" ".join(body)))
                session.flush()
                document = Document(sha256=sha, algorithm_id=algorithm.id, organisation_id=org.id,
                                    kind=("dpia", "iama", "other", "other")[index % 4], title=f"Beoordeling {index}",
                                    assessment_date=date(2024, 1, 1), language="nl", summary="Samenvatting.")
                session.add(document)
                docs.append(document)
            session.flush()
            for document in docs:
                session.add(VersionDocument(version_id=version.id, document_id=document.id))
            search.index(session, algorithm.id, version, extra=documents.index_text(session, docs))
            if number % 250 == 249:
                session.commit()
                session.expunge_all()  # the session would otherwise hold every document's text
                org = session.get(Organisation, org_id)
        session.commit()
        build_s = time.perf_counter() - started
        count = session.exec(text("SELECT count(*) FROM document")).one()[0]
        if engine.dialect.name == "postgresql":
            session.exec(text("ANALYZE"))
            session.commit()
    print(f"  indexed {count:,} documents with {entries:,} entries ({words} words each, "
          f"{len(vocabulary):,} different words) in {build_s:.1f} s")

    # As a worker serves /algorithms?q=: the facet index is already in the app's cache (built at
    # start-up), each query is new (not answered from the worker's memory of recent queries).
    asked = distinct_queries(rng, queries, vocabulary)
    cache = app.extensions.setdefault("stadsregister.listing", {})
    timings, totals = [], {}
    with app.app_context(), Session(engine) as session:
        search.search(session, cache=cache)
        for q in asked:
            started = time.perf_counter()
            result = search.search(session, q=q, page_size=20, cache=cache)
            timings.append(time.perf_counter() - started)
            totals[q] = result["total"]
            session.rollback()
    print(f"  search.search, {len(timings)} different queries, facet index warm: {summary(timings)}  ({load_average()})")
    for q in QUERIES:
        print(f"    {q!r:24} {totals[q]:5d} hits")
    # The whole request through Flask (HTML and its .json twin), again with queries not asked before.
    client = app.test_client()
    client.get("/algorithms")
    for fmt in ("", ".json"):
        timings = []
        fresh = [q for q in distinct_queries(random.Random(len(fmt) + 99), queries * 2, vocabulary) if q not in totals]
        for q in fresh[:queries]:
            totals[q] = None
            started = time.perf_counter()
            response = client.get(f"/algorithms{fmt}", query_string={"q": q})
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        print(f"  GET /algorithms{fmt}?q=…, {len(timings)} requests: {summary(timings)}  ({load_average()})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--per-entry", type=int, default=4)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--queries", type=int, default=330)
    parser.add_argument("--extra-vocabulary", type=int, default=3000)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-big", action="store_true")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/bench_documents",
                        help="a database of its own: its public schema is dropped and made again")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    pdf = None
    if not args.skip_big:
        started = time.perf_counter()
        pdf = big_pdf()
        print(f"(made the 300-page PDF with WeasyPrint in {time.perf_counter() - started:.0f} s)")
    targets = [("SQLite", None)] + ([] if args.skip_postgres else [("PostgreSQL", args.postgres)])
    for label, url in targets:
        for part in ("big", "search"):
            if part == "big" and pdf is None:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                database = url or f"sqlite:///{tmp}/bench.sqlite"
                app = setup_app(database, f"{tmp}/data")
                print(f"\n{label} — {'20 MB / 300-page upload' if part == 'big' else 'search'}")
                if part == "big":
                    bench_big_upload(app, pdf)
                else:
                    bench_search(app, args.documents, args.per_entry, args.words, args.queries, args.extra_vocabulary)
                app.extensions["stadsregister.engine"].dispose()


if __name__ == "__main__":
    main()
