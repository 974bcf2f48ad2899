"""Fixtures: the committed sample models, and small models made here for edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explain import Explainer, load_model, load_reference, load_spec, parse_spec
from sample_models import artefact_paths


class Sample:
    def __init__(self, name: str):
        self.name = name
        self.paths = artefact_paths(name)
        self.model = load_model(self.paths["model"])
        self.spec = load_spec(self.paths["spec"])
        self.reference = load_reference(self.paths["reference"], self.spec)
        self.explainer = Explainer.build(self.model, self.spec, self.reference)

    def row(self, i: int = 0) -> dict:
        return self.reference[self.spec.names].iloc[i].to_dict()


_CACHE: dict[str, Sample] = {}


@pytest.fixture(scope="session")
def sample():
    def get(name: str) -> Sample:
        if name not in _CACHE:
            _CACHE[name] = Sample(name)
        return _CACHE[name]

    return get


TOY_SPEC = {
    "spec_version": 1,
    "features": [
        {
            "name": "buurt",
            "label": {"nl": "Buurt", "en": "Neighbourhood"},
            "kind": "category",
            "categories": [{"value": v, "label": {"nl": v, "en": v}} for v in ["a", "b", "c", "d"]],
            "changeable": True,
        },
        {
            "name": "leeftijd",
            "label": {"nl": "Leeftijdsgroep", "en": "Age group"},
            "kind": "category",
            "protected": True,
            "categories": [{"value": v, "label": {"nl": v, "en": v}} for v in ["jong", "oud"]],
        },
        {
            "name": "x1",
            "label": {"nl": "Getal één", "en": "Number one"},
            "kind": "number",
            "min": 0,
            "max": 10,
            "changeable": True,
        },
        {
            "name": "x2",
            "label": {"nl": "Getal twee", "en": "Number two"},
            "kind": "number",
            "min": -5,
            "max": 5,
            "required": False,
        },
        {
            "name": "vlag",
            "label": {"nl": "Vlag", "en": "Flag"},
            "kind": "yes_no",
            "changeable": True,
        },
    ],
}


def toy_data(n: int = 600, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "buurt": rng.choice(list("abcd"), n),
            "leeftijd": rng.choice(["jong", "oud"], n),
            "x1": rng.uniform(0, 10, n),
            "x2": rng.uniform(-5, 5, n),
            "vlag": rng.integers(0, 2, n),
        }
    )
    df.loc[rng.random(n) < 0.05, "x2"] = np.nan
    score = (
        (df.x1 - 5) * 0.6
        + df.buurt.map({"a": 1, "b": 0, "c": -1, "d": 0.5})
        + df.vlag
        + np.nan_to_num(df.x2) * 0.3
        + (df.leeftijd == "oud") * 0.5
    )
    return df, score.to_numpy() + rng.normal(0, 0.3, n)


def toy_spec(kind: str, classes=None, **outcome):
    raw = dict(TOY_SPEC)
    if kind == "regression":
        raw["outcome"] = {
            "kind": "regression",
            "column": "y",
            "unit": "EUR",
            "round_to": 1,
            "label": {"nl": "het bedrag", "en": "the amount"},
            "short": {"nl": "het bedrag", "en": "the amount"},
        }
    else:
        raw["outcome"] = {
            "kind": "classification",
            "column": "y",
            "label": {"nl": "de score", "en": "the score"},
            "short": {"nl": "de score", "en": "the score"},
            "classes": [
                {"value": c, "label": {"nl": f"klasse {c}", "en": f"class {c}"}} for c in classes
            ],
            **outcome,
        }
    return parse_spec(raw)


def toy_pipeline(final):
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pre = ColumnTransformer(
        [
            (
                "oh",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ["buurt", "leeftijd"],
            ),
            ("num", Pipeline([("imp", SimpleImputer()), ("sc", StandardScaler())]), ["x1", "x2"]),
            ("pass", "passthrough", ["vlag"]),
        ]
    )
    return Pipeline([("pre", pre), ("model", final)])


@pytest.fixture(scope="session")
def toy_models():
    """Small fitted models on one-hot pipelines: regression, binary and multi-class."""
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        RandomForestClassifier,
    )
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neighbors import KNeighborsClassifier

    df, score = toy_data()
    y_bin = np.where(score > 0.5, "ja", "nee")
    y_multi = np.select([score < -0.5, score < 1.0], ["laag", "midden"], "hoog")
    reg, binary = (
        toy_spec("regression"),
        toy_spec("classification", ["nee", "ja"], flagged_class="ja", threshold=0.5),
    )
    multi = toy_spec("classification", ["laag", "midden", "hoog"])
    cases = {
        "gbr": (GradientBoostingRegressor(n_estimators=40, random_state=0), score, reg),
        "ridge": (Ridge(), score, reg),
        "gbc_binary": (GradientBoostingClassifier(n_estimators=40, random_state=0), y_bin, binary),
        "rf_binary": (
            RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
            y_bin,
            binary,
        ),
        "logit_binary": (LogisticRegression(max_iter=500), y_bin, binary),
        "gbc_multi": (GradientBoostingClassifier(n_estimators=30, random_state=0), y_multi, multi),
        "rf_multi": (
            RandomForestClassifier(n_estimators=30, max_depth=6, random_state=0),
            y_multi,
            multi,
        ),
        "logit_multi": (LogisticRegression(max_iter=500), y_multi, multi),
        "knn_binary": (KNeighborsClassifier(15), y_bin, binary),
    }
    out = {}
    for name, (final, y, spec) in cases.items():
        model = toy_pipeline(final).fit(df, y)
        ref = df.copy()
        ref["y"] = y
        out[name] = (model, spec, ref)
    return out


class _Toys:
    """Helpers for tests (import-mode=importlib: tests cannot import conftest directly)."""

    SPEC = TOY_SPEC
    spec = staticmethod(toy_spec)
    data = staticmethod(toy_data)
    pipeline = staticmethod(toy_pipeline)


@pytest.fixture(scope="session")
def toys():
    return _Toys
