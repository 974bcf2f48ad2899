"""Bundled scikit-learn data sets as (frame, spec) pairs for the model-kind tests (no download)."""

from __future__ import annotations

import re

import pandas as pd
from sklearn import datasets

from explain import parse_spec


def _name(raw: str) -> str:
    return re.sub(r"\W+", "_", raw).strip("_")


def bundled(name: str, n_features: int | None = None) -> tuple[pd.DataFrame, object, str]:
    """(frame with the target as 'doel', spec, task) for a bundled data set."""
    loader = {"breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes,
              "wine": datasets.load_wine, "iris": datasets.load_iris}[name]
    data = loader(as_frame=True)
    frame = data.frame.rename(columns=_name)
    names = [_name(c) for c in data.feature_names][:n_features]
    frame = frame[names + ["target"]].rename(columns={"target": "doel"})
    features = [{"name": n, "label": {"nl": n, "en": n}, "kind": "number",
                 "min": float(frame[n].min()) - 1, "max": float(frame[n].max()) + 1}
                for n in names]
    if name == "diabetes":
        outcome = {"kind": "regression", "column": "doel", "label": {"nl": "ziekte", "en": "disease"},
                   "short": {"nl": "ziekte", "en": "disease"}}
        task = "regression"
    else:
        values = sorted(int(v) for v in frame["doel"].unique())
        outcome = {"kind": "classification", "column": "doel",
                   "label": {"nl": "klasse", "en": "class"}, "short": {"nl": "klasse", "en": "class"},
                   "classes": [{"value": str(v), "label": {"nl": f"klasse {v}", "en": f"class {v}"}}
                               for v in values]}
        task = "binary" if len(values) == 2 else "multiclass"
        if task == "binary":
            outcome.update(flagged_class="1", threshold=0.5)
    spec = parse_spec({"spec_version": 1, "features": features, "outcome": outcome})
    return frame, spec, task
