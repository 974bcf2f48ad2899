"""Cleaning texts the way the national register accepts them (issue #17).

Real records carry what word processors leave behind: zero-width spaces (U+200B), byte-order marks
(U+FEFF), non-breaking spaces (U+00A0) at the edges or inside a text. Imports and the portal form
normalise them and say per field what was changed, instead of refusing the record.
"""
from __future__ import annotations

import re
import unicodedata

from register.i18n import N_, translator

_INVISIBLE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
# Spaces that are not plain spaces: no-break, narrow no-break, figure, thin, ideographic, …
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def _oddities(value: str) -> bool:
    return value != value.strip() or bool(_INVISIBLE.search(value)) or bool(_ODD_SPACES.search(value))


def invisible_in(form: dict) -> list[str]:
    """The fields of a submitted form holding invisible characters or non-breaking spaces (cleaned on save)."""
    found = []
    for name, raw in form.items():
        values = raw if isinstance(raw, list) else [raw]
        if any(isinstance(v, str) and (_INVISIBLE.search(v) or _ODD_SPACES.search(v)) for v in values):
            found.append(name)
    return found


def clean_text(value: str) -> str:
    """A text without invisible characters, with plain spaces, NFC, trimmed; line breaks kept."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    text = _INVISIBLE.sub("", text.replace("\t", " "))
    return _ODD_SPACES.sub(" ", text).strip()


def clean_record(record: dict, locale: str = "en") -> tuple[dict, list[dict]]:
    """Normalise invisible and non-breaking whitespace in every text of a record.

    Real records carry what word processors leave behind (U+200B, U+00A0, U+FEFF); the national
    register accepts them, so we do too, and say per field what was changed (issue #17).
    """
    t = translator(locale)
    cleaned: dict = {}
    notes: list[dict] = []
    for key, value in record.items():
        if isinstance(value, str) and _oddities(value):
            cleaned[key] = clean_text(value)
            notes.append({"field": key, "message": t(_describe(value))})
        elif isinstance(value, list) and any(isinstance(v, str) and _oddities(v) for v in value):
            cleaned[key] = [clean_text(v) if isinstance(v, str) else v for v in value]
            notes.append({"field": key, "message": t(_describe("".join(v for v in value if isinstance(v, str))))})
        else:
            cleaned[key] = value
    return cleaned, notes


def _describe(value: str) -> str:
    kinds = []
    if _INVISIBLE.search(value):
        kinds.append(N_("Invisible characters (such as zero-width spaces) were removed."))
    if _ODD_SPACES.search(value):
        kinds.append(N_("Non-breaking spaces were replaced by ordinary spaces."))
    if not kinds:
        kinds.append(N_("Spaces at the start or end were removed."))
    return kinds[0]
