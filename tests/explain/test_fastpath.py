"""The shortcuts explanations take for speed give scikit-learn's own answers, to the last bit:
HistGradientBoosting's and GradientBoosting's trees and random forests walked directly (missing values and all, one
case, a few cases, many cases), linear models without scikit-learn's input checks, and a
logistic regression's exact Shapley values in closed form, equal to shap's Exact explainer."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge

from explain.fastpath import (
    MANY_ROWS,
    compile_forest,
    compile_gradient_boosting,
    compile_hist_boosting,
    compile_linear,
)

# one case (a page), a few (a counterfactual search's candidates), the most walked in numpy,
# and more than that (fairness tables, build checks), which go tree by tree
BATCHES = [1, 7, MANY_ROWS, MANY_ROWS + 1, None]


def _same_in_every_batch(predict, own, x) -> None:
    for size in BATCHES:
        part = x if size is None else x[:size]
        np.testing.assert_array_equal(predict(part), own(part), err_msg=f"{size} rows")


def _with_gaps(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """Every tenth value missing: the trees send a missing value the way they learnt."""
    x = x.astype(float).copy()
    x[np.random.default_rng(seed).random(x.shape) < 0.1] = np.nan
    return x


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_hist_boosting_regressor_walked_directly_predicts_what_scikit_learn_predicts(loss):
    x, y = load_diabetes(return_X_y=True)
    x = _with_gaps(x)
    model = HistGradientBoostingRegressor(loss=loss, max_iter=60, random_state=0).fit(x, y)
    predict = compile_hist_boosting(model)
    assert predict is not None
    _same_in_every_batch(predict, model.predict, x)


@pytest.mark.parametrize("classes", [2, 3])
def test_hist_boosting_classifier_walked_directly_gives_scikit_learns_chances(classes):
    x, y = load_breast_cancer(return_X_y=True)
    x = _with_gaps(x, seed=1)
    if classes == 3:
        y = np.digitize(x[:, 0], [12, 16])  # three size bands (missing sizes in the last)
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(x, y)
    predict = compile_hist_boosting(model)
    _same_in_every_batch(predict, model.predict_proba, x)


def test_hist_boosting_with_categorical_splits_is_left_to_scikit_learn():
    x, y = load_diabetes(return_X_y=True)
    x[:, 1] = (x[:, 1] > 0).astype(float)  # sex as a category
    model = HistGradientBoostingRegressor(categorical_features=[1], max_iter=10).fit(x, y)
    assert compile_hist_boosting(model) is None


@pytest.mark.parametrize("gaps", [False, True])
def test_random_forest_walked_directly_gives_scikit_learns_chances(gaps):
    x, y = load_breast_cancer(return_X_y=True)
    x = _with_gaps(x, seed=2) if gaps else x
    model = RandomForestClassifier(n_estimators=60, max_depth=None if gaps else 6, random_state=0).fit(x, y)
    predict = compile_forest(model)
    assert predict is not None
    _same_in_every_batch(predict, model.predict_proba, x)


def test_extra_trees_regressor_walked_directly_predicts_what_scikit_learn_predicts():
    x, y = load_diabetes(return_X_y=True)
    model = ExtraTreesRegressor(n_estimators=40, min_samples_leaf=2, random_state=0).fit(x, y)
    _same_in_every_batch(compile_forest(model), model.predict, x)


@pytest.mark.parametrize("make", [LinearRegression, lambda: Ridge(alpha=3.0)])
def test_linear_regressor_without_checks_predicts_what_scikit_learn_predicts(make):
    x, y = load_diabetes(return_X_y=True)
    model = make().fit(x, y)
    _same_in_every_batch(compile_linear(model), model.predict, x)


def test_yes_no_logistic_regression_without_checks_gives_scikit_learns_chances():
    x, y = load_breast_cancer(return_X_y=True)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    model = LogisticRegression(max_iter=2000).fit(x, y)
    _same_in_every_batch(compile_linear(model), model.predict_proba, x)


def test_three_class_logistic_regression_is_left_to_scikit_learn():
    x, y = load_breast_cancer(return_X_y=True)
    y = np.digitize(x[:, 0], [12, 16])
    model = LogisticRegression(max_iter=3000).fit((x - x.mean(axis=0)) / x.std(axis=0), y)
    assert compile_linear(model) is None


@pytest.mark.parametrize("loss", ["squared_error", "huber", "quantile"])
def test_gradient_boosting_regressor_walked_directly_predicts_what_scikit_learn_predicts(loss):
    x, y = load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(loss=loss, n_estimators=80, max_depth=4, random_state=0).fit(x, y)
    predict = compile_gradient_boosting(model)
    assert predict is not None
    _same_in_every_batch(predict, model.predict, x)


def test_yes_no_gradient_boosting_walked_directly_gives_scikit_learns_chances():
    x, y = load_breast_cancer(return_X_y=True)
    model = GradientBoostingClassifier(n_estimators=60, subsample=0.8, random_state=0).fit(x, y)
    _same_in_every_batch(compile_gradient_boosting(model), model.predict_proba, x)


def test_three_class_gradient_boosting_is_left_to_scikit_learn():
    x, _ = load_breast_cancer(return_X_y=True)
    y = np.digitize(x[:, 0], [12, 16])
    model = GradientBoostingClassifier(n_estimators=10, random_state=0).fit(x, y)
    assert compile_gradient_boosting(model) is None
