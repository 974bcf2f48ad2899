"""DPIAs and other impact assessments attached to entries, and their place in published versions.

Attaching a document changes the entry's working copy (a draft is started when the entry has
none). The documents of the working copy are those neither removed nor replaced by a newer
version. When a version is published, ``publish_documents`` (called from
``algorithms._publish``) records that set as part of the version — from then on it is as
immutable as the rest of the version — and indexes the documents' text with the entry.

A document is public once it is part of a published version; before that only its organisation
sees it (portal session or API token).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import event, inspect as sa_inspect
from sqlmodel import Session, select

from register.i18n import N_, translator
from register.models import Algorithm, AlgorithmEvent, AlgorithmVersion, User
from register.models.accounts import utcnow
from register.models.document import (
    ASSESSMENT_KINDS,
    DOCUMENT_KINDS,
    DOCUMENT_LANGUAGES,
    Document,
    DocumentFile,
    VersionDocument,
)
from register.services import algorithms as algos
from register.services import filestore, pdfcheck, search
from register.services.accounts import has_role, require_role
from register.services.standard import FieldError

# Text of an entry's documents that goes into the search index with the entry, at most. PostgreSQL
# refuses a tsvector larger than 1 MB; 300,000 characters of prose stay far below that (about
# 45,000 words; even if every word were distinct the tsvector is ~0.5 MB). Each file's own text
# is already capped at pdfcheck.MAX_TEXT_CHARS, so the first (DPIA) documents are always covered.
MAX_INDEX_CHARS = 300_000
KIND_ORDER = {kind: position for position, kind in enumerate(DOCUMENT_KINDS)}
_CONTROL = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
METADATA_FIELDS = ("kind", "title", "assessment_date", "version_label", "language", "summary")


class DocumentRefused(Exception):
    """The upload is refused; nothing was stored. ``status`` is 413 or 422; messages are translated."""

    def __init__(self, status: int, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.status, self.errors = status, errors


@event.listens_for(Document, "before_update")
def _published_documents_are_immutable(_mapper, connection, target: Document) -> None:
    """A document that is part of a published version keeps its metadata and file."""
    state = sa_inspect(target)
    changed = [name for name in (*METADATA_FIELDS, "sha256", "supersedes_id", "algorithm_id")
               if state.attrs[name].history.has_changes()]
    if not changed:
        return
    table = VersionDocument.__table__
    if connection.execute(select(table.c.document_id).where(table.c.document_id == target.id)).first():
        raise algos.WorkflowError(N_("A published version cannot be changed."))


# --- uploading ---------------------------------------------------------------------------------

def _clean(value) -> str:
    return _CONTROL.sub("", str(value or "")).strip()


def validate_metadata(fields: dict, *, locale: str) -> tuple[dict, list[FieldError]]:
    """Clean metadata and the errors per field (messages in ``locale``)."""
    t = translator(locale)
    errors: list[FieldError] = []
    clean = {name: _clean(fields.get(name)) for name in METADATA_FIELDS}
    clean["kind"] = clean["kind"].lower()
    if clean["kind"] not in DOCUMENT_KINDS:
        errors.append(FieldError("kind", t("Choose the kind of assessment: DPIA, IAMA/FRAIA or another assessment.")))
    if not clean["title"]:
        errors.append(FieldError("title", t("Give the document a title.")))
    elif len(clean["title"]) > 200:
        errors.append(FieldError("title", t("Use at most %(max)d characters.", max=200)))
    raw_date = clean["assessment_date"]
    clean["assessment_date"] = None
    if not raw_date:
        errors.append(FieldError("assessment_date", t("Give the date of the assessment, for example 2024-03-15.")))
    else:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
                raise ValueError(raw_date)
            clean["assessment_date"] = date.fromisoformat(raw_date)
        except ValueError:
            errors.append(FieldError("assessment_date", t("Write the date as year-month-day, for example 2024-03-15.")))
        else:
            if clean["assessment_date"] > date.today():
                errors.append(FieldError("assessment_date", t("The date of the assessment cannot be in the future.")))
    if len(clean["version_label"]) > 40:
        errors.append(FieldError("version_label", t("Use at most %(max)d characters.", max=40)))
    clean["version_label"] = clean["version_label"] or None
    clean["language"] = (clean["language"] or "nl").lower()
    if clean["language"] not in DOCUMENT_LANGUAGES:
        errors.append(FieldError("language", t("Choose Dutch or English.")))
    if not clean["summary"]:
        errors.append(FieldError("summary", t("Write a short summary for residents in plain language (B1).")))
    elif len(clean["summary"]) > 2000:
        errors.append(FieldError("summary", t("Use at most %(max)d characters.", max=2000)))
    return clean, errors


def _check_writable(session: Session, algorithm: Algorithm) -> AlgorithmVersion | None:
    if algorithm.public_state == "archived":
        raise algos.WorkflowError(N_("An archived entry cannot be changed."))
    draft = algos.current_draft(session, algorithm)
    if draft is not None and draft.state == "submitted":
        raise algos.WorkflowError(N_("This entry is waiting for approval. Ask the approver to return it first."))
    return draft


def attach(*, session: Session, user: User, algorithm: Algorithm, data: bytes | None, filename: str | None,
           fields: dict, data_dir: str, max_bytes: int, locale: str = "nl") -> Document:
    """Attach an uploaded PDF with its metadata to the entry's working copy.

    Raises PermissionDenied (403), algorithms.WorkflowError (409) or DocumentRefused (413/422);
    in each case nothing is stored: no file, no row.
    """
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    draft = _check_writable(session, algorithm)
    t = translator(locale)
    if data is not None and len(data) > max_bytes:
        raise DocumentRefused(413, [FieldError("file", t(
            "The file is %(size)s; the largest file this register accepts is %(max)d MB.",
            size=human_size(len(data), locale), max=max_bytes // (1024 * 1024)))])
    clean, errors = validate_metadata(fields, locale=locale)
    facts = None
    if not data:
        errors.insert(0, FieldError("file", t("Choose a PDF file.") if data is None else t("The file is empty.")))
    else:
        try:
            facts = pdfcheck.inspect(data)
        except pdfcheck.PdfRefused as refused:
            errors.insert(0, FieldError("file", t(refused.message)))
    supersedes = None
    raw_replaces = _clean(fields.get("supersedes"))
    if raw_replaces:
        current = {str(d.id): d for d in working_set(session, algorithm)}
        current.update({d.sha256: d for d in current.values()})
        supersedes = current.get(raw_replaces)
        if supersedes is None:
            errors.append(FieldError("supersedes", t("Choose one of this entry's current documents, or none.")))
    if errors:
        raise DocumentRefused(422, errors)

    digest = filestore.sha256_of(data)
    if draft is None:  # a published entry: attaching starts a new draft, like any other change
        draft = algos.update_entry(session=session, user=user, algorithm=algorithm, data={}, partial=True,
                                   locale=locale)
    written = False
    try:
        _digest, written = filestore.store(data_dir, data, digest)
        if session.get(DocumentFile, digest) is None:
            session.add(DocumentFile(sha256=digest, size_bytes=len(data), page_count=facts.page_count,
                                     text=facts.text, text_truncated=facts.text_truncated))
            session.flush()  # no relationship() between the tables: insert the file row first
        document = Document(sha256=digest, owner_kind="algorithm", algorithm_id=algorithm.id,
                            organisation_id=algorithm.organisation_id,
                            supersedes_id=supersedes.id if supersedes else None,
                            original_filename=_clean(filename)[:255] or None, created_by_id=user.id, **clean)
        session.add(document)
        draft.state, draft.return_reason = "draft", None
        draft.last_editor_id, draft.updated_at = user.id, utcnow()  # four eyes: the uploader cannot approve
        session.add(draft)
        session.flush()
        session.add(AlgorithmEvent(algorithm_id=algorithm.id, version_id=draft.id, actor_id=user.id,
                                   kind="document_added", reason=document.title[:999]))
        session.commit()
    except BaseException:
        session.rollback()
        if written and not _file_referenced(session, digest):
            filestore.remove(data_dir, digest)
        raise
    return document


def _file_referenced(session: Session, sha256: str) -> bool:
    return session.exec(select(Document.id).where(Document.sha256 == sha256)).first() is not None


def remove_from_working_copy(*, session: Session, user: User, algorithm: Algorithm, document: Document,
                             data_dir: str) -> None:
    """Take a document out of the working copy. Published versions keep it; an unpublished
    document is deleted (and its file, when nothing else refers to it)."""
    require_role(session=session, user=user, organisation_id=algorithm.organisation_id)
    draft = _check_writable(session, algorithm)
    if document.algorithm_id != algorithm.id or document.removed_at is not None:
        raise algos.WorkflowError(N_("This document is not part of the working copy."))
    if draft is None:
        draft = algos.update_entry(session=session, user=user, algorithm=algorithm, data={}, partial=True)
    published = is_public(session, document)
    sha256 = document.sha256
    if published:
        document.removed_at = utcnow()
        session.add(document)
    else:
        for newer in session.exec(select(Document).where(Document.supersedes_id == document.id)):
            newer.supersedes_id = document.supersedes_id
            session.add(newer)
        session.flush()
        session.delete(document)
    draft.state, draft.return_reason = "draft", None
    draft.last_editor_id, draft.updated_at = user.id, utcnow()
    session.add(draft)
    session.add(AlgorithmEvent(algorithm_id=algorithm.id, version_id=draft.id, actor_id=user.id,
                               kind="document_removed", reason=document.title[:999]))
    session.commit()
    if not published and not _file_referenced(session, sha256):
        row = session.get(DocumentFile, sha256)
        if row is not None:
            session.delete(row)
            session.commit()
        filestore.remove(data_dir, sha256)


# --- the working copy and publication ---------------------------------------------------------

def _sorted(documents) -> list[Document]:
    return sorted(documents, key=lambda d: (KIND_ORDER.get(d.kind, 9), -d.assessment_date.toordinal(), -(d.id or 0)))


def working_set(session: Session, algorithm: Algorithm) -> list[Document]:
    """The documents of the entry's working copy: not removed and not replaced by a newer one."""
    documents = list(session.exec(select(Document).where(Document.algorithm_id == algorithm.id,
                                                         Document.removed_at.is_(None))))
    replaced = {d.supersedes_id for d in documents if d.supersedes_id}
    return _sorted(d for d in documents if d.id not in replaced)


def version_documents(session: Session, version_id: int | None) -> list[Document]:
    """The documents that are part of a published version."""
    if version_id is None:
        return []
    return _sorted(session.exec(select(Document).join(VersionDocument, VersionDocument.document_id == Document.id)
                                .where(VersionDocument.version_id == version_id)))


def index_text(session: Session, documents: list[Document]) -> str:
    """The documents' extracted text for the search index, at most MAX_INDEX_CHARS."""
    parts, size = [], 0
    for document in documents:
        file = session.get(DocumentFile, document.sha256)
        text = " ".join(filter(None, [document.title, document.summary, file.text if file else ""]))
        parts.append(text[: MAX_INDEX_CHARS - size])
        size += len(parts[-1]) + 1
        if size >= MAX_INDEX_CHARS:
            break
    return " ".join(parts)


def publish_documents(session: Session, algorithm: Algorithm, version: AlgorithmVersion) -> None:
    """Make the working copy's documents part of ``version`` (called while it is published)."""
    documents = working_set(session, algorithm)
    if not documents:
        return
    for document in documents:
        session.add(VersionDocument(version_id=version.id, document_id=document.id))
    if any(d.kind in ASSESSMENT_KINDS for d in documents):
        algorithm.has_impact_assessment = True
        session.add(algorithm)
    session.flush()
    search.index(session, algorithm.id, version, extra=index_text(session, documents))


# --- visibility and presentation -----------------------------------------------------------------

def is_public(session: Session, document: Document) -> bool:
    """Part of a published version (of an entry that was published at all)."""
    return session.exec(select(VersionDocument.document_id)
                        .where(VersionDocument.document_id == document.id)).first() is not None


def may_see(session: Session, document: Document, *, user: User | None = None,
            token_organisation_id: int | None = None) -> bool:
    """Public documents for everyone; the others for their organisation only."""
    if is_public(session, document):
        return True
    if token_organisation_id is not None:
        return token_organisation_id == document.organisation_id
    return user is not None and has_role(session=session, user=user, organisation_id=document.organisation_id)


def chain(session: Session, document: Document) -> list[Document]:
    """Every version of this assessment, oldest first (following ``supersedes`` both ways)."""
    first, seen = document, {document.id}
    while first.supersedes_id and first.supersedes_id not in seen:
        seen.add(first.supersedes_id)
        first = session.get(Document, first.supersedes_id)
    result, current = [first], first
    while True:
        newer = session.exec(select(Document).where(Document.supersedes_id == current.id)
                             .order_by(Document.id)).first()
        if newer is None or newer.id in {d.id for d in result}:
            return result
        result.append(newer)
        current = newer


def safe_filename(document: Document) -> str:
    """An ASCII file name made from the title and version label, e.g. ``dpia-parkeren-versie-2.pdf``."""
    text = " ".join(filter(None, [document.title, document.version_label]))
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:80].strip("-")
    return (slug or "document") + ".pdf"


def human_size(size: int, locale: str = "nl") -> str:
    if size < 1024 * 1024:
        value, unit = max(1, round(size / 1024)), "kB"
        text = str(value)
    else:
        text, unit = f"{size / (1024 * 1024):.1f}", "MB"
    return (text.replace(".", ",") if locale == "nl" else text) + " " + unit


@dataclass
class Urls:
    """Builds links (the web layer passes ``url_for``-based functions)."""

    page: object
    file: object


def describe(session: Session, document: Document, urls: Urls, *, locale: str = "nl") -> dict:
    """The public facts of one document (HTML pages and `.json` twins)."""
    file = session.get(DocumentFile, document.sha256)
    algorithm = session.get(Algorithm, document.algorithm_id) if document.algorithm_id else None
    return {"sha256": document.sha256, "kind": document.kind, "title": document.title,
            "assessment_date": document.assessment_date, "version_label": document.version_label,
            "language": document.language, "summary": document.summary,
            "page_count": file.page_count if file else None, "size_bytes": file.size_bytes if file else None,
            "size": human_size(file.size_bytes, locale) if file else None,
            "filename": safe_filename(document), "created_at": document.created_at,
            "owner": {"kind": document.owner_kind, "code": algorithm.code if algorithm else None,
                      "name": algorithm.name if algorithm else None},
            "public": is_public(session, document),
            "url": urls.page(document.sha256), "file_url": urls.file(document.sha256)}


def entry_documents(session: Session, version: AlgorithmVersion, urls: Urls, *, locale: str = "nl") -> list[dict]:
    """The documents of a published version, each with its earlier public versions."""
    result = []
    for document in version_documents(session, version.id):
        item = describe(session, document, urls, locale=locale)
        versions = chain(session, document)
        position = [d.id for d in versions].index(document.id)
        earlier = [d for d in versions[:position] if is_public(session, d)]
        item["earlier_versions"] = [describe(session, d, urls, locale=locale) for d in reversed(earlier)]
        result.append(item)
    return result


def document_page(session: Session, sha256: str, urls: Urls, *, user: User | None = None,
                  token_organisation_id: int | None = None, locale: str = "nl") -> dict | None:
    """Everything the page of one file shows, or None when the viewer may not see any of it."""
    file = session.get(DocumentFile, sha256)
    if file is None:
        return None
    attachments = [d for d in session.exec(select(Document).where(Document.sha256 == sha256).order_by(Document.id))
                   if may_see(session, d, user=user, token_organisation_id=token_organisation_id)]
    if not attachments:
        return None
    items = []
    for document in attachments:
        item = describe(session, document, urls, locale=locale)
        versions = [d for d in chain(session, document)
                    if may_see(session, d, user=user, token_organisation_id=token_organisation_id)]
        item["versions"] = [dict(describe(session, d, urls, locale=locale), this=d.id == document.id)
                            for d in reversed(versions)]
        item["newer_version"] = next((v for v in item["versions"] if not v["this"]), None) \
            if item["versions"] and not item["versions"][0]["this"] else None
        items.append(item)
    return {"sha256": sha256, "size_bytes": file.size_bytes, "page_count": file.page_count,
            "file_url": urls.file(sha256), "documents": items, "public": any(i["public"] for i in items)}


def history(session: Session, algorithm: Algorithm, urls: Urls, *, locale: str = "nl") -> dict[int, list[dict]]:
    """Version number → the documents that were part of it."""
    return {version.number: [describe(session, d, urls, locale=locale)
                              for d in version_documents(session, version.id)]
            for version in algos.versions(session, algorithm)}


def portal_documents(session: Session, algorithm: Algorithm) -> dict:
    """What the portal shows: the working copy's documents and those of the published version."""
    return {"working": working_set(session, algorithm),
            "published": version_documents(session, algorithm.published_version_id),
            "files": {d.sha256: session.get(DocumentFile, d.sha256)
                      for d in session.exec(select(Document).where(Document.algorithm_id == algorithm.id))}}


def get_document(session: Session, algorithm: Algorithm, document_id: int) -> Document | None:
    document = session.get(Document, document_id)
    return document if document is not None and document.algorithm_id == algorithm.id else None


def openapi_paths(code_parameter: dict, errors: dict) -> dict:
    """The documents endpoints for /api/v1/openapi.json."""
    metadata = {
        "kind": {"enum": list(DOCUMENT_KINDS)}, "title": {"type": "string", "maxLength": 200},
        "assessment_date": {"type": "string", "format": "date"},
        "version_label": {"type": "string", "maxLength": 40},
        "language": {"enum": list(DOCUMENT_LANGUAGES), "default": "nl"},
        "summary": {"type": "string", "maxLength": 2000, "description": "B1 summary for residents"},
        "supersedes": {"type": "string", "description": "id or SHA-256 of the current document this one replaces"},
        "file": {"type": "string", "contentMediaType": "application/pdf",
                 "description": "The PDF (no encryption, no JavaScript or Launch actions)"},
    }
    document = {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "id": {"type": "integer"}, "sha256": {"type": "string"},
        "kind": {"enum": list(DOCUMENT_KINDS)}, "title": {"type": "string"},
        "assessment_date": {"type": "string", "format": "date"}, "version_label": {"type": ["string", "null"]},
        "language": {"type": "string"}, "summary": {"type": "string"}, "page_count": {"type": "integer"},
        "size_bytes": {"type": "integer"}, "public": {"type": "boolean"},
        "url": {"type": "string"}, "file_url": {"type": "string"}}}
    too_large = {"description": "The file is larger than STADSREGISTER_MAX_UPLOAD_MB",
                 "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {"/algorithms/{code}/documents": {
        "get": {"summary": "Documents of the entry's working copy", "parameters": [code_parameter],
                "security": [{"bearer": []}], "responses": {"200": {"description": "The documents"}, **errors}},
        "post": {"summary": "Attach a PDF assessment (DPIA, IAMA/FRAIA, other) to the draft; published on approval",
                 "parameters": [code_parameter], "security": [{"bearer": []}],
                 "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                     "type": "object", "required": ["file", "kind", "title", "assessment_date", "summary"],
                     "properties": metadata}}}},
                 "responses": {"201": {"description": "Attached",
                                       "content": {"application/json": {"schema": document}}},
                               "413": too_large, **errors}},
    }}
