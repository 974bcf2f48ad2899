"""Locale-aware number formatting for residents' text (babel, no global state)."""

from __future__ import annotations

import math
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, parse_pattern

BABEL_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
# The group and decimal signs of these locales in Babel's CLDR data, written down: reading them loads
# Babel's locale data, a twentieth of a second of every process that reads a number (issue 16), and
# formatting through Babel costs a tenth of a millisecond a number, dozens of times an explanation
# (issue 10). tests/explain/test_numbers.py checks they are still CLDR's and that ``number`` writes
# what Babel writes.
CLDR_SYMBOLS = {"nl": (".", ","), "en": (",", ".")}
_SWAP = {"nl": str.maketrans({",": ".", ".": ","}), "en": None}
YES_NO = {"nl": ("ja", "nee"), "en": ("yes", "no")}


def lang(locale: str) -> str:
    code = (locale or "nl")[:2].lower()
    return code if code in BABEL_LOCALES else "nl"


def round_to(value: float, step: float | None) -> float:
    if not step:
        return value
    return round(value / step) * step


def number(value: float, locale: str, *, decimals: int | None = None, grouping: bool = True) -> str:
    """120 → '120'; 1234.5 → '1.234,5' (nl) or '1,234.5' (en)."""
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    code = lang(locale)
    # at most 15 significant digits: the float's digits are then those of its shortest form, which Babel writes
    if code in _SWAP and 0 <= decimals <= 6 and abs(value) < 10.0 ** (15 - decimals):
        text = f"{round(value, decimals):{',' if grouping else ''}.{decimals}f}"
        return text.translate(_SWAP[code]) if _SWAP[code] else text
    return _pattern(("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")).apply(
        round(value, decimals), _locale(lang(locale)))


@lru_cache(maxsize=64)
def _pattern(pattern: str):
    """babel parses a pattern on every format call; explanations format dozens of numbers."""
    return parse_pattern(pattern)


@lru_cache(maxsize=4)
def _locale(code: str) -> Locale:
    return Locale.parse(BABEL_LOCALES[code])


def money(value: float, locale: str, unit: str = "EUR") -> str:
    """41000 → '€ 41.000' (nl) or '€41,000' (en); no cents for amounts of 100 or more."""
    pattern = "¤ #,##0" if lang(locale) == "nl" else "¤#,##0"
    if abs(value) < 100 and not float(value).is_integer():
        pattern += ".00"
    return format_currency(
        value, unit, format=pattern, locale=BABEL_LOCALES[lang(locale)], currency_digits=False
    )


def quantity(value: float, unit: str | None, locale: str, **kw) -> str:
    if unit and unit.upper() in {"EUR", "USD", "GBP"}:
        return money(value, locale, unit.upper())
    text = number(value, locale, **kw)
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}" if unit else text


def nice_step(value: float) -> float:
    """A rounding step that keeps two or three significant digits: 41234 → 1000."""
    if value == 0 or not math.isfinite(value):
        return 1.0
    return 10 ** max(0, math.floor(math.log10(abs(value))) - 1)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text
