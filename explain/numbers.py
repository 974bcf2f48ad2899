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

from babel.numbers import NumberFormatError, parse_decimal

from . import fmt

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_TRAILING_UNIT = re.compile(r"[^\d,.+\-]+$")  # m², jaar, nights …
_LEADING_CURRENCY = re.compile(r"^(?:€|eur|euro)", re.IGNORECASE)


def _clean(text: str) -> str:
    s = _SPACES.sub("", str(text)).replace("\u2212", "-")
    s = _LEADING_CURRENCY.sub("", s)
    s = _TRAILING_UNIT.sub("", s)
    return s


def _read(s: str, lang: str) -> Decimal | None:
    try:
        value = parse_decimal(s, locale=fmt.BABEL_LOCALES[lang], strict=True)
    except (NumberFormatError, InvalidOperation, ValueError):
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
