"""What was sent to the national algorithm register, per entry and version (issue #17)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

SUBMISSION_ACTIONS = ("create", "update", "retract")


class NationalSubmission(SQLModel, table=True):
    """One entry version sent to the national register's submission API.

    ``national_id`` is the register's "lars" code for the entry. ``complete`` is set only when
    every call for this version succeeded (created or updated, then released; or retracted), so
    a run that failed half-way is tried again and never creates a second national entry.
    """

    __tablename__ = "national_submission"
    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    version_id: int | None = Field(default=None, foreign_key="algorithm_version.id")
    action: str = Field(max_length=20)
    national_id: str | None = Field(default=None, max_length=100)
    payload_sha256: str | None = Field(default=None, max_length=64)
    complete: bool = False
    sent_at: datetime = Field(default_factory=utcnow)


class NationalClaim(SQLModel, table=True):
    """A send to the national register under way for one entry.

    The entry is the key, so at most one sender, in any process and on SQLite or PostgreSQL alike,
    holds it: two approvers pressing the button at the same moment never create two national
    entries. The row is deleted when the send ends; one left by a sender that died is taken over
    after ``national_submit.CLAIM_STALE``.
    """

    __tablename__ = "national_claim"
    algorithm_id: int = Field(foreign_key="algorithm.id", primary_key=True, sa_column_kwargs={"autoincrement": False})
    holder: str = Field(max_length=32)
    claimed_at: datetime = Field(default_factory=utcnow)
