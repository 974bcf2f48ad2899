"""Fixtures shared by every test room: a real database per test (SQLite file or PostgreSQL)."""
from __future__ import annotations

import os
import re
import shutil
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from register import create_app, db
from register.services import accounts

accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # hashing cost is not what these tests are about

PG_URL = db.normalise_url(os.environ.get("STADSREGISTER_TEST_DATABASE_URL", "")) or None  # .ci/run's PostgreSQL pass
# explain/ and geo/ are plain libraries that never touch a database: the PostgreSQL pass repeats
# only the rooms that do (the SQLite pass runs everything).
collect_ignore = ["explain", "geo"] if PG_URL else []


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """Run the committed migrations once; tests then start from a copy or a truncated schema."""
    if PG_URL:
        _reset_postgres(PG_URL)
        db.upgrade(PG_URL)
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    db.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if PG_URL:
        engine = create_engine(PG_URL)
        for attempt in range(5):
            try:
                with engine.begin() as conn:
                    tables = [r[0] for r in conn.execute(text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"))]
                    if tables:
                        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                          + " RESTART IDENTITY CASCADE"))
                        # As the migration leaves it: the page cache keys on this row (issue 16).
                        conn.execute(text("INSERT INTO content_generation (id, value) VALUES (1, 0)"))
                break
            except OperationalError as error:
                # A reader still finishing (the last test's background work) and the TRUNCATE can
                # deadlock; PostgreSQL then cancels the TRUNCATE, which is safe to run again.
                if "deadlock detected" not in str(error) or attempt == 4:
                    raise
                time.sleep(0.5)
        engine.dispose()
        return PG_URL
    target = tmp_path / "instance" / "stadsregister.sqlite"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_database, target)
    return f"sqlite:///{target}"


CACHE_THREADS = {"stadsregister-listing-index", "stadsregister-map-index"}


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                      "DATA_DIR": str(tmp_path / "data"), "BASE_URL": "http://localhost"})
    yield app
    # A cache rebuilt in the background (issue 16) may still be reading: let it finish before the
    # next test empties the tables (on PostgreSQL a TRUNCATE beside a reading thread can deadlock).
    for thread in threading.enumerate():
        if thread.name in CACHE_THREADS:
            thread.join(timeout=60)
    app.extensions["stadsregister.engine"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    from sqlmodel import Session

    with Session(app.extensions["stadsregister.engine"], expire_on_commit=False) as s:
        yield s


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, url: str = "/portal/login") -> str:
    """The CSRF token a form at ``url`` carries (the session cookie holds its secret)."""
    page = client.get(url)
    match = CSRF.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = "correct horse battery staple"):
        token = csrf_token(self.client)
        return self.client.post("/portal/login", data={"email": email, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/portal/logout", data={"csrf_token": token})

    def post(self, url: str, data: dict | None = None, form_url: str = "/portal/", **kwargs):
        """POST a portal form with a valid CSRF token, as a browser would."""
        data = dict(data or {})
        data["csrf_token"] = csrf_token(self.client, form_url)
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def auth(client):
    return Auth(client)


# ---- a stand-in for PDOK's Locatieserver (issue 14) --------------------------------------------
# PDOK cannot be reached from the tests; this local server answers /free, /suggest, /lookup and
# /reverse in the Locatieserver's published shape (response.docs[] with weergavenaam, type, id,
# centroide_ll "POINT(lon lat)", afstand for /reverse), from a few real Amsterdam addresses.

LOCATIESERVER_ADDRESSES = [
    ("adr-dam-1", "adres", "Dam 1, 1012JS Amsterdam", 4.8926, 52.3731),
    ("adr-ferdinand-bol-1", "adres", "Ferdinand Bolstraat 1, 1072LA Amsterdam", 4.8914, 52.3557),
    ("adr-buikslotermeerplein-2000", "adres", "Buikslotermeerplein 2000, 1025XL Amsterdam", 4.9331, 52.3998),
    ("pcd-1012js", "postcode", "1012JS Amsterdam", 4.8930, 52.3733),
    ("wijk-de-pijp", "wijk", "De Pijp, Amsterdam", 4.8940, 52.3540),
]


@pytest.fixture(scope="session")
def locatieserver():
    """The stand-in's base URL (``…/search/v3_1``), served on 127.0.0.1 in a thread."""
    import json
    import math
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    def doc(row, **extra):
        ident, kind, name, lon, lat = row
        return {"id": ident, "type": kind, "weergavenaam": name, "centroide_ll": f"POINT({lon} {lat})",
                "score": 10.0, **extra}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            args = {k: v[0] for k, v in parse_qs(parts.query).items()}
            endpoint = parts.path.rsplit("/", 1)[-1]
            if endpoint in ("free", "suggest"):
                words = [w.casefold() for w in args.get("q", "").replace(",", " ").split()]
                docs = [doc(r) for r in LOCATIESERVER_ADDRESSES
                        if words and all(w in r[2].casefold().replace(" ", "") or w in r[2].casefold()
                                         for w in words)]
            elif endpoint == "lookup":
                docs = [doc(r) for r in LOCATIESERVER_ADDRESSES if r[0] == args.get("id")]
            elif endpoint == "reverse":
                lon, lat = float(args["lon"]), float(args["lat"])

                def metres(r):
                    return math.hypot((r[3] - lon) * 67800, (r[4] - lat) * 111200)
                rows = sorted((r for r in LOCATIESERVER_ADDRESSES if r[1] == "adres"), key=metres)
                docs = [doc(r, afstand=round(metres(r), 1)) for r in rows[:int(args.get("rows", 10))]]
            else:
                self.send_error(404)
                return
            body = json.dumps({"response": {"numFound": len(docs), "start": 0, "maxScore": 10.0,
                                            "numFoundExact": True, "docs": docs}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/bzk/locatieserver/search/v3_1"
    server.shutdown()
