"""Plain words for a decision table's rules, in Dutch and English, from the table and the spec.

The spec gives labels (``inputs.<name>.label``, ``outputs.<name>.label``), units and labels for
values (``values``); a rule's own text in the spec (``rules.<id>.text``) replaces the generated
sentence, for the cases where the law's own words are clearer.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal

from .feel import Name, OtherValue, Test, UnaryTests
from .model import Input, Rule, Table

LOCALES = ("nl", "en")
_OPS = {
    "nl": {"=": "is {v}", "!=": "is niet {v}", "<": "is lager dan {v}", "<=": "is {v} of lager",
           ">": "is hoger dan {v}", ">=": "is {v} of hoger"},
    "en": {"=": "is {v}", "!=": "is not {v}", "<": "is lower than {v}", "<=": "is {v} or lower",
           ">": "is higher than {v}", ">=": "is {v} or higher"},
}
_WORDS = {
    "nl": {"or": "of", "and": "en", "yes": "ja", "no": "nee", "empty": "leeg",
           "because": "Omdat {c}, geldt: {o}.", "always": "Deze regel geldt altijd: {o}.",
           "not": "is niet {v}", "range": "is {a} tot en met {b}", "from": "is {a} of hoger en lager dan {b}",
           "above": "is hoger dan {a} en ten hoogste {b}", "between": "ligt tussen {a} en {b}"},
    "en": {"or": "or", "and": "and", "yes": "yes", "no": "no", "empty": "empty",
           "because": "Because {c}: {o}.", "always": "This rule always applies: {o}.",
           "not": "is not {v}", "range": "is {a} to {b} inclusive", "from": "is {a} or more and less than {b}",
           "above": "is more than {a} and at most {b}", "between": "is between {a} and {b}"},
}


def _label(spec_part: dict, fallback: str, locale: str) -> str:
    label = spec_part.get("label")
    if isinstance(label, dict):
        return label.get(locale) or label.get("nl") or fallback
    return label or fallback


def value_words(value: Any, locale: str, part: dict | None = None) -> str:
    """A value as a resident reads it: labels from the spec, ja/nee, Dutch numbers, dates."""
    part = part or {}
    if isinstance(value, OtherValue):
        return {"nl": "een andere waarde", "en": "another value"}[locale]
    labels = part.get("values") if isinstance(part.get("values"), dict) else {}
    key = str(value).lower() if isinstance(value, bool) else str(value)
    if key in labels:
        return _label({"label": labels[key]}, key, locale)
    if isinstance(value, bool):
        return _WORDS[locale]["yes" if value else "no"]
    if value is None:
        return _WORDS[locale]["empty"]
    if isinstance(value, (int, float)):
        unit = part.get("unit")
        unit = unit.get(locale) if isinstance(unit, dict) else unit
        if unit == "€":  # whole euros as they are, otherwise always with cents
            money = "#,##0" if float(value).is_integer() else "#,##0.00"
            return f"€ {format_decimal(value, money, locale=locale)}"
        number = format_decimal(value, locale=locale)
        return f"{number} {unit}" if unit else number
    if isinstance(value, dt.date):
        return format_date(value, format="long", locale=locale)
    if isinstance(value, Name):
        return value.name
    return str(value)


def _test_words(test: Test, locale: str, part: dict) -> str:
    v = value_words(test.value, locale, part)
    if test.op != "range":
        return _OPS[locale][test.op].format(v=v)
    b = value_words(test.high, locale, part)
    shape = {(True, True): "range", (True, False): "from", (False, True): "above"}.get(
        (test.low_closed, test.high_closed), "between")
    return _WORDS[locale][shape].format(a=v, b=b)


def _join(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def condition_sentence(column: Input, entry: UnaryTests, spec: dict) -> dict[str, str]:
    """'zone is Centrum of West' / 'minutes over time is 15 or higher'."""
    outputs = spec.get("outputs") or {}  # a required decision's result is read like an input
    part = (spec.get("inputs") or {}).get(column.expression) or \
        outputs.get(column.expression) or outputs.get(column.expression.lower()) or {}
    out = {}
    for locale in LOCALES:
        label = _label(part, column.label, locale)
        words = _WORDS[locale]
        if all(t.op == "=" for t in entry.tests):
            values = _join([value_words(t.value, locale, part) for t in entry.tests], words["or"])
            text = words["not"].format(v=values) if entry.negated else f"is {values}"
        else:
            text = _join([_test_words(t, locale, part) for t in entry.tests], words["or"])
            if entry.negated:
                text = f"{'niet' if locale == 'nl' else 'not'}: {text}"
        out[locale] = f"{label} {text}"
    return out


def outcome_words(table: Table, outputs: tuple, spec: dict, locale: str) -> str:
    parts = []
    for output, value in zip(table.outputs, outputs):
        part = (spec.get("outputs") or {}).get(output.name) or {}
        parts.append(f"{_label(part, output.label, locale)}: {value_words(value, locale, part)}")
    return _join(parts, _WORDS[locale]["and"])


def rule_sentence(table: Table, rule: Rule, spec: dict) -> dict[str, str]:
    """The whole rule as one sentence per language (or the spec's own text for the rule)."""
    own = ((spec.get("rules") or {}).get(rule.id) or {}).get("text")
    if isinstance(own, dict) and own.get("nl"):
        return {"nl": own["nl"], "en": own.get("en") or own["nl"]}
    out = {}
    for locale in LOCALES:
        conditions = [condition_sentence(c, e, spec)[locale]
                      for c, e in zip(table.inputs, rule.entries) if not e.any]
        outcome = outcome_words(table, rule.outputs, spec, locale)
        words = _WORDS[locale]
        out[locale] = words["because"].format(c=_join(conditions, words["and"]), o=outcome) \
            if conditions else words["always"].format(o=outcome)
    return out
