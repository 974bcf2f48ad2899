"""The record of one explained decision: JSON-serialisable and tied to the model version."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA = "stadsregister.explanation/1"


def plain(value: Any) -> Any:
    """numpy scalars and NaN → plain JSON values."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class Explanation:
    """Why the model gave this outcome for one case.

    ``base_value + sum(contributions.values()) == output_value`` (checked to 1e-6, relative to
    the output's size) on the explanation scale ``scale``: 'value' (the outcome's own unit),
    'probability' (of ``explained_class``) or 'log-odds' (of ``explained_class``).
    """

    model_sha256: str
    method: str
    settings: dict
    versions: dict
    task: str  # "regression" | "binary" | "multiclass"
    scale: str  # "value" | "probability" | "log-odds"
    inputs: dict
    base_value: float
    contributions: dict
    output_value: float
    prediction: Any
    explained_class: str | None = None
    probabilities: dict | None = None
    score: float | None = None  # probability of the flagged class (binary)
    flagged: bool | None = None
    threshold: float | None = None
    schema: str = field(default=SCHEMA)

    def to_dict(self) -> dict:
        # Shallow, not dataclasses.asdict: asdict deep-copies the shared settings/versions dicts for
        # every explanation, which dominated batch runs (100,000 receipts).
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["settings"], data["versions"] = dict(self.settings), dict(self.versions)
        data["inputs"] = {k: plain(v) for k, v in self.inputs.items()}
        data["contributions"] = {k: float(v) for k, v in self.contributions.items()}
        for key in ("base_value", "output_value", "score", "prediction"):
            data[key] = plain(data[key])
        if self.probabilities is not None:
            data["probabilities"] = {str(k): float(v) for k, v in self.probabilities.items()}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Explanation:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def ranked(self) -> list[tuple[str, float]]:
        """(feature, contribution) from largest to smallest absolute size; ties by name."""
        return sorted(self.contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))

    def additivity_gap(self) -> float:
        return abs(self.base_value + sum(self.contributions.values()) - self.output_value)

    def display(self) -> DisplayValues:
        """Contributions in the unit a resident reads (see ``display_values``)."""
        return display_values(self)


@dataclass(frozen=True)
class DisplayValues:
    """Contributions in reading units: the outcome's unit, or score points (0–100).

    ``unit`` is 'value', 'points', or 'relative' (multi-class: each contribution as a share of
    the total absolute contribution towards the predicted class). For binary log-odds models the exact log-odds contributions are
    rescaled in proportion so they add up to the change in score points.
    """

    unit: str
    base: float
    output: float
    contributions: dict


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def display_values(exp: Explanation) -> DisplayValues:
    if exp.task == "multiclass":
        total = sum(abs(v) for v in exp.contributions.values()) or 1.0
        return DisplayValues(
            "relative", 0.0, 1.0, {k: v / total for k, v in exp.contributions.items()}
        )
    if exp.scale == "value":
        return DisplayValues("value", exp.base_value, exp.output_value, dict(exp.contributions))
    if exp.scale == "probability":
        return DisplayValues(
            "points",
            100 * exp.base_value,
            100 * exp.output_value,
            {k: 100 * v for k, v in exp.contributions.items()},
        )
    if exp.task == "binary":
        p0, p1 = _sigmoid(exp.base_value), _sigmoid(exp.output_value)
        delta = exp.output_value - exp.base_value
        factor = (p1 - p0) / delta if abs(delta) > 1e-12 else p1 * (1 - p1)
        return DisplayValues(
            "points",
            100 * p0,
            100 * p1,
            {k: 100 * v * factor for k, v in exp.contributions.items()},
        )
    total = sum(abs(v) for v in exp.contributions.values()) or 1.0
    return DisplayValues("relative", 0.0, 1.0, {k: v / total for k, v in exp.contributions.items()})
