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


# Each step is a small class of numpy arrays (no closures, no scikit-learn objects), so a built
# explainer's replay pickles into a snapshot and runs where scikit-learn is not even imported.


class _OneHot:
    def __init__(self, plan: list[np.ndarray]):
        self.plan = plan

    def __call__(self, cols):
        out = []
        for col, keep in zip(cols, self.plan):
            col = np.asarray(col, dtype=object)
            out.extend((col == c).astype(float) for c in keep)
        return out


class _AsFloat:
    def __call__(self, cols):
        return [np.asarray(c, dtype=float) for c in cols]


class _Impute:
    def __init__(self, stats: np.ndarray):
        self.stats = stats

    def __call__(self, cols):
        return [np.where(np.isnan(c := np.asarray(x, dtype=float)), s, c) for x, s in zip(cols, self.stats)]


class _Scale:
    def __init__(self, mean, scale):
        self.mean, self.scale = mean, scale

    def __call__(self, cols):
        return [(np.asarray(x, dtype=float) - m) / s for x, m, s in zip(cols, self.mean, self.scale)]


class _Function:
    def __init__(self, func):
        self.func = func

    def __call__(self, cols):
        return [self.func(np.asarray(c, dtype=float)) for c in cols]


class _MinMax:
    def __init__(self, scale, minimum):
        self.scale, self.minimum = scale, minimum

    def __call__(self, cols):
        return [np.asarray(x, dtype=float) * s + m for x, s, m in zip(cols, self.scale, self.minimum)]


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
    return _OneHot(plan)


def _leaf(step, n_in: int) -> Step:
    name = type(step).__name__
    if step == "passthrough" or step is None:
        return _AsFloat()
    if name == "OneHotEncoder":
        return _onehot(step, n_in)
    if name == "SimpleImputer":
        if step.add_indicator or len(step.statistics_) != n_in:
            raise Unsupported
        return _Impute(np.asarray(step.statistics_, dtype=float))
    if name == "StandardScaler":
        mean = step.mean_ if step.with_mean else np.zeros(n_in)
        scale = step.scale_ if step.with_std else np.ones(n_in)
        return _Scale(np.array(mean), np.array(scale))
    if name == "FunctionTransformer" and step.inverse_func is None and not step.kw_args:
        func = step.func
        if func is None:
            return _AsFloat()
        if func in (np.log1p, np.expm1, np.log, np.exp, np.sqrt, np.square):
            return _Function(func)
    if name == "MinMaxScaler" and not step.clip:
        return _MinMax(np.array(step.scale_), np.array(step.min_))
    raise Unsupported


class _Chain:
    def __init__(self, first, rest):
        self.first, self.rest = first, rest

    def __call__(self, cols: Columns):
        out = self.first(cols)
        for fn in self.rest:
            out = fn(out)
        return out


class _Concat:
    def __init__(self, parts):
        self.parts = parts

    def __call__(self, cols: Columns):
        out = []
        for _, fn in self.parts:
            out.extend(fn(cols))
        return out


class _Select:
    def __init__(self, fn, names: list[str]):
        self.fn, self.names = fn, list(names)

    def __call__(self, cols: Columns):
        return self.fn([cols[n] for n in self.names])


def _compile(step, names: list[str]) -> Callable[[Columns], list[np.ndarray]]:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    if isinstance(step, Pipeline):
        first = _compile(step.steps[0][1], names)
        rest = [
            _leaf(s, 0 if s in (None, "passthrough") else s.n_features_in_)
            for _, s in step.steps[1:]
        ]
        return _Chain(first, rest)
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
        return _Concat(parts)
    return _Select(_leaf(step, len(names)), names)


class _Preprocessor:
    def __init__(self, run):
        self.run = run

    def __call__(self, cols: Columns) -> np.ndarray:
        return np.column_stack(self.run(cols)) if cols else np.empty((0, 0))


def compile_preprocessor(pre, names: list[str]) -> Callable[[Columns], np.ndarray] | None:
    """A function from named columns to the encoded matrix, or None when not supported."""
    try:
        run = _compile(pre, names)
    except (Unsupported, AttributeError, TypeError, KeyError):
        return None
    return _Preprocessor(run)


MANY_ROWS = 48  # above this, numpy's gathers over (rows × trees) cost more than a call per tree
FORESTS = {"RandomForestClassifier", "ExtraTreesClassifier", "RandomForestRegressor", "ExtraTreesRegressor"}


def node_answers(tree, classifier: bool, n_classes: int = 1) -> np.ndarray:
    """Each node's answer as ``DecisionTree*.predict*`` gives it: class fractions (nodes × classes)
    for a classifier, values (nodes × 1) for a regressor."""
    if not classifier:
        return np.asarray(tree.value[:, 0, :1], dtype=np.float64)
    value = np.asarray(tree.value[:, 0, :n_classes], dtype=np.float64)
    norm = value.sum(axis=1, keepdims=True)
    norm[norm == 0.0] = 1.0
    return value / norm


class ForestReplay:
    """A random forest's ``predict_proba`` (classifiers) or ``predict`` (regressors) in numpy only:
    the trees are laid end to end in one table of nodes and every (case, tree) pair steps down one
    level per numpy operation, taking the branch scikit-learn takes (the input rounded to float32,
    ``value <= threshold`` goes left, a missing value goes where the tree learnt to send it); the
    leaves' answers are added tree by tree and divided, as scikit-learn does, so the bits are the
    same. Plain arrays: it pickles and runs where scikit-learn is not imported (explain.lite)."""

    def __init__(self, final):
        if type(final).__name__ not in FORESTS or getattr(final, "n_outputs_", 1) != 1:
            raise ValueError("only single-output random forests and extra trees are replayed")
        self.classifier = type(final).__name__.endswith("Classifier")
        n_classes = int(getattr(final, "n_classes_", 1))
        trees = [estimator.tree_ for estimator in final.estimators_]
        self.walk, self.root = _NodeWalk.of(trees)
        self.table = np.concatenate([node_answers(tree, self.classifier, n_classes) for tree in trees])

    def finish(self, total: np.ndarray) -> np.ndarray:
        out = total / len(self.root)
        return out if self.classifier else out[:, 0]

    def __call__(self, z: np.ndarray) -> np.ndarray:
        node = self.walk(np.asarray(z, dtype=np.float32).astype(np.float64))
        # added tree by tree, left to right, then divided: scikit-learn's order, so its rounding
        return self.finish(np.cumsum(self.table[node], axis=1)[:, -1])


def compile_forest(final) -> Callable[[np.ndarray], np.ndarray] | None:
    """``predict_proba`` (classifiers) or ``predict`` (regressors) of a fitted random forest:
    ``ForestReplay`` for a few cases, each tree's own compiled ``apply`` for many.

    scikit-learn validates the input again for every tree, which for a 200-tree forest costs
    tens of milliseconds even for one row; counterfactual searches and fairness figures call
    it often. The explainer uses this only after checking it equals scikit-learn's own answer.
    """
    try:
        replay = ForestReplay(final)
    except ValueError:
        return None
    trees = [e.tree_ for e in final.estimators_]

    def run(z: np.ndarray) -> np.ndarray:
        x32 = np.ascontiguousarray(z, dtype=np.float32)
        if len(x32) <= MANY_ROWS:
            return replay(x32)
        total = None  # many rows: each tree's own compiled walk is quicker
        for tree, start in zip(trees, replay.root):
            value = replay.table[tree.apply(x32) + start]
            total = value.copy() if total is None else total + value
        return replay.finish(total)

    return run


GRADIENT_BOOSTING = {"GradientBoostingClassifier", "GradientBoostingRegressor"}


class GradientBoostingReplay:
    """A single-output GradientBoosting model's raw prediction in numpy only: the initial
    prediction plus each stage's tree value times the learning rate, added stage by stage as
    scikit-learn's ``predict_stages`` does (so the bits are the same), every (case, stage) pair
    walked at once (``_NodeWalk``). Plain arrays: it pickles and runs where scikit-learn is not
    imported (explain.lite)."""

    def __init__(self, final):
        if type(final).__name__ not in GRADIENT_BOOSTING or getattr(final, "estimators_", None) is None \
                or final.estimators_.shape[1] != 1 or getattr(final, "init_", None) == "zero":
            raise ValueError("only single-output GradientBoosting models with an initial estimator are replayed")
        try:
            init = np.asarray(final._raw_predict_init(np.zeros((2, final.n_features_in_), dtype=np.float32)),
                              dtype=np.float64)
        except Exception as error:  # an initial estimator that needs real cases
            raise ValueError("the initial prediction depends on the case") from error
        if init.shape[1] != 1 or init[0, 0] != init[1, 0]:
            raise ValueError("the initial prediction depends on the case")
        self.start, scale = float(init[0, 0]), float(final.learning_rate)
        trees = [stage.tree_ for stage in final.estimators_[:, 0]]
        self.walk, _roots = _NodeWalk.of(trees)
        self.table = np.concatenate([scale * np.asarray(tree.value[:, 0, 0], dtype=np.float64) for tree in trees])

    def __call__(self, z: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(z, dtype=np.float32).astype(np.float64)
        steps = self.table[self.walk(x)]
        # the initial value first, then each stage in turn: scikit-learn's order, so its rounding
        return np.cumsum(np.column_stack([np.full(len(x), self.start), steps]), axis=1)[:, -1]


def compile_gradient_boosting(final) -> Callable[[np.ndarray], np.ndarray] | None:
    """``predict`` (regressors) or ``predict_proba`` (yes/no classifiers) of a fitted
    GradientBoosting model: ``GradientBoostingReplay`` for a few cases, scikit-learn's own compiled
    routine for many. scikit-learn validates the input on every call, which costs more than the
    trees themselves for one row. Used only after checking it equals scikit-learn's answer
    (``Explainer._prepare_predict``)."""
    try:
        replay = GradientBoostingReplay(final)
    except ValueError:
        return None

    def raw(z: np.ndarray) -> np.ndarray:
        if len(z) > MANY_ROWS:
            return np.asarray(final._raw_predict(np.ascontiguousarray(z, dtype=np.float32)), dtype=np.float64)[:, 0]
        return replay(z)

    if type(final).__name__ == "GradientBoostingRegressor":
        return raw
    if len(getattr(final, "classes_", ())) != 2:
        return None
    from scipy.special import expit

    def proba(z: np.ndarray) -> np.ndarray:
        chance = expit(raw(z))
        return np.stack([1 - chance, chance], axis=1)

    return proba


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
    walk = _walk_hist_trees(trees, per_class)

    def raw(z: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(z, dtype=np.float64)
        if walk is not None and len(x) <= MANY_ROWS:
            return walk(x, baseline)
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


def _walk_hist_trees(trees, per_class: int) -> Callable[[np.ndarray], np.ndarray] | None:
    """All HistGradientBoosting trees walked at once in numpy (numeric splits only), as
    scikit-learn's predictor does for each row: a missing value goes where the tree learnt to
    send it, else ``value <= threshold`` goes left. Returns the raw predictions: the baseline
    plus each class's leaf values, added one by one in scikit-learn's order (same rounding)."""
    lefts, rights, features, thresholds, missing_left, values, roots, classes = [], [], [], [], [], [], [], []
    offset, depth = 0, 0
    for iteration in trees:
        for k, (nodes, _bitsets) in enumerate(iteration):
            if nodes["is_categorical"].any():
                return None
            leaf = nodes["is_leaf"].astype(bool)
            own = np.arange(len(nodes)) + offset
            lefts.append(np.where(leaf, own, nodes["left"].astype(np.int64) + offset))
            rights.append(np.where(leaf, own, nodes["right"].astype(np.int64) + offset))
            features.append(np.where(leaf, 0, nodes["feature_idx"]))
            thresholds.append(np.where(leaf, np.inf, nodes["num_threshold"]))
            missing_left.append(nodes["missing_go_to_left"].astype(bool))
            values.append(np.where(leaf, nodes["value"], 0.0))
            roots.append(offset)
            classes.append(k)
            offset += len(nodes)
            depth = max(depth, int(nodes["depth"].max()))
    walk = _NodeWalk(lefts, rights, features, thresholds, missing_left, roots, depth)
    table = np.concatenate(values)
    tree_class = np.asarray(classes)
    of_class = [tree_class == k for k in range(per_class)]

    def run(x: np.ndarray, baseline: np.ndarray) -> np.ndarray:
        leaf_values = table[walk(x)]
        start = np.empty((len(x), 1))
        out = []
        for k, mask in enumerate(of_class):  # cumsum adds left to right, as the loop in sklearn
            start[:] = baseline[k]
            out.append(np.cumsum(np.concatenate([start, leaf_values[:, mask]], axis=1), axis=1)[:, -1])
        return np.stack(out, axis=1)

    return run


LINEAR_REGRESSORS = {"LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet",
                     "ElasticNetCV", "BayesianRidge", "HuberRegressor", "LassoLars", "Lars"}


def compile_linear(final) -> Callable[[np.ndarray], np.ndarray] | None:
    """``predict`` of a fitted linear regressor, or ``predict_proba`` of a yes/no logistic
    regression, as the same numpy arithmetic scikit-learn does, without its per-call input
    checks (about 0.7 ms a call; a counterfactual search predicts several times a case). The
    explainer uses this only after checking it equals scikit-learn's own answer."""
    from scipy.special import expit

    name = type(final).__name__
    coef = getattr(final, "coef_", None)
    if coef is None:
        return None
    coef, intercept = np.asarray(coef, dtype=float), np.asarray(final.intercept_, dtype=float)
    if name in LINEAR_REGRESSORS and coef.ndim == 1:
        return lambda z: np.asarray(z, dtype=float) @ coef + intercept
    if name == "LogisticRegression" and len(final.classes_) == 2:
        weights = coef.T

        def proba(z: np.ndarray) -> np.ndarray:
            score = (np.asarray(z, dtype=float) @ weights + intercept).reshape(-1)
            chance = expit(score)
            return np.stack([1 - chance, chance], axis=1)

        return proba
    return None


class _NodeWalk:
    """Many trees laid end to end in one node table, walked for every (case, tree) pair at
    once: one level per round of numpy gathers. A leaf points to itself, so walking past it
    changes nothing; ``value <= threshold`` goes left, a missing value where the tree sends it."""

    def __init__(self, lefts, rights, features, thresholds, missing_left, roots, depth: int):
        self.child = np.stack([np.concatenate(lefts), np.concatenate(rights)], axis=1).ravel()
        self.feature = np.concatenate(features).astype(np.int64)
        self.threshold = np.concatenate(thresholds).astype(np.float64)
        self.missing_right = ~np.concatenate(missing_left).astype(bool)
        self.root = np.asarray(roots, dtype=np.int64)
        self.depth = depth

    @classmethod
    def of(cls, trees) -> tuple[_NodeWalk, np.ndarray]:
        """The walk over scikit-learn trees (``estimator.tree_``) and each tree's root in its table."""
        lefts, rights, features, thresholds, missing_left, roots = [], [], [], [], [], []
        offset, depth = 0, 0
        for tree in trees:
            leaf = tree.children_left == -1
            own = np.arange(tree.node_count) + offset
            lefts.append(np.where(leaf, own, tree.children_left + offset))  # a leaf points to itself
            rights.append(np.where(leaf, own, tree.children_right + offset))
            features.append(np.where(leaf, 0, tree.feature))
            thresholds.append(np.where(leaf, np.inf, tree.threshold))
            gone = getattr(tree, "missing_go_to_left", None)
            missing_left.append(np.zeros(tree.node_count, bool) if gone is None else np.asarray(gone, bool))
            roots.append(offset)
            offset += tree.node_count
            depth = max(depth, int(tree.max_depth))
        return cls(lefts, rights, features, thresholds, missing_left, roots, depth), np.asarray(roots)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Leaf node ids (n cases × trees) for float64 cases ``x``."""
        n, width = x.shape
        flat = np.ascontiguousarray(x).ravel()
        start = (np.arange(n, dtype=np.int64) * width)[:, None]
        gaps = bool(np.isnan(flat).any())
        node = np.repeat(self.root[None, :], n, axis=0)
        for _ in range(self.depth):
            value = flat[start + self.feature[node]]
            go_right = ~(value <= self.threshold[node])
            if gaps:  # NaN compares False: send it where the tree learnt to
                go_right &= ~np.isnan(value) | self.missing_right[node]
            node = self.child[2 * node + go_right]
        return node
