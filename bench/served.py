"""What the benchmarks that run the register as a server or command share: its own PostgreSQL
database (made on first use, emptied before each run) and the environment of a production-like
register in a temporary folder."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from register.db import normalise_url

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(url: str) -> None:
    """Create the database named in ``url`` if the server lacks it, then drop every table in it
    (its public schema made again, empty). The caller migrates it."""
    target = make_url(normalise_url(url))
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}).first():
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        server.dispose()
    engine = create_engine(target)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def production_env(folder: Path, database_url: str | None = None, sqlite_name: str = "bench.sqlite",
                   **settings: str) -> dict:
    """The environment of a production-settings register whose instance and data live in
    ``folder``: on ``database_url`` (a PostgreSQL one is made fresh first), else on an SQLite file
    there. ``settings`` are more STADSREGISTER_ variables (``BASE_URL="…"``). Not migrated yet."""
    (folder / "instance").mkdir(parents=True, exist_ok=True)
    if database_url:
        fresh_database(database_url)
    env = {**os.environ, "STADSREGISTER_ENV": "production", "STADSREGISTER_SECRET_KEY": secrets.token_urlsafe(48),
           "STADSREGISTER_INSTANCE_PATH": str(folder / "instance"), "STADSREGISTER_DATA_DIR": str(folder / "data"),
           "STADSREGISTER_DATABASE_URL": database_url or f"sqlite:///{folder / 'instance' / sqlite_name}",
           "PYTHONPATH": str(ROOT)}
    return env | {f"STADSREGISTER_{name}": value for name, value in settings.items()}
