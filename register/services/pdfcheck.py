"""Is this upload a real, harmless PDF? Checked by parsing the bytes, never by the file name.

Refused: empty files, other formats (web pages, programs, ZIP archives, images… even when
renamed to ``.pdf``), truncated or damaged PDFs, encrypted PDFs, and PDFs with active content
(JavaScript or Launch actions anywhere: the catalogue's OpenAction, additional actions (AA) of
the document, pages, annotations and form fields, the JavaScript name tree, chained ``/Next``
actions). Messages are message ids (English) for the caller to translate.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from register.i18n import N_

# Extracted text kept per file. Search indexes the text of an entry's documents together with the
# entry; PostgreSQL refuses a tsvector over 1 MB, and FTS5 rows this large make every update slow.
# 200,000 characters is about 80 pages of dense prose; see services.documents.MAX_INDEX_CHARS.
MAX_TEXT_CHARS = 200_000
ACTIVE_ACTIONS = {"/JavaScript", "/Launch"}
MAX_OBJECTS = 500_000  # a guard against absurd object graphs

logging.getLogger("pypdf").setLevel(logging.ERROR)  # damaged files are reported to the user instead


class PdfRefused(Exception):
    """The upload is not an acceptable PDF; ``message`` is a message id."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class PdfFacts:
    page_count: int
    text: str
    text_truncated: bool


_SIGNATURES = (
    (b"MZ", N_("This file is a program (an .exe file), not a PDF. Upload the assessment as a PDF.")),
    (b"\x7fELF", N_("This file is a program, not a PDF. Upload the assessment as a PDF.")),
    (b"PK\x03\x04", N_("This file is a ZIP archive (or a Word or Excel file), not a PDF. Save the assessment as PDF and upload that.")),
    (b"\xd0\xcf\x11\xe0", N_("This file is an old Word or Excel file, not a PDF. Save the assessment as PDF and upload that.")),
    (b"\x89PNG", N_("This file is an image, not a PDF. Upload the assessment as a PDF.")),
    (b"\xff\xd8\xff", N_("This file is an image, not a PDF. Upload the assessment as a PDF.")),
)


def _sniff_other_format(head: bytes) -> str:
    for signature, message in _SIGNATURES:
        if head.startswith(signature):
            return message
    lowered = head.lstrip()[:200].lower()
    if lowered.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<script")) or b"<html" in lowered:
        return N_("This file is a web page (HTML), not a PDF, even if its name ends in .pdf. Upload the assessment as a PDF.")
    return N_("This file is not a PDF. Only PDF files can be uploaded.")


def inspect(data: bytes) -> PdfFacts:
    """The page count and text of a harmless PDF; raises :class:`PdfRefused` otherwise."""
    if not data or not data.strip():
        raise PdfRefused(N_("The file is empty."))
    # The PDF header must be at the start (the specification tolerates up to 1,024 bytes before it).
    if b"%PDF-" not in data[:1024]:
        raise PdfRefused(_sniff_other_format(data[:1024]))
    if b"%%EOF" not in data[-2048:]:
        raise PdfRefused(N_("The PDF is incomplete: the end of the file is missing. Upload it again, or save it again as PDF."))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise PdfRefused(N_("The PDF is protected with a password or encryption. Upload a version without protection, so everyone can read it."))
        page_count = len(reader.pages)
        if page_count == 0:
            raise PdfRefused(N_("The PDF has no pages."))
        _refuse_active_content(reader)
        text, truncated = _text(reader)
    except PdfRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            AssertionError, OSError, NotImplementedError) as error:
        raise PdfRefused(N_("The PDF is damaged and cannot be read. Save it again as PDF and upload that.")) from error
    return PdfFacts(page_count=page_count, text=text, text_truncated=truncated)


def _refuse_active_content(reader: PdfReader) -> None:
    """Walk every object reachable from the trailer; refuse JavaScript and Launch actions."""
    catalog = reader.trailer["/Root"].get_object()
    names = catalog.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        raise PdfRefused(N_("The PDF contains JavaScript. PDFs with scripts are not accepted; save it again as plain PDF (for example with “Print to PDF”)."))
    seen: set[tuple[int, int]] = set()
    stack = [reader.trailer]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > MAX_OBJECTS:
            raise PdfRefused(N_("The PDF is damaged and cannot be read. Save it again as PDF and upload that."))
        if isinstance(node, DictionaryObject):  # includes streams: their dictionaries, not their data
            action = node.get("/S")
            if isinstance(action, NameObject) and action in ACTIVE_ACTIONS or "/JS" in node:
                if action == "/Launch":
                    raise PdfRefused(N_("The PDF contains an action that starts a program (Launch). Such PDFs are not accepted; save it again as plain PDF."))
                raise PdfRefused(N_("The PDF contains JavaScript. PDFs with scripts are not accepted; save it again as plain PDF (for example with “Print to PDF”)."))
            for key, value in node.items():
                if key not in ("/Parent", "/P"):  # back-references: already reached from the top
                    stack.append(value)
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _text(reader: PdfReader) -> tuple[str, bool]:
    """Text of the pages, up to :data:`MAX_TEXT_CHARS` (extraction stops there)."""
    parts, size = [], 0
    for page in reader.pages:
        try:
            chunk = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - a page whose text cannot be read is still a valid page
            chunk = ""
        chunk = " ".join(chunk.split())
        if size + len(chunk) >= MAX_TEXT_CHARS:
            parts.append(chunk[: MAX_TEXT_CHARS - size])
            return " ".join(parts), True
        parts.append(chunk)
        size += len(chunk) + 1
    return " ".join(parts), False
