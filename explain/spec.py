"""Feature specs: what each input means, its limits, and how the outcome is worded.

A spec is a JSON or YAML file beside the model. ``load_spec`` validates it against
``SPEC_SCHEMA`` and a set of consistency rules and lists every problem at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import fmt
from .errors import SpecError
from .spec_checks import schema_problem, semantic_problems
from .spec_schema import SPEC_SCHEMA

TRUE_WORDS = {"ja", "yes", "true", "1", "on", "y", "j", "waar"}
FALSE_WORDS = {"nee", "no", "false", "0", "off", "n", "onwaar"}


@dataclass(frozen=True)
class Category:
    value: str
    label: dict


@dataclass(frozen=True)
class Feature:
    name: str
    label: dict
    kind: str  # "number" | "category" | "yes_no"
    unit: str | dict | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    integer: bool = False
    grouping: bool = True
    decimals: int | None = None
    categories: tuple[Category, ...] = ()
    changeable: bool = False
    protected: bool = False
    required: bool = True
    phrase: dict | None = None
    help: dict | None = None

    def unit_for(self, locale: str = "nl") -> str | None:
        """The unit in ``locale``: units may be one string ('m²') or per language."""
        if isinstance(self.unit, dict):
            return self.unit[fmt.lang(locale)]
        return self.unit

    def category_values(self) -> list[str]:
        return [c.value for c in self.categories]

    def format_value(self, value: Any, locale: str = "nl") -> str:
        """The value as a resident reads it: '120 m²', 'Centrum', 'ja'."""
        lang = fmt.lang(locale)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "onbekend" if lang == "nl" else "unknown"
        if self.kind == "yes_no":
            return fmt.YES_NO[lang][0 if bool(value) else 1]
        if self.kind == "category":
            for cat in self.categories:
                if cat.value == str(value):
                    return cat.label[lang]
            return str(value)
        return fmt.quantity(
            float(value),
            self.unit_for(locale),
            locale,
            decimals=self.decimals,
            grouping=self.grouping,
        )


@dataclass(frozen=True)
class Outcome:
    kind: str  # "regression" | "classification"
    label: dict
    short: dict
    column: str | None = None
    unit: str | None = None
    round_to: float | None = None
    classes: tuple[Category, ...] = ()
    flagged_class: str | None = None
    threshold: float | None = None

    def class_label(self, value: Any, locale: str = "nl") -> str:
        for cls in self.classes:
            if cls.value == str(value):
                return cls.label[fmt.lang(locale)]
        return str(value)


def column(feat: Feature, values: list):
    """One input's values → the numpy column the fast path uses (numbers float with NaN for
    missing, yes/no 0/1, categories as text)."""
    import numpy as np

    if feat.kind == "number":
        return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    if feat.kind == "yes_no":
        return np.array([int(_as_bool(v)) for v in values], dtype=np.int64)
    return np.array([None if v is None else str(v) for v in values], dtype=object)


@dataclass(frozen=True)
class FeatureSpec:
    features: tuple[Feature, ...]
    outcome: Outcome
    fairness_attributes: tuple[Feature, ...] = ()
    model: str | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def feature(self, name: str) -> Feature:
        return self._by_name[name]  # a KeyError names an unknown input

    @cached_property
    def _by_name(self) -> dict[str, Feature]:
        found: dict[str, Feature] = {}
        for f in self.features + self.fairness_attributes:
            found.setdefault(f.name, f)  # the first of a name, as a search from the start finds it
        return found

    @property
    def protected_attributes(self) -> list[Feature]:
        """Protected input features plus attributes kept only for fairness checks."""
        return [f for f in self.features if f.protected] + list(self.fairness_attributes)

    def to_dict(self) -> dict:
        return dict(self.raw)

    def validate_inputs(self, values: Mapping[str, Any], locale: str = "nl"):
        """Parse form strings (or plain values) into clean values.

        Returns ``(clean, errors)``: ``clean`` maps every valid field to its value, ``errors``
        maps each invalid field to a short plain message in ``locale``. Numbers are read the
        way ``locale`` writes them ('1.250,5' in Dutch, '1,250.5' in English); a number whose
        Dutch and English readings both fit the field is refused naming both.
        """
        from .inputs import parse_value

        clean, errors = {}, {}
        for feat in self.features:
            value, error = parse_value(feat, values.get(feat.name), locale)
            if error:
                errors[feat.name] = error
            else:
                clean[feat.name] = value
        return clean, errors

    def to_frame(self, rows):
        """Rows of clean values → the DataFrame the model expects (column order, dtypes)."""
        import pandas as pd

        frame = pd.DataFrame(
            list(rows) if not isinstance(rows, pd.DataFrame) else rows, columns=self.names
        )
        return self.coerce_frame(frame)

    def to_columns(self, rows) -> dict:
        """Rows of clean values → named numpy columns (the fast path, no pandas)."""
        return {feat.name: column(feat, [row.get(feat.name) for row in rows]) for feat in self.features}

    def to_columns_varied(self, row: Mapping[str, Any], changes: list[Mapping[str, Any]]) -> dict:
        """``to_columns([{**row, **c} for c in changes])`` without building every row: the inputs
        no change touches are the row's own value repeated (counterfactual candidates, issue 10)."""
        import numpy as np

        one = self.to_columns([row])
        touched = {name for change in changes for name in change}
        cols = {name: np.repeat(values, len(changes)) for name, values in one.items() if name not in touched}
        for feat in self.features:
            if feat.name in touched:
                cols[feat.name] = column(feat, [c[feat.name] if feat.name in c else row.get(feat.name)
                                                for c in changes])
        return {feat.name: cols[feat.name] for feat in self.features}

    def coerce_frame(self, frame):
        import numpy as np

        frame = frame[self.names].copy()
        for feat in self.features:
            col = frame[feat.name]
            if feat.kind == "number":
                frame[feat.name] = col.astype(float)
            elif feat.kind == "yes_no":
                frame[feat.name] = col.map(_as_bool).astype(float).astype(np.int64)
            else:
                frame[feat.name] = (
                    col.astype(object)
                    .where(col.notna(), None)
                    .map(lambda v: None if v is None else str(v))
                )
        return frame


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in TRUE_WORDS
    return bool(value)


def _text(d: Mapping | None) -> dict | None:
    return dict(d) if d is not None else None


def _feature(d: Mapping) -> Feature:
    return Feature(
        name=d["name"],
        label=dict(d["label"]),
        kind=d.get("kind", "category"),
        unit=dict(d["unit"]) if isinstance(d.get("unit"), dict) else d.get("unit"),
        min=d.get("min"),
        max=d.get("max"),
        step=d.get("step"),
        integer=bool(d.get("integer", False)),
        grouping=bool(d.get("grouping", True)),
        decimals=d.get("decimals"),
        categories=tuple(
            Category(str(c["value"]), dict(c["label"])) for c in d.get("categories", [])
        ),
        changeable=bool(d.get("changeable", False)),
        protected=bool(d.get("protected", False)),
        required=bool(d.get("required", True)),
        phrase=_text(d.get("phrase")),
        help=_text(d.get("help")),
    )


def parse_spec(raw: Mapping, *, schema_checked: bool = False) -> FeatureSpec:
    """Validate a spec given as a dict; raise ``SpecError`` listing every problem.

    ``schema_checked=True`` is for a spec that passed this function before (one stored at
    registration): the JSON Schema pass, which needs ``jsonschema`` (a tenth of a second to
    import), is left out; the consistency rules are checked all the same."""
    raw = json.loads(json.dumps(raw))  # detach and normalise (YAML dates, tuples)
    if not schema_checked:
        import jsonschema

        validator = jsonschema.Draft202012Validator(SPEC_SCHEMA)
        problems = [
            schema_problem(err)
            for err in sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))
        ]
        if problems:
            raise SpecError(problems)
    problems = semantic_problems(raw)
    if problems:
        raise SpecError(problems)
    out = raw["outcome"]
    outcome = Outcome(
        kind=out["kind"],
        label=dict(out["label"]),
        short=dict(out["short"]),
        column=out.get("column"),
        unit=out.get("unit"),
        round_to=out.get("round_to"),
        classes=tuple(Category(str(c["value"]), dict(c["label"])) for c in out.get("classes", [])),
        flagged_class=out.get("flagged_class"),
        threshold=out.get("threshold"),
    )
    attrs = tuple(
        _feature({**a, "kind": "category", "protected": True})
        for a in raw.get("fairness_attributes", [])
    )
    return FeatureSpec(
        features=tuple(_feature(f) for f in raw["features"]),
        outcome=outcome,
        fairness_attributes=attrs,
        model=raw.get("model"),
        raw=raw,
    )


def load_yaml_plain(text: str):
    """YAML as plain data: ``safe_load`` without anchors and aliases.  A spec never needs them,
    and nine nested aliases ("a YAML bomb") make a few hundred bytes stand for billions of
    values once the spec is checked or stored."""
    import yaml

    class PlainLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "anchors and aliases (&, *) are not allowed in a spec",
                    event.start_mark)
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - a SafeLoader subclass


def load_spec(path: str | Path) -> FeatureSpec:
    """Read a ``.json``/``.yaml`` spec file and validate it (``SpecError`` on problems)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() in {".yaml", ".yml"}:
            raw = load_yaml_plain(text)
        else:
            raw = json.loads(text)
    except Exception as exc:  # noqa: BLE001
        raise SpecError([f"the file cannot be read as {path.suffix.lstrip('.')}: {exc}"]) from None
    if not isinstance(raw, dict):
        raise SpecError(["the file must contain one object with 'features' and 'outcome'"])
    return parse_spec(raw)
