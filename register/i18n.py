"""Translations shared by Flask-Babel (views, templates) and by services and the CLI.

Message ids are English; ``translations/nl/LC_MESSAGES/messages.po`` holds the Dutch text.
The ``.mo`` files are compiled from the committed ``.po`` files when missing or older.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from babel.support import NullTranslations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LOCALES = ("nl", "en")
DEFAULT_LOCALE = "nl"


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


def compile_catalogues() -> None:
    """Compile every ``messages.po`` whose ``.mo`` is missing or out of date."""
    # babel's catalogue modules are imported here, not with this module: a process that only marks
    # messages (N_) or never translates, like ``decisions batch``, does not load them (issue 16)
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp.replace(mo_path)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """The catalogue for ``locale`` (English falls back to the message ids)."""
    from babel.support import Translations

    compile_catalogues()
    return Translations.load(str(TRANSLATIONS_DIR), [locale])


def translator(locale: str) -> Callable[..., str]:
    """A ``t(message, **params)`` function for ``locale``, usable without Flask."""
    catalogue = translations(locale if locale in LOCALES else DEFAULT_LOCALE)

    def t(message: str, **params: object) -> str:
        text = catalogue.gettext(message)
        return text % params if params else text

    return t
