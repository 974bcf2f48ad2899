"""One row that changes with every committed change to what public pages show (issue 16)."""
from __future__ import annotations

from sqlmodel import Field, SQLModel


class ContentGeneration(SQLModel, table=True):
    """Bumped by database triggers (migration ``0007_content_generation``) in every transaction that
    writes a table public pages read, whatever code or tool wrote it; the page cache keys on it.

    Tables written while serving anonymous visitors, whose contents no cached page shows
    (``CONTENT_GENERATION_EXCLUDED``), do not bump it.
    """

    __tablename__ = "content_generation"
    id: int = Field(default=1, primary_key=True)
    value: int = 0


# Written by residents' own requests or by the register's bookkeeping, and shown on no cached page
# (receipts live at /d/, which is never cached; measured CPU is shown at most a cache lifetime late).
CONTENT_GENERATION_EXCLUDED = frozenset({
    "alembic_version", "content_generation", "cpu_measurement", "decision_receipt", "apitoken",
})
