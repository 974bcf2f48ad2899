"""Published DPIAs and other impact assessments, stored as content-addressed PDF files.

* ``DocumentFile`` — one row per distinct file (its SHA-256): facts about the bytes (size, pages,
  extracted text). The bytes live under ``DATA_DIR`` (see ``register.services.filestore``), stored once.
* ``Document`` — one attachment of a file to an entry, with the metadata a registrant gives
  (kind, title, date, version label, language, B1 summary). A new version of an assessment is a
  new ``Document`` whose ``supersedes_id`` points at the one it replaces; the old one stays.
  The owner is generic (``owner_kind`` + ids) so a sensor can own documents later; ``sensor_id``
  has no foreign key on purpose (the sensor tables are another room's branch).
* ``VersionDocument`` — which documents are part of a published ``AlgorithmVersion``; filled once,
  at publication, and never changed afterwards (published versions are immutable).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

DOCUMENT_KINDS = ("dpia", "iama", "other", "advice")  # advice: a panel, DPO, audit or ethics committee (issue 15)
# Kinds that count as an impact assessment for the list filter ``impact_assessment=yes``.
ASSESSMENT_KINDS = ("dpia", "iama")
DOCUMENT_LANGUAGES = ("nl", "en")
OWNER_KINDS = ("algorithm", "sensor")


class DocumentFile(SQLModel, table=True):
    """The facts of one stored file, keyed by its SHA-256 (same bytes, one row, one file)."""

    __tablename__ = "document_file"
    sha256: str = Field(primary_key=True, max_length=64)
    size_bytes: int = Field(sa_type=BigInteger)
    page_count: int
    text: str = Field(default="", sa_type=Text)  # extracted text, capped (see services.documents)
    text_truncated: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class DocumentBase(SQLModel):
    kind: str = Field(max_length=20)
    title: str = Field(max_length=200)
    assessment_date: date
    version_label: str | None = Field(default=None, max_length=40)
    language: str = Field(default="nl", max_length=5)
    summary: str = Field(max_length=2000, sa_type=Text)  # B1, for residents


class Document(DocumentBase, table=True):
    """One assessment attached to an entry (an algorithm now, a sensor later)."""

    __tablename__ = "document"
    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(foreign_key="document_file.sha256", max_length=64, index=True)
    owner_kind: str = Field(default="algorithm", max_length=20)
    algorithm_id: int | None = Field(default=None, foreign_key="algorithm.id", index=True)
    sensor_id: int | None = Field(default=None, index=True)  # no FK: sensors are another branch
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    supersedes_id: int | None = Field(default=None, foreign_key="document.id")
    original_filename: str | None = Field(default=None, max_length=255)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    removed_at: datetime | None = None  # taken out of the working copy (stays in published versions)


class VersionDocument(SQLModel, table=True):
    """A document that is part of a published algorithm version."""

    __tablename__ = "algorithm_version_document"
    version_id: int = Field(foreign_key="algorithm_version.id", primary_key=True)
    document_id: int = Field(foreign_key="document.id", primary_key=True, index=True)


class DocumentCreate(DocumentBase):
    """The metadata a registrant sends with the file."""
