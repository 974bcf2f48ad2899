"""Fixtures shared by every test room: a real database per test (SQLite file or PostgreSQL)."""
from __future__ import annotations

import os
import re
import shutil

import pytest
from sqlalchemy import create_engine, text

from register import create_app, db
from register.services import accounts

accounts.PASSWORD_METHOD = "pbkdf2:sha256:1000"  # hashing cost is not what these tests are about

PG_URL = db.normalise_url(os.environ.get("STADSREGISTER_TEST_DATABASE_URL", "")) or None  # .ci/run's PostgreSQL pass


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
        with engine.begin() as conn:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('alembic_version', 'spatial_ref_sys')"))]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()
        return PG_URL
    target = tmp_path / "instance" / "stadsregister.sqlite"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_database, target)
    return f"sqlite:///{target}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app({"ENV": "testing", "SECRET_KEY": "test-secret-" + "x" * 20, "DATABASE_URL": database_url,
                      "DATA_DIR": str(tmp_path / "data"), "BASE_URL": "http://localhost"})
    yield app
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
