"""Parsing a resident's form values and loading reference data against a spec."""

from __future__ import annotations

import math
from typing import Any

from . import fmt
from .numbers import parse_number, readings, written
from .reference import check_reference, load_reference
from .spec import FALSE_WORDS, TRUE_WORDS, Feature

MESSAGES = {
    "required": {"nl": "Vul dit veld in.", "en": "Please fill in this field."},
    "number": {
        "nl": "Vul een getal in, bijvoorbeeld {example}.",
        "en": "Please enter a number, for example {example}.",
    },
    "integer": {"nl": "Vul een heel getal in, zonder komma.", "en": "Please enter a whole number."},
    "range": {
        "nl": "Vul een getal in van {min} tot en met {max}.",
        "en": "Please enter a number from {min} to {max}.",
    },
    "choice": {"nl": "Kies een van de mogelijkheden.", "en": "Please choose one of the options."},
    "yes_no": {"nl": "Kies ja of nee.", "en": "Please choose yes or no."},
    "ambiguous": {
        "nl": "We weten niet zeker of u {first} bedoelt of {second}. Typ het getal zonder punt "
        "voor duizendtallen, dus {first} of {second}.",
        "en": "We cannot tell whether you mean {first} or {second}. Please type the number "
        "without a thousands separator: {first} or {second}.",
    },
}

__all__ = ["check_reference", "load_reference", "parse_number", "parse_value"]


def _msg(key: str, locale: str, **kw) -> str:
    return MESSAGES[key][fmt.lang(locale)].format(**kw)


def _is_blank(raw: Any) -> bool:
    return (
        raw is None
        or (isinstance(raw, str) and not raw.strip())
        or (isinstance(raw, float) and math.isnan(raw))
    )


def plausible(feat: Feature, value: float) -> bool:
    """Whether ``value`` keeps the field's rules: its range, whole numbers, its step."""
    if (feat.min is not None and value < feat.min) or (feat.max is not None and value > feat.max):
        return False
    if feat.integer and not float(value).is_integer():
        return False
    if feat.step:
        steps = (value - (feat.min or 0)) / feat.step
        return abs(steps - round(steps)) <= 1e-9 * max(1.0, abs(steps))
    return True


def _number_for(feat: Feature, text: str, locale: str) -> tuple[float | None, tuple]:
    """(value, ()) or (None, (two readings)) when the field makes both of a text's readings plausible.

    Only the page language's reading and the other language's are considered; of those, the
    ones the field allows are kept. One left: that is the value. None left: the page language's
    reading, for the range or whole-number message to explain.
    """
    found = readings(text, locale)
    if not found:
        return None, ()
    fitting = [v for v in found if plausible(feat, float(v))]
    if len(fitting) > 1:
        return None, (fitting[0], fitting[1])
    return float((fitting or found)[0]), ()


def parse_value(feat: Feature, raw: Any, locale: str = "nl") -> tuple[Any, str | None]:
    """One field → (clean value, None) or (None, plain error message)."""
    if _is_blank(raw):
        if feat.required:
            return None, _msg("required", locale)
        return (float("nan") if feat.kind == "number" else None), None
    if feat.kind == "number":
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            value = float(raw) if math.isfinite(float(raw)) else None
        else:
            value, ambiguous = _number_for(feat, str(raw), locale)
            if ambiguous:
                first, second = (written(v, locale) for v in ambiguous)
                return None, _msg("ambiguous", locale, first=first, second=second)
        if value is None:
            example = fmt.number(feat.min if feat.min is not None else 1, locale)
            return None, _msg("number", locale, example=example)
        if feat.integer and not float(value).is_integer():
            return None, _msg("integer", locale)
        if (feat.min is not None and value < feat.min) or (
            feat.max is not None and value > feat.max
        ):
            lo = feat.format_value(feat.min, locale)
            hi = feat.format_value(feat.max, locale)
            return None, _msg("range", locale, min=lo, max=hi)
        return value, None
    if feat.kind == "yes_no":
        if isinstance(raw, bool):
            return raw, None
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True, None
        if word in FALSE_WORDS:
            return False, None
        return None, _msg("yes_no", locale)
    text = str(raw).strip()
    for cat in feat.categories:
        if text == cat.value or text.casefold() in {
            cat.value.casefold(),
            *(v.casefold() for v in cat.label.values()),
        }:
            return cat.value, None
    return None, _msg("choice", locale)
