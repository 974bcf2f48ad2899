"""Public pages kept for anonymous visitors, keyed on the content generation (issue 16).

The counter is moved by database triggers, so a change shows in the next answer whatever wrote
it: the register's own services, another process, or an operator's SQL. A second app on the same
database stands in for another worker; the served two-worker test (test_gunicorn_workers.py) runs
the same cache in real gunicorn workers.
"""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import create_engine, inspect, text

from register import create_app
from register.db import normalise_url
from register.models.generation import CONTENT_GENERATION_EXCLUDED
from register.web.pagecache import PageCache

NONCE = re.compile(r'nonce="([^"]+)"')
CSRF_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def cached_app(app, database_url, tmp_path):
    """Another worker of the same register, with the page cache on (as in production)."""
    other = create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                        "DATA_DIR": app.config["DATA_DIR"], "BASE_URL": "http://localhost", "PAGE_CACHE_MB": 8})
    yield other
    other.extensions["stadsregister.engine"].dispose()


@pytest.fixture
def engine(database_url):
    bind = create_engine(normalise_url(database_url))
    yield bind
    bind.dispose()


def generation(engine) -> int | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT value FROM content_generation WHERE id = 1")).scalar()


def cache_of(app) -> PageCache:
    return app.extensions["stadsregister.page_cache"]


def without_nonce(page: bytes) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', page)


def test_every_table_public_pages_read_moves_the_counter_by_trigger(engine):
    tables = set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            triggered = {r[0] for r in conn.execute(text(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = 'stadsregister_content'"))}
        else:
            names = [r[0] for r in conn.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' "
                                                     "AND name LIKE 'stadsregister_content_%'"))]
            triggered = {t for t in set(names) if names.count(t) == 3}  # insert, update and delete
    expected = {t for t in tables if t not in CONTENT_GENERATION_EXCLUDED and not t.startswith("algorithm_fts")}
    assert {"algorithm", "algorithm_version", "document", "sensor", "model_version", "contribution"} <= expected
    assert triggered == expected


def test_the_counter_moves_when_a_change_is_committed_and_not_otherwise(engine, session, world):
    before = generation(engine)
    with engine.connect() as conn:
        conn.execute(text("INSERT INTO listing_generation (id, value) VALUES (77, 1)"))
        conn.execute(text("UPDATE listing_generation SET value = 2 WHERE id = 77"))
        conn.rollback()
    assert generation(engine) == before
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO listing_generation (id, value) VALUES (77, 1)"))
        conn.execute(text("UPDATE listing_generation SET value = 2 WHERE id = 77"))
    moved = generation(engine)
    assert moved is not None and moved > (before or 0)
    if engine.dialect.name == "postgresql":
        assert moved == (before or 0) + 1  # once per transaction, at its commit
    # Bookkeeping written while serving (an API token's last use) changes no page that is kept.
    from register.services import accounts

    accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="t")
    session.commit()
    moved = generation(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE apitoken SET last_used_at = CURRENT_TIMESTAMP"))
    assert generation(engine) == moved


def test_an_anonymous_page_comes_from_the_cache_until_anything_changes(cached_app, session, world, published,
                                                                      make_entry, engine):
    client = cached_app.test_client()
    cache = cache_of(cached_app)
    url = f"/algorithms/{published.code}"
    first = client.get(url)
    assert first.status_code == 200 and cache.hits == 0
    second = client.get(url)
    assert cache.hits == 1
    assert without_nonce(second.data) == without_nonce(first.data)
    assert second.headers["Content-Type"] == first.headers["Content-Type"]

    # An operator renames the entry in SQL, outside the register: the next answer shows it.
    with engine.begin() as conn:
        conn.execute(text("UPDATE algorithm_version SET name = 'Hernoemd door beheer' WHERE id = :id"),
                     {"id": published.published_version_id})
    third = client.get(url)
    assert "Hernoemd door beheer" in third.get_data(as_text=True) and cache.hits == 1
    assert "Hernoemd door beheer" in client.get(url).get_data(as_text=True) and cache.hits == 2

    # The same through the register's services in another app (another worker): a new version
    # edited, submitted and approved (four eyes) is on the next answer.
    from register.services import algorithms as algos

    algos.update_entry(session=session, user=world.registrant_a, algorithm=published,
                       data=make_entry(source_id="PV-1", name="Nieuwe naam na goedkeuring"))
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published)
    session.commit()
    assert "Nieuwe naam na goedkeuring" in client.get(url).get_data(as_text=True) and cache.hits == 2
    listed = client.get("/algorithms.json").get_json()
    assert "Nieuwe naam na goedkeuring" in str(listed)


def test_signed_in_visitors_and_pages_with_forms_are_never_served_or_kept(cached_app, world, published):
    cache = cache_of(cached_app)
    client = cached_app.test_client()
    client.get("/")  # kept for anonymous visitors
    signed_in = cached_app.test_client()
    from tests.conftest import Auth

    assert Auth(signed_in).login("reg-a@example.org").status_code in (302, 303)
    page = signed_in.get("/").get_data(as_text=True)
    assert "Sign out" in page or "Uitloggen" in page  # their own page, not the anonymous one
    assert cache.hits == 0
    for _ in range(2):  # the anonymous page is still the anonymous one
        anonymous = client.get("/").get_data(as_text=True)
        assert "Uitloggen" not in anonymous and "Sign out" not in anonymous
    hits = cache.hits
    first, second = client.get("/sensors/report"), client.get("/sensors/report")  # a form with a CSRF token
    assert first.status_code == second.status_code == 200 and 'name="csrf_token"' in first.get_data(as_text=True)
    assert cache.hits == hits  # never kept: its token belongs to one visitor
    assert CSRF_TOKEN.search(first.get_data(as_text=True)).group(1) != \
        CSRF_TOKEN.search(cached_app.test_client().get("/sensors/report").get_data(as_text=True)).group(1)


def test_each_answer_from_the_cache_has_its_own_nonce(cached_app):
    client = cached_app.test_client()
    answers = [client.get("/sensors") for _ in range(3)]
    assert cache_of(cached_app).hits == 2
    nonces = []
    for answer in answers:
        found = set(NONCE.findall(answer.get_data(as_text=True)))
        assert len(found) == 1
        nonce = found.pop()
        assert f"'nonce-{nonce}'" in answer.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_the_language_is_part_of_the_key_and_its_cookie_is_still_set(cached_app):
    client = cached_app.test_client()
    dutch = client.get("/").get_data(as_text=True)
    english = [client.get("/?lang=en") for _ in range(2)]
    assert cache_of(cached_app).hits == 1
    for answer in english:
        assert "lang=en" in answer.headers.get("Set-Cookie", "")
        assert answer.get_data(as_text=True) != dutch and '<html lang="en"' in answer.get_data(as_text=True)


def test_entries_expire_and_the_cache_keeps_to_its_size():
    now = [0.0]
    cache = PageCache(max_bytes=3000, max_age=60, clock=lambda: now[0])
    cache.put(("a",), "A", 1000)
    now[0] = 59
    assert cache.get(("a",)) == "A"
    now[0] = 61
    assert cache.get(("a",)) is None
    for key in "bcde":
        cache.put((key,), key.upper(), 1000)
    assert len(cache) == 3 and cache.get(("b",)) is None and cache.get(("e",)) == "E"


def test_a_kept_page_is_compressed_once_per_accept_encoding_and_reads_the_same(cached_app, published):
    import gzip

    import brotli

    client = cached_app.test_client()
    url = f"/algorithms/{published.code}"
    plain = client.get(url).data  # kept, uncompressed
    answers = {}
    for accept, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        for attempt in range(3):
            answer = client.get(url, headers={"Accept-Encoding": accept})
            assert answer.headers["Content-Encoding"] == accept
            assert "Accept-Encoding" in answer.headers["Vary"]
            answers.setdefault(accept, set()).add(answer.data)
            assert without_nonce(decode(answer.data)) == without_nonce(plain)
    assert cache_of(cached_app).hits == 6
    kept = [entry[1] for entry in cache_of(cached_app)._items.values() if entry[1].body == plain]
    assert len(kept) == 1 and set(kept[0].encoded) == {"br", "gzip"}  # compressed once per Accept-Encoding
    assert {accept: found.pop() for accept, found in answers.items()} == \
        {accept: data for accept, (_encoding, data) in kept[0].encoded.items()}


def test_the_entry_behind_an_explanation_is_read_once_per_generation(app, session, published, engine):
    """An explanation reads its entry, version and model once per content generation."""
    from sqlmodel import Session

    from register.services import published as shared

    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        one = shared.entry(first, published.code.lower())
        again = shared.entry(second, published.code)
        assert again is one and one[0].code == published.code and one[1].name
        with engine.begin() as conn:
            conn.execute(text("UPDATE algorithm_version SET name = 'Nieuw in een ander proces' WHERE id = :id"),
                         {"id": published.published_version_id})
    with Session(engine, expire_on_commit=False) as third:
        fresh = shared.entry(third, published.code)
    assert fresh is not one and fresh[1].name == "Nieuw in een ander proces"
    with Session(engine) as fourth:
        assert shared.entry(fourth, "A-NIETS") is None


def test_the_shared_model_spec_is_parsed_once_and_again_after_a_change(app, woz, engine):
    """Requests share the published model read once per generation; its parsed spec and explainer key
    are shared with it, and a new spec in the database gives a new parse."""
    from sqlmodel import Session

    from register.services import explainers
    from register.services import published as shared

    with Session(engine) as first, Session(engine) as second:
        model = shared.entry(first, woz.code)[2][1]
        prepared = explainers.COPIES.get(model)
        assert shared.entry(second, woz.code)[2][1] is model
        assert explainers.COPIES.get(model) is prepared and explainers.spec_of(model) is prepared.spec
        threshold = prepared.spec.raw["outcome"].get("threshold")
        with engine.begin() as conn:
            raw = dict(prepared.spec.raw, outcome=dict(prepared.spec.raw["outcome"], label={"nl": "Nieuwe waarde",
                                                                                            "en": "New value"}))
            conn.execute(text("UPDATE model_version SET spec = :spec WHERE id = :id"),
                         {"spec": json.dumps(raw), "id": model.id})
    with Session(engine) as third:
        fresh = shared.entry(third, woz.code)[2][1]
        assert fresh is not model
        again = explainers.COPIES.get(fresh)
        assert again is not prepared and again.key != prepared.key
        assert again.spec.outcome.label["en"] == "New value" and again.spec.raw["outcome"].get("threshold") == threshold
