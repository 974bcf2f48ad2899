"""Interventional TreeSHAP with the background folded in (explain.treeshap) gives the Shapley
values of the interventional game itself: checked against the definition — every coalition of
inputs, each filled in from every background row, run through scikit-learn's own ``predict`` —
on models trained on scikit-learn's data sets, deep trees with a feature split again and again
on one path included. And a yes/no forest explained through the Explainer agrees with shap's
Exact explainer called directly."""
from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pytest
import shap
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier

import explain
from explain.treeshap import InterventionalTrees, Unsupported


def _definition(output, x: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Shapley values of v(S) = mean over background rows z of output(x on S, z elsewhere)."""
    n = len(x)
    value = {}
    for size in range(n + 1):
        for team in combinations(range(n), size):
            hybrid = background.copy()
            hybrid[:, list(team)] = x[list(team)]
            value[frozenset(team)] = float(np.mean(output(hybrid)))
    phi = np.zeros(n)
    for j in range(n):
        for team, v in value.items():
            if j not in team:
                weight = factorial(len(team)) * factorial(n - len(team) - 1) / factorial(n)
                phi[j] += weight * (value[team | {j}] - v)
    return phi


def _f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def _cancer(columns: int = 7):
    x, y = load_breast_cancer(return_X_y=True)
    return _f32(x[:, :columns]), y


MODELS = {
    "random forest, yes/no": lambda: (RandomForestClassifier(n_estimators=40, max_depth=6, random_state=0), *_cancer()),
    "extra trees, yes/no": lambda: (ExtraTreesClassifier(n_estimators=25, random_state=0), *_cancer()),
    # grown to the end: one input is tested many times on the way to a leaf
    "deep decision tree, yes/no": lambda: (DecisionTreeClassifier(random_state=0), *_cancer()),
    "random forest, wine class 2 of 3": lambda: (RandomForestClassifier(n_estimators=20, random_state=1),
                                                 _f32(load_wine(return_X_y=True)[0][:, :6]), load_wine(return_X_y=True)[1]),
    "random forest regressor": lambda: (RandomForestRegressor(n_estimators=30, min_samples_leaf=3, random_state=0),
                                        _f32(load_diabetes(return_X_y=True)[0][:, :7]), load_diabetes(return_X_y=True)[1]),
    "extra trees regressor": lambda: (ExtraTreesRegressor(n_estimators=20, max_depth=7, random_state=0),
                                      _f32(load_diabetes(return_X_y=True)[0][:, :7]), load_diabetes(return_X_y=True)[1]),
}


@pytest.mark.parametrize("name", list(MODELS))
def test_values_are_the_interventional_shapley_values_by_definition(name):
    model, x, y = MODELS[name]()
    model.fit(x, y)
    rng = np.random.default_rng(7)
    background = x[rng.choice(len(x), 12, replace=False)]
    cases = x[rng.choice(len(x), 3, replace=False)]
    if hasattr(model, "predict_proba"):
        output = len(model.classes_) - 1

        def predict(rows):
            return model.predict_proba(rows)[:, output]
    else:
        output, predict = None, model.predict
    folded = InterventionalTrees(model, background, output=output)
    mine = folded.values(cases)
    for case, phi in zip(cases, mine):
        np.testing.assert_allclose(phi, _definition(predict, case, background), rtol=0, atol=1e-12)
    # the base is the average output over the background, and base + values is the case's output
    assert folded.expected_value == pytest.approx(float(np.mean(predict(background))), abs=1e-12)
    np.testing.assert_allclose(folded.expected_value + mine.sum(axis=1), predict(cases), rtol=0, atol=1e-12)


def test_values_add_up_for_every_reference_row_of_a_200_tree_forest():
    x, y = load_breast_cancer(return_X_y=True)
    x = _f32(x[:, :10])
    model = RandomForestClassifier(n_estimators=200, max_depth=8, random_state=0).fit(x, y)
    folded = InterventionalTrees(model, x[::6], output=1)
    phi = folded.values(x)
    np.testing.assert_allclose(folded.expected_value + phi.sum(axis=1), model.predict_proba(x)[:, 1],
                               rtol=0, atol=1e-12)


def test_a_forest_too_large_to_fold_is_left_to_shap(monkeypatch):
    from explain import treeshap

    x, y = _cancer()
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(x, y)
    leaves = sum(int((e.tree_.children_left == -1).sum()) for e in forest.estimators_)
    InterventionalTrees(forest, x[:20], output=1)  # within the limit
    monkeypatch.setattr(treeshap, "MAX_LEAF_ROWS", leaves * 20 - 1)
    with pytest.raises(Unsupported):
        InterventionalTrees(forest, x[:20], output=1)


def test_models_it_does_not_cover_are_left_to_shap():
    x, y = _cancer()
    boosted = HistGradientBoostingClassifier(max_iter=10).fit(x, y)
    with pytest.raises(Unsupported):
        InterventionalTrees(boosted, x[:10], output=1)
    forest = RandomForestClassifier(n_estimators=5, random_state=0).fit(x, y)
    gappy = x[:10].copy()
    gappy[0, 0] = np.nan
    with pytest.raises(Unsupported):
        InterventionalTrees(forest, gappy, output=1)


def test_a_yes_no_forest_is_explained_with_the_folded_values_and_they_equal_shap_exact(tmp_path):
    import pandas as pd

    from explain.reference import load_reference
    from explain.spec_draft import draft_spec

    data = load_breast_cancer(as_frame=True).frame
    columns = ["mean radius", "mean texture", "mean smoothness", "mean concavity", "worst radius",
               "worst texture", "worst concavity"]
    frame = data[columns + ["target"]].rename(columns=lambda c: c.replace(" ", "_"))
    frame["target"] = frame["target"].astype(str)
    features = frame.drop(columns="target")
    model = RandomForestClassifier(n_estimators=60, max_depth=7, random_state=0).fit(features, frame["target"])
    spec_data, _notes = draft_spec(model, frame, outcome_column="target")
    spec = explain.parse_spec(spec_data)
    path = tmp_path / "reference.csv"
    frame.to_csv(path, index=False)
    explainer = explain.Explainer.build(model, spec, load_reference(path, spec), background_size=40)
    assert "folded" in explainer.settings.get("tree_solver", "")

    background = _f32(features.iloc[explainer.background_index].to_numpy())
    flagged = explainer.classes.index(str(spec.outcome.flagged_class))

    def chance(rows):
        return model.predict_proba(pd.DataFrame(rows, columns=features.columns))[:, flagged]

    exact = shap.explainers.Exact(chance, shap.maskers.Independent(background, max_samples=len(background)))
    cases = features.sample(3, random_state=3)
    theirs = exact(_f32(cases.to_numpy()), silent=True)
    for (_i, row), phi, base in zip(cases.iterrows(), theirs.values, theirs.base_values):
        found = explainer.explain(row.to_dict())
        assert found.scale == "probability"
        mine = np.array([found.contributions[name] for name in spec.names])
        np.testing.assert_allclose(mine, phi, rtol=0, atol=1e-9)
        assert found.base_value == pytest.approx(float(base), abs=1e-9)
