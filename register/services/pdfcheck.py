"""Is this upload a real, harmless PDF? Checked by parsing the bytes, never by the file name.

Refused: empty files, other formats (web pages, programs, ZIP archives, images… even when
renamed to ``.pdf``), truncated or damaged PDFs, encrypted PDFs, and PDFs with active content
(JavaScript or Launch actions anywhere: the catalogue's OpenAction, additional actions (AA) of
the document, pages, annotations and form fields, the JavaScript name tree, chained ``/Next``
actions). Messages are message ids (English) for the caller to translate.

Since issue 12 the file must also be a *plain* PDF, because a published assessment is served to
anyone and a file that is also something else is a way to smuggle that something past us:

- ``%PDF-`` is the very first byte (the specification's 1,024 bytes of slack let a file be a web
  page and a PDF at once);
- nothing but whitespace follows the last ``%%EOF`` (no HTML, ZIP or other file appended);
- no HTML tags in the header comments before the first object;
- no XFA form with scripts (XFA is XML that readers run; its ``<script>`` elements hold
  JavaScript or FormCalc), and an XFA packet that cannot be read counts as one with scripts;
- no embedded files or attachments (``/EmbeddedFiles``, ``/EmbeddedFile`` streams, file
  attachment annotations) and no rich media: an assessment needs none, and they can carry
  anything, including web pages and programs.
"""
from __future__ import annotations

import io
import logging
import re
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
EMBEDDED = {"/EmbeddedFile", "/EmbeddedFiles", "/FileAttachment", "/RichMedia", "/GoToE"}
HTML_TAGS = re.compile(rb"<\s*/?\s*(?:!doctype|html|head|body|script|iframe|svg|img|object|embed|meta|a\s)",
                       re.IGNORECASE)
XFA_SCRIPT = re.compile(rb"<(?:[\w.-]+:)?script\b", re.IGNORECASE)
MAX_XFA_BYTES = 20 * 1024 * 1024
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
    # The header must be the first byte: whatever comes before it makes the file something else too.
    if not data.startswith(b"%PDF-"):
        if b"%PDF-" in data[:1024]:
            raise PdfRefused(_before_header(data[:data.index(b"%PDF-")]))
        raise PdfRefused(_sniff_other_format(data[:1024]))
    if b"%%EOF" not in data[-2048:]:
        raise PdfRefused(N_("The PDF is incomplete: the end of the file is missing. Upload it again, or save it again as PDF."))
    _refuse_mixed_structure(data)
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


def _before_header(prefix: bytes) -> str:
    if HTML_TAGS.search(prefix):
        return N_("This file is a web page and a PDF at once (HTML before the start of the PDF). Such files are not accepted; save the assessment again as plain PDF.")
    return N_("Something comes before the start of the PDF, so the file may also be another kind of file. Save the assessment again as plain PDF.")


def _refuse_mixed_structure(data: bytes) -> None:
    """A plain PDF: nothing after the last %%EOF, no HTML in the header comments."""
    tail = data[data.rindex(b"%%EOF") + 5:]
    if tail.strip(b" \t\r\n\x0c"):
        if tail.lstrip().startswith(b"PK\x03\x04") or b"PK\x03\x04" in tail:
            raise PdfRefused(N_("A ZIP archive is attached after the end of this PDF. Such files are not accepted; save the assessment again as plain PDF."))
        if HTML_TAGS.search(tail):
            raise PdfRefused(N_("A web page (HTML) is attached after the end of this PDF. Such files are not accepted; save the assessment again as plain PDF."))
        raise PdfRefused(N_("Other data follows the end of this PDF, so the file may also be another kind of file. Save the assessment again as plain PDF."))
    first_object = re.search(rb"\d+\s+\d+\s+obj\b", data)
    header = data[:first_object.start()] if first_object else data[:1024]
    if HTML_TAGS.search(header):
        raise PdfRefused(N_("This file is a web page and a PDF at once (HTML in the PDF's header). Such files are not accepted; save the assessment again as plain PDF."))


def _refuse_xfa(catalog) -> None:
    """XFA forms are XML that PDF readers run; refuse those with scripts (or that cannot be read)."""
    form = catalog.get("/AcroForm")
    xfa = form.get_object().get("/XFA") if form is not None else None
    if xfa is None:
        return
    xfa = xfa.get_object()
    parts = [xfa] if not isinstance(xfa, ArrayObject) else [p.get_object() for p in xfa[1::2]]
    size = 0
    for part in parts:
        try:
            packet = part.get_data()
        except Exception:  # noqa: BLE001 - an XFA packet we cannot read is not one we can vouch for
            packet = b"<script>"
        size += len(packet)
        if size > MAX_XFA_BYTES or XFA_SCRIPT.search(packet):
            raise PdfRefused(N_("The PDF contains an XFA form with scripts. PDFs with scripts are not accepted; save it again as plain PDF (for example with “Print to PDF”)."))


def _refuse_active_content(reader: PdfReader) -> None:
    """Walk every object reachable from the trailer; refuse JavaScript and Launch actions."""
    catalog = reader.trailer["/Root"].get_object()
    names = catalog.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        raise PdfRefused(N_("The PDF contains JavaScript. PDFs with scripts are not accepted; save it again as plain PDF (for example with “Print to PDF”)."))
    _refuse_xfa(catalog)
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
            if node.get("/Type") in EMBEDDED or node.get("/Subtype") in EMBEDDED or node.get("/S") in EMBEDDED \
                    or "/EmbeddedFiles" in node or "/EF" in node:
                raise PdfRefused(N_("The PDF contains attached files. Attachments can hold anything, so they are not accepted; save the assessment again as plain PDF without attachments."))
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
