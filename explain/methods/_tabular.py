"""Tabular cases for the booster and ONNX methods: spec-checked rows → named columns, and the
``Explanation`` fields a yes/no, regression or multi-class outcome needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ..errors import ExplainerError, InputError
from ..spec import FeatureSpec


def cases(spec: FeatureSpec, rows: Iterable[Mapping[str, Any]] | Any, validate: bool):
    """(columns by input name, list of clean input dicts) from a DataFrame or mappings."""
    if hasattr(rows, "columns"):
        frame = spec.coerce_frame(rows)
        return {n: frame[n].to_numpy() for n in spec.names}, frame[spec.names].to_dict("records")
    clean_rows = []
    for row in rows:
        if validate:
            row, errors = spec.validate_inputs(row, "en")
            if errors:
                raise InputError(errors)
        clean_rows.append(dict(row))
    return spec.to_columns(clean_rows), clean_rows


def class_labels(spec: FeatureSpec, n_classes: int) -> list[str]:
    """Spec class values in the model's label order: '0','1',… by number, else spec order."""
    values = [c.value for c in spec.outcome.classes]
    if len(values) != n_classes:
        raise ExplainerError(
            "class_mismatch",
            f"The model has {n_classes} classes, the spec lists {len(values)}.",
            f"Het model heeft {n_classes} klassen, de specificatie noemt er {len(values)}.",
        )
    if sorted(values) == [str(i) for i in range(n_classes)]:
        return [str(i) for i in range(n_classes)]
    return values


def check_task(spec: FeatureSpec, task: str) -> None:
    wanted = "regression" if spec.outcome.kind == "regression" else "classification"
    has = "regression" if task == "regression" else "classification"
    if wanted != has:
        raise ExplainerError(
            "task_mismatch",
            f"The spec says {wanted} but the model does {has}.",
            f"De specificatie noemt {_NL[wanted]}, maar het model doet {_NL[has]}.",
        )


_NL = {"regression": "regressie", "classification": "classificatie"}


def outcome_fields(spec: FeatureSpec, task: str, classes: list[str], proba_row, out: float):
    """prediction, probabilities, score, flagged, threshold, explained class for one case."""
    if task == "regression":
        return {"prediction": float(out)}
    probs = dict(zip(classes, map(float, proba_row)))
    if task == "binary":
        flagged_class = str(spec.outcome.flagged_class)
        score = probs[flagged_class]
        flagged = score >= spec.outcome.threshold
        other = next(c for c in classes if c != flagged_class)
        return {"prediction": flagged_class if flagged else other, "probabilities": probs,
                "score": score, "flagged": bool(flagged), "threshold": spec.outcome.threshold,
                "explained_class": flagged_class}
    best = classes[int(np.argmax(proba_row))]
    return {"prediction": best, "probabilities": probs, "explained_class": best}


def outputs_of(spec: FeatureSpec, fields: dict) -> dict:
    """output name → value: a model has one output, its outcome."""
    name = spec.outcome.column or "outcome"
    return {name: fields["prediction"]}
