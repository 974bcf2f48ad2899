"""A numpy-only copy of common preprocessing steps, for fast single-row explanations.

scikit-learn's ColumnTransformer spends milliseconds on pandas bookkeeping for one row. For
the usual building blocks (one-hot encoding, imputing, scaling, passthrough) we replay the
fitted parameters with numpy. ``compile_preprocessor`` returns None for anything else, and the
explainer only uses the compiled version after checking it gives the same matrix as sklearn
on the reference data.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Columns = dict  # column name → 1-d numpy array
Step = Callable[[list[np.ndarray]], list[np.ndarray]]


class Unsupported(Exception):
    pass


def _onehot(enc, n_in: int) -> Step:
    if getattr(enc, "_infrequent_enabled", False) or enc.handle_unknown != "ignore":
        raise Unsupported
    drop = getattr(enc, "drop_idx_", None)
    plan = []
    for i, cats in enumerate(enc.categories_):
        if any(c is None or (isinstance(c, float) and np.isnan(c)) for c in cats):
            raise Unsupported
        keep = [c for j, c in enumerate(cats) if drop is None or drop[i] is None or j != drop[i]]
        plan.append(np.asarray(keep, dtype=object))

    def run(cols):
        out = []
        for col, keep in zip(cols, plan):
            col = np.asarray(col, dtype=object)
            out.extend((col == c).astype(float) for c in keep)
        return out

    return run


def _leaf(step, n_in: int) -> Step:
    name = type(step).__name__
    if step == "passthrough" or step is None:
        return lambda cols: [np.asarray(c, dtype=float) for c in cols]
    if name == "OneHotEncoder":
        return _onehot(step, n_in)
    if name == "SimpleImputer":
        if step.add_indicator or len(step.statistics_) != n_in:
            raise Unsupported
        stats = np.asarray(step.statistics_, dtype=float)
        return lambda cols: [
            np.where(np.isnan(c := np.asarray(x, dtype=float)), s, c) for x, s in zip(cols, stats)
        ]
    if name == "StandardScaler":
        mean = step.mean_ if step.with_mean else np.zeros(n_in)
        scale = step.scale_ if step.with_std else np.ones(n_in)
        return lambda cols: [
            (np.asarray(x, dtype=float) - m) / s for x, m, s in zip(cols, mean, scale)
        ]
    if name == "FunctionTransformer" and step.inverse_func is None and not step.kw_args:
        func = step.func
        if func is None:
            return lambda cols: [np.asarray(c, dtype=float) for c in cols]
        if func in (np.log1p, np.expm1, np.log, np.exp, np.sqrt, np.square):
            return lambda cols: [func(np.asarray(c, dtype=float)) for c in cols]
    if name == "MinMaxScaler" and not step.clip:
        return lambda cols: [
            np.asarray(x, dtype=float) * s + m for x, s, m in zip(cols, step.scale_, step.min_)
        ]
    raise Unsupported


def _compile(step, names: list[str]) -> Callable[[Columns], list[np.ndarray]]:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if isinstance(step, Pipeline):
        first = _compile(step.steps[0][1], names)
        rest = [
            _leaf(s, 0 if s in (None, "passthrough") else s.n_features_in_)
            for _, s in step.steps[1:]
        ]

        def run_pipeline(cols: Columns):
            out = first(cols)
            for fn in rest:
                out = fn(out)
            return out

        return run_pipeline
    if isinstance(step, ColumnTransformer):
        from .mapping import _as_list

        parts = []
        for name, trans, cols in step.transformers_:
            sl = step.output_indices_[name]
            if trans == "drop" or sl.stop == sl.start:
                continue
            cols_in = _as_list(cols, names)
            parts.append((sl.start, _compile(trans, cols_in)))
        parts.sort(key=lambda p: p[0])

        def run_ct(cols: Columns):
            out = []
            for _, fn in parts:
                out.extend(fn(cols))
            return out

        return run_ct
    fn = _leaf(step, len(names))
    return lambda cols: fn([cols[n] for n in names])


def compile_preprocessor(pre, names: list[str]) -> Callable[[Columns], np.ndarray] | None:
    """A function from named columns to the encoded matrix, or None when not supported."""
    try:
        run = _compile(pre, names)
    except (Unsupported, AttributeError, TypeError, KeyError):
        return None
    return lambda cols: np.column_stack(run(cols)) if cols else np.empty((0, 0))


FORESTS = {"RandomForestClassifier", "ExtraTreesClassifier", "RandomForestRegressor", "ExtraTreesRegressor"}


def compile_forest(final) -> Callable[[np.ndarray], np.ndarray] | None:
    """``predict_proba`` (classifiers) or ``predict`` (regressors) of a fitted random forest,
    calling each tree's Cython ``predict`` directly.

    scikit-learn validates the input again for every tree, which for a 200-tree forest costs
    tens of milliseconds even for one row; counterfactual searches and fairness figures call
    it often. The explainer uses this only after checking it equals scikit-learn's own answer.
    """
    name = type(final).__name__
    if name not in FORESTS or getattr(final, "n_outputs_", 1) != 1:
        return None
    trees = [e.tree_ for e in final.estimators_]
    classifier = name.endswith("Classifier")
    n_classes = int(getattr(final, "n_classes_", 1))
    tables = []
    for tree in trees:  # each node's answer, normalised once as DecisionTree*.predict* does
        value = tree.value[:, 0, :n_classes] if classifier else tree.value[:, 0, 0]
        if classifier:
            norm = value.sum(axis=1, keepdims=True)
            norm[norm == 0.0] = 1.0
            value = value / norm
        tables.append(np.ascontiguousarray(value))

    def run(z: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(z, dtype=np.float32)
        total = None
        for tree, table in zip(trees, tables):
            value = table[tree.apply(x)]
            total = value.copy() if total is None else total + value
        return total / len(trees)

    return run


HIST_BOOSTING = {"HistGradientBoostingClassifier", "HistGradientBoostingRegressor"}


def compile_hist_boosting(final) -> Callable[[np.ndarray], np.ndarray] | None:
    """``predict_proba`` (classifiers) or ``predict`` (regressors) of a fitted
    HistGradientBoosting model, calling each tree's compiled predictor directly on one thread.

    scikit-learn's own ``predict`` spends about 20 µs of set-up per tree (checks, category
    tables rebuilt per call, an OpenMP region): 4–5 ms for one row of a 200-iteration model, and
    counterfactual searches predict several times a case. The same compiled routine gives the
    same numbers; the explainer uses this only after checking it equals scikit-learn's answer.
    """
    if type(final).__name__ not in HIST_BOOSTING or getattr(final, "_preprocessor", None) is not None:
        return None
    try:
        from sklearn.ensemble._hist_gradient_boosting._predictor import _predict_from_raw_data

        known, index = final._bin_mapper.make_known_categories_bitsets()
        trees = [[(p.nodes, p.raw_left_cat_bitsets) for p in iteration] for iteration in final._predictors]
        baseline = np.asarray(final._baseline_prediction, dtype=float).reshape(-1)
        loss = final._loss
    except (AttributeError, ImportError):
        return None
    per_class = len(baseline)

    def raw(z: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(z, dtype=np.float64)
        out = np.empty((len(x), per_class))
        out[:] = baseline
        leaf = np.empty(len(x))
        for iteration in trees:  # in scikit-learn's order: each tree's value added in turn
            for k, (nodes, bitsets) in enumerate(iteration):
                _predict_from_raw_data(nodes, x, bitsets, known, index, 1, leaf)
                out[:, k] += leaf
        return out

    if type(final).__name__.endswith("Classifier"):
        return lambda z: loss.predict_proba(raw(z))
    return lambda z: loss.link.inverse(raw(z).ravel())
