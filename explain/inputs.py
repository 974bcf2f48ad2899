"""Parsing a resident's form values and loading reference data against a spec."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from . import fmt
from .errors import SpecError
from .spec import FALSE_WORDS, TRUE_WORDS, Feature, FeatureSpec

_NL_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_EN_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

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
}


def _msg(key: str, locale: str, **kw) -> str:
    return MESSAGES[key][fmt.lang(locale)].format(**kw)


def parse_number(text: str) -> float | None:
    """'1.250,5' / '1,250.5' / '120,5' / '120.5' / '€ 41.000' → float, or None."""
    s = text.strip().replace("\u00a0", "").replace(" ", "").replace("€", "").replace("'", "")
    s = s.replace("\u2212", "-")
    s = re.sub(r"[^\d,.+-]+$", "", s)  # trailing unit such as m² or jaar
    if not s:
        return None
    if _NL_GROUPED.match(s):
        s = s.replace(".", "").replace(",", ".")
    elif _EN_GROUPED.match(s):
        s = s.replace(",", "")
    elif "," in s and "." in s:
        s = (
            s.replace(".", "").replace(",", ".")
            if s.rfind(",") > s.rfind(".")
            else s.replace(",", "")
        )
    else:
        s = s.replace(",", ".")
    try:
        value = float(s)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_blank(raw: Any) -> bool:
    return (
        raw is None
        or (isinstance(raw, str) and not raw.strip())
        or (isinstance(raw, float) and math.isnan(raw))
    )


def parse_value(feat: Feature, raw: Any, locale: str = "nl") -> tuple[Any, str | None]:
    """One field → (clean value, None) or (None, plain error message)."""
    if _is_blank(raw):
        if feat.required:
            return None, _msg("required", locale)
        return (float("nan") if feat.kind == "number" else None), None
    if feat.kind == "number":
        value = (
            float(raw)
            if isinstance(raw, (int, float)) and not isinstance(raw, bool)
            else (parse_number(str(raw)))
        )
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


def check_reference(spec: FeatureSpec, frame) -> list[str]:
    """Problems with a reference DataFrame: missing columns, out-of-range or unknown values."""
    problems = []
    for feat in spec.features + spec.fairness_attributes:
        if feat.name not in frame.columns:
            problems.append(f"column '{feat.name}' is missing")
            continue
        col = frame[feat.name]
        if feat.kind == "number":
            bad = col.dropna()[(col.dropna() < feat.min) | (col.dropna() > feat.max)]
            if len(bad):
                problems.append(
                    f"column '{feat.name}': {len(bad)} value(s) outside {feat.min}–{feat.max}"
                )
        elif feat.kind == "category":
            unknown = sorted(set(col.dropna().astype(str)) - set(feat.category_values()))
            if unknown:
                problems.append(f"column '{feat.name}': unknown categories {unknown[:5]}")
    column = spec.outcome.column
    if column and column in frame.columns and spec.outcome.kind == "classification":
        unknown = sorted(
            set(frame[column].dropna().astype(str)) - {c.value for c in spec.outcome.classes}
        )
        if unknown:
            problems.append(f"outcome column '{column}': unknown classes {unknown[:5]}")
    return problems


def load_reference(path: str | Path, spec: FeatureSpec):
    """Read a reference CSV and check it against the spec (``SpecError`` lists problems).

    Category and outcome columns are read as text, yes/no columns as 0/1.
    """
    import pandas as pd

    text_cols = [f.name for f in spec.features + spec.fairness_attributes if f.kind == "category"]
    if spec.outcome.column and spec.outcome.kind == "classification":
        text_cols.append(spec.outcome.column)
    frame = pd.read_csv(path, dtype={c: str for c in text_cols}, keep_default_na=True)
    problems = check_reference(spec, frame)
    if problems:
        raise SpecError(problems, what="reference data")
    for feat in spec.features:
        if feat.kind == "yes_no":
            frame[feat.name] = (
                frame[feat.name].map(lambda v: str(v).strip().lower() in TRUE_WORDS).astype(int)
            )
    return frame
