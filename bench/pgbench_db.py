"""A benchmark's own PostgreSQL database: made on first use, emptied before each run."""
from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from register.db import normalise_url


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
