"""``stadsregister purge`` beyond expired receipts: the files a crash or an abandoned upload left.

Every database column named ``sha256`` or ``…_sha256`` refers to a stored file (documents, model
files, reference data — and any room that stores files the same way later). A stored file that
none of them names, a half-written temp file, a sensor-import upload nobody finished and the
register's working folders in the system temp folder are deleted once older than an hour, and so
is an explainer snapshot that no stored model version would read any more (issue 16).
"""
from __future__ import annotations

import time
import warnings

from sqlalchemy import inspect, literal_column, select, text
from sqlmodel import Session
from sqlmodel import select as select_rows

from register.models import ModelVersion
from register.services import explainers, filestore, snapshots

GRACE_SECONDS = 3600


def referenced_files(session: Session) -> set[str]:
    """The SHA-256 of every file a row refers to (every table in the database, not only the models)."""
    connection = session.connection()
    inspector = inspect(connection)
    found: set[str] = set()
    for table in inspector.get_table_names():
        with warnings.catch_warnings():  # PostGIS's geometry type is unknown to SQLAlchemy; only names matter
            warnings.simplefilter("ignore")
            columns = inspector.get_columns(table)
        for column in columns:
            name = column["name"]
            if name == "sha256" or name.endswith("_sha256"):
                found.update(connection.execute(select(literal_column(f'"{name}"')).select_from(
                    text(f'"{table}"')).where(literal_column(f'"{name}"').is_not(None))).scalars())
    return found


def explainer_keys(session: Session) -> set[str]:
    """The explainer key of every stored model version whose spec the register can read (the
    snapshots worth keeping: any of them may be published again)."""
    keys = set()
    for model_version in session.exec(select_rows(ModelVersion)).all():
        try:
            keys.add(explainers.COPIES.get(model_version).key)
        except Exception:  # noqa: BLE001, S112 — another model kind, or a spec this version cannot read
            continue
    return keys


def purge_files(session: Session, data_dir: str, *, now: float | None = None,
                temp_dir: str | None = None) -> dict[str, int]:
    """Delete what :func:`filestore.leftovers` finds; returns how many of each kind."""
    cutoff = (now if now is not None else time.time()) - GRACE_SECONDS
    found = filestore.leftovers(data_dir, referenced_files(session), cutoff=cutoff, temp_dir=temp_dir)
    found["snapshots"] = snapshots.unused(data_dir, explainer_keys(session), cutoff=cutoff)
    session.rollback()  # only reads: end the transaction before touching files
    return {kind: filestore.delete(paths) for kind, paths in found.items()}
