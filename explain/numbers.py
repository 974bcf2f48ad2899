"""Numbers as residents type them, read in the language of the page they type them on.

On a Dutch page ``,`` is the decimal comma and ``.`` groups thousands ("1.250,5"); on an English
page it is the other way round ("1,250.5"). A text that is not a valid number in the page's
language but is in the other one ("120.5" on a Dutch page) is read the other way, because it
can mean only one thing. A text that is valid in both and means different things ("9.504":
9504 in Dutch, 9.504 in English) has two readings; the field decides which ones are plausible
(``explain.inputs.parse_value``) and refuses the text, naming both, when both are.

Parsing uses Babel's strict parser, so a misplaced separator ("12.50" in Dutch) is never read
as a thousands group.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from . import fmt

# The group and decimal signs of the page languages, written down in ``fmt`` (reading them from
# Babel's locale data costs a twentieth of a second of every process that reads a number, issue 16);
# tests/explain/test_numbers.py checks they are still CLDR's.
CLDR_SYMBOLS = fmt.CLDR_SYMBOLS


def _symbols(lang: str) -> tuple[str, str]:
    """(group, decimal) of ``lang`` as CLDR writes them."""
    if lang in CLDR_SYMBOLS:
        return CLDR_SYMBOLS[lang]
    from babel.numbers import get_decimal_symbol, get_group_symbol

    babel_locale = fmt.BABEL_LOCALES[lang]
    return get_group_symbol(babel_locale), get_decimal_symbol(babel_locale)

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_TRAILING_UNIT = re.compile(r"[^\d,.+\-]+$")  # m², jaar, nights …
_LEADING_CURRENCY = re.compile(r"^(?:€|eur|euro)", re.IGNORECASE)


def _clean(text: str) -> str:
    s = _SPACES.sub("", str(text)).replace("\u2212", "-")
    s = _LEADING_CURRENCY.sub("", s)
    s = _TRAILING_UNIT.sub("", s)
    return s


def _grammar(lang: str) -> re.Pattern:
    """The strict grammar of a number in ``lang``, with that language's symbols from Babel's CLDR
    data: groups of exactly three digits after a first group without a leading zero, one
    decimal sign; or no grouping at all (and then an optional exponent)."""
    group, decimal = (re.escape(symbol) for symbol in _symbols(lang))
    return re.compile(
        rf"^(?P<sign>[+-]?)(?:(?P<grouped>[1-9]\d{{0,2}}(?:{group}\d{{3}})+)|(?P<plain>\d*))"
        rf"(?:{decimal}(?P<fraction>\d*))?(?P<exponent>[eE][+-]?\d+)?$"
    )


_GRAMMARS = {lang: _grammar(lang) for lang in fmt.BABEL_LOCALES}


def _read(s: str, lang: str) -> Decimal | None:
    """``s`` read strictly as ``lang`` writes numbers (the same verdicts as Babel's
    ``parse_decimal(strict=True)``, without formatting every candidate back)."""
    match = _GRAMMARS[lang].match(s)
    if match is None:
        return None
    whole = re.sub(r"\D", "", match["grouped"]) if match["grouped"] else (match["plain"] or "")
    if not whole and not match["fraction"]:
        return None
    if match["grouped"] and (match["exponent"] or match["fraction"] == ""):
        return None  # '1.250e3' and '1.250,' are no numbers anyone writes
    text = f"{match['sign']}{whole or '0'}.{match['fraction'] or '0'}{match['exponent'] or ''}"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def readings(text: str, locale: str = "nl") -> list[Decimal]:
    """The distinct values ``text`` can mean: the page language's reading first, then the other's.

    ``'0,125'`` on a Dutch page → ``[0.125]``; ``'9.504'`` on a Dutch page → ``[9504, 9.504]``;
    ``'abc'`` → ``[]``.
    """
    s = _clean(text)
    if not s or not re.search(r"\d", s):
        return []
    lang = fmt.lang(locale)
    other = "en" if lang == "nl" else "nl"
    found: list[Decimal] = []
    for each in (lang, other):
        value = _read(s, each)
        if value is not None and all(value != seen for seen in found):
            found.append(value)
    return found


def parse_number(text: str, locale: str = "nl") -> float | None:
    """The value of ``text`` as the page's language reads it (see ``readings``), or None.

    Where the text means something else in the other language, this returns the page
    language's reading; ``readings`` gives both, for the field to judge.
    """
    found = readings(text, locale)
    return float(found[0]) if found else None


def written(value: Decimal | float, locale: str = "nl") -> str:
    """``value`` written unambiguously for ``locale``: every decimal kept, no thousands groups."""
    exact = Decimal(str(value)).normalize()
    decimals = max(0, -int(exact.as_tuple().exponent))
    return fmt.number(float(exact), locale, decimals=decimals, grouping=False)
