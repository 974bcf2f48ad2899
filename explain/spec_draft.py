"""A first draft of a feature spec, from a model's input names and its reference data.

``draft_spec`` guesses what it can: each input's kind (number, yes/no or category), its range
and whether it is whole, the categories seen, and the outcome (the one column that is not an
input; its classes from the model). Labels are the column names and every wording is to be
written by the registrant; ``notes`` lists what to check. The draft is a valid spec, so the
registrant can start from something the register accepts.
"""

from __future__ import annotations

import math
from typing import Any

from .spec import FALSE_WORDS, TRUE_WORDS

BINARY = {0, 1}


def _label(name: str) -> dict:
    text = name.replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    return {"nl": text, "en": text}


def _is_yes_no(values) -> bool:
    words = {str(v).strip().lower() for v in values}
    numeric = {float(v) for v in values if _number(v) is not None}
    if len(numeric) == len(words) and numeric and numeric <= BINARY:
        return True
    return bool(words) and words <= TRUE_WORDS | FALSE_WORDS and len(words) <= 2


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _nice_bounds(low: float, high: float, whole: bool) -> tuple[float, float]:
    if whole:
        return math.floor(low), math.ceil(high)
    return low, high


def _feature(name: str, column) -> tuple[dict, list[str]]:
    import pandas as pd

    present = column.dropna()
    feature: dict[str, Any] = {"name": name, "label": _label(name)}
    notes: list[str] = []
    values = present.unique().tolist()
    numbers = pd.to_numeric(present, errors="coerce")
    if values and _is_yes_no(values):
        feature["kind"] = "yes_no"
    elif len(present) and not numbers.isna().any():
        whole = bool((numbers == numbers.round()).all())
        low, high = _nice_bounds(float(numbers.min()), float(numbers.max()), whole)
        if low == high:
            high = low + 1
            notes.append(f"{name}: only one value ({low:g}) in the data; set 'min' and 'max'.")
        feature.update(kind="number", min=low, max=high)
        if whole:
            feature.update(integer=True, step=1)
        notes.append(
            f"{name}: range {low:g}–{high:g} taken from the data; widen it to what is possible."
        )
    else:
        categories = sorted({str(v) for v in values})
        feature.update(
            kind="category",
            categories=[{"value": c, "label": {"nl": c, "en": c}} for c in categories]
            or [{"value": "?", "label": {"nl": "?", "en": "?"}}],
        )
        if len(categories) > 30:
            notes.append(f"{name}: {len(categories)} categories; is this really one of a list?")
    return feature, notes


def _outcome(estimator, frame, outcome_column: str | None) -> tuple[dict, list[str]]:
    classes = [str(c) for c in getattr(estimator, "classes_", [])]
    outcome: dict[str, Any] = {
        "label": _label(outcome_column or "outcome"),
        "short": _label(outcome_column or "outcome"),
    }
    if outcome_column:
        outcome["column"] = outcome_column
    notes = ["outcome: write 'label' and 'short' as residents read them."]
    if classes and hasattr(estimator, "predict_proba"):
        outcome.update(
            kind="classification",
            classes=[{"value": c, "label": {"nl": c, "en": c}} for c in classes],
        )
        if len(classes) == 2:
            outcome.update(flagged_class=classes[1], threshold=0.5)
            notes.append(
                f"outcome: check 'flagged_class' ({classes[1]}) and set the 'threshold' "
                "used in practice (0.5 is a guess)."
            )
    else:
        outcome["kind"] = "regression"
        if outcome_column and outcome_column in frame.columns:
            import pandas as pd

            values = pd.to_numeric(frame[outcome_column], errors="coerce").dropna()
            if len(values):
                outcome["round_to"] = 10 ** max(
                    0, math.floor(math.log10(max(abs(values.median()), 1))) - 1
                )
        notes.append("outcome: add 'unit' (for example EUR) if the outcome is an amount.")
    return outcome, notes


def _guess_outcome(estimator, frame, rest: list[str]) -> str | None:
    """The one column left, or the one whose values are the model's classes (or are numbers)."""
    import pandas as pd

    if len(rest) == 1:
        return rest[0]
    classes = {str(c) for c in getattr(estimator, "classes_", [])}
    if classes:
        fits = [c for c in rest if {str(v) for v in frame[c].dropna().unique()} <= classes]
    else:
        fits = [c for c in rest if not pd.to_numeric(frame[c], errors="coerce").isna().any()]
    return fits[0] if len(fits) == 1 else None


def draft_spec(estimator, frame, *, outcome_column: str | None = None) -> tuple[dict, list[str]]:
    """(draft spec, notes for the registrant) from a fitted model and its reference DataFrame.

    The inputs are the model's ``feature_names_in_`` (or every column but the outcome). The
    outcome column is ``outcome_column`` or the one column left when the inputs are taken away.
    """
    columns = [str(c) for c in frame.columns]
    names = [str(n) for n in getattr(estimator, "feature_names_in_", [])]
    notes: list[str] = []
    missing = [n for n in names if n not in columns]
    if missing:
        raise ValueError(f"the reference data lacks the model's inputs {missing}")
    rest = [c for c in columns if c not in names]
    if outcome_column is None and names:
        outcome_column = _guess_outcome(estimator, frame, rest)
        if outcome_column and len(rest) > 1:
            notes.append(
                f"outcome: '{outcome_column}' taken as the outcome column; use --outcome if not."
            )
    if not names:
        names = [c for c in columns if c != outcome_column]
        notes.append("the model does not name its inputs; every column but the outcome is taken.")
    features = []
    for name in names:
        feature, feature_notes = _feature(name, frame[name])
        features.append(feature)
        notes.extend(feature_notes)
    outcome, outcome_notes = _outcome(estimator, frame, outcome_column)
    notes.extend(outcome_notes)
    others = [c for c in rest if c != outcome_column]
    if others:
        notes.append(
            f"columns {others} are not model inputs: add the ones that describe a protected "
            "group as 'fairness_attributes'."
        )
    notes.append("every input: write 'label' for residents, mark 'changeable' and 'protected'.")
    return {"spec_version": 1, "features": features, "outcome": outcome}, notes
