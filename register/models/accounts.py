"""Organisations, accounts, roles per organisation and API tokens."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import Field, SQLModel

ROLES = ("registrant", "approver")
ORGANISATION_KINDS = ("municipality", "government", "company", "research", "citizen")


def utcnow() -> datetime:
    """Aware UTC now, the form every timestamp is stored in."""
    return datetime.now(timezone.utc)


class OrganisationBase(SQLModel):
    name: str = Field(max_length=100, index=True, unique=True)  # 100: as the national register (#17)
    kind: str = Field(default="municipality", max_length=20)
    website: str | None = Field(default=None, max_length=300)


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class OrganisationPublic(OrganisationBase):
    id: int


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=120)
    password_hash: str = Field(max_length=300)
    is_admin: bool = False
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Every signed-in session carries the epoch it began in; raising it (sign-out, password change,
    # membership removal) ends all of the account's sessions on every device (issue 12, point 9).
    session_epoch: int = 0


class Membership(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    role: str = Field(max_length=20, primary_key=True)


class ApiToken(SQLModel, table=True):
    """An API token; only its SHA-256 is stored, the token itself is shown once."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    expires_at: datetime | None = None  # None only for tokens made before expiry dates existed
