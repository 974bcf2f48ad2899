"""Every migration's revision id fits Alembic's version table on PostgreSQL (VARCHAR(32)):
a longer one upgrades SQLite but stops PostgreSQL's upgrade half-way."""
from __future__ import annotations

import re
from pathlib import Path

VERSIONS = Path(__file__).resolve().parents[2] / "register" / "migrations" / "versions"


def test_revision_ids_fit_the_alembic_version_column():
    ids = {path.name: re.search(r"^revision\s*=\s*[\"']([^\"']+)", path.read_text(), re.M).group(1)
           for path in VERSIONS.glob("*.py")}
    assert ids and all(len(rev) <= 32 for rev in ids.values()), {k: v for k, v in ids.items() if len(v) > 32}
