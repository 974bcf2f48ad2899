"""Exact interventional TreeSHAP for averaged tree ensembles, with the background folded in once.

shap's interventional TreeExplainer walks every tree once per background row for each case:
for a 200-tree random forest and 100 background rows that is about 10 ms a case, most of an
explanation page (issue 10). The background does not change between cases, so most of that
work can be done once.

The maths. For one tree, one case ``x`` and one background row ``z``, the interventional game is
``v(S) = tree(x on S, z elsewhere)``. A leaf ``l`` with value ``w`` is reached by the hybrid when,
for every feature ``j`` tested on the path to ``l``, the value used (``x_j`` if ``j`` in S, else
``z_j``) passes every test on ``j``. Call ``A`` the path features ``x`` passes and ``B`` those ``z``
passes. The leaf is reachable only when ``A ∪ B`` covers the path; features in both are free;
the ``a`` features only ``x`` passes must be in S and the ``b`` features only ``z`` passes must be
out. The Shapley values of that unanimity-style game are ``w·(a-1)!·b!/(a+b)!`` for each of the
``a`` features and ``-w·a!·(b-1)!/(a+b)!`` for each of the ``b`` features. A tree's values are
the sum over its leaves; an ensemble's the mean over trees and background rows.

``B`` depends only on the background, so per leaf the background rows are grouped once by their
``B`` (a bit mask over the path's features) with a count. A case then costs one pass over these
(leaf, mask, count) entries in numpy, whatever the number of background rows.

Only ensembles whose output is the mean of their trees' leaf values are handled here (scikit-learn's
random forests, extra trees and single decision trees, classifiers as class fractions and
regressors as values): that output needs no link function. The explainer checks the result against
shap's own interventional values at build time and uses it only when they agree.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from .fastpath import node_answers

AVERAGED = {
    "DecisionTreeClassifier", "ExtraTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier",
    "DecisionTreeRegressor", "ExtraTreeRegressor", "RandomForestRegressor", "ExtraTreesRegressor",
}
MAX_PATH_FEATURES = 16  # masks are held in int64 bit sets; deeper paths are left to shap
# leaves × background rows: above this the table (and its build in Python) outgrows shap's own
# walk; 200 trees of depth 8 against 100 rows are about 0.6 million
MAX_LEAF_ROWS = 4_000_000


class Unsupported(Exception):
    """The model or background is outside what this module computes; use shap."""


def _trees(model) -> list:
    name = type(model).__name__
    if name not in AVERAGED or getattr(model, "n_outputs_", 1) != 1:
        raise Unsupported(name)
    return [e.tree_ for e in model.estimators_] if hasattr(model, "estimators_") else [model.tree_]


def _leaf_values(tree, output: int | None) -> np.ndarray:
    """Each node's answer as the model's own predict gives it (class fraction or value)."""
    if output is None:
        return node_answers(tree, classifier=False)[:, 0]
    return node_answers(tree, classifier=True, n_classes=tree.value.shape[2])[:, output]


def _paths(tree):
    """Per leaf: (node id, [(feature, low, high)] for each distinct feature on its path), where
    a case passes the tests on that feature when ``low < value <= high``."""
    left, right = tree.children_left, tree.children_right
    feature, threshold = tree.feature, tree.threshold
    out = []
    stack = [(0, {})]
    while stack:
        node, bounds = stack.pop()
        if left[node] == -1:
            out.append((node, [(f, lo, hi) for f, (lo, hi) in sorted(bounds.items())]))
            continue
        f, t = int(feature[node]), float(threshold[node])
        lo, hi = bounds.get(f, (-np.inf, np.inf))
        stack.append((int(left[node]), {**bounds, f: (lo, min(hi, t))}))
        stack.append((int(right[node]), {**bounds, f: (max(lo, t), hi)}))
    return out


class InterventionalTrees:
    """``values(x)`` → (n, n_features) exact interventional SHAP values of the ensemble's output
    (``output`` = the class index whose fraction is explained, or None for a regressor) against
    ``background``; ``expected_value`` is the mean output over the background."""

    def __init__(self, model, background: np.ndarray, output: int | None = None):
        trees = _trees(model)
        background = np.asarray(background, dtype=np.float32).astype(np.float64)
        if np.isnan(background).any():
            raise Unsupported("missing values in the background")
        leaves = sum(int((tree.children_left == -1).sum()) for tree in trees)
        if leaves * len(background) > MAX_LEAF_ROWS:
            raise Unsupported(f"{leaves} leaves × {len(background)} background rows is too large a table")
        self.n_features = background.shape[1]
        n_bg, n_trees = len(background), len(trees)
        slot_leaf, slot_feature, slot_lo, slot_hi, slot_bit = [], [], [], [], []
        entry_leaf, entry_mask, entry_weight = [], [], []
        full, width = [], []
        leaf_no = 0
        expected = 0.0
        for tree in trees:
            values = _leaf_values(tree, output)
            for node, tests in _paths(tree):
                k = len(tests)
                if k > MAX_PATH_FEATURES:
                    raise Unsupported("path too long")
                mask = np.zeros(n_bg, dtype=np.int64)
                for bit, (f, lo, hi) in enumerate(tests):
                    slot_leaf.append(leaf_no)
                    slot_feature.append(f)
                    slot_lo.append(lo)
                    slot_hi.append(hi)
                    slot_bit.append(bit)
                    col = background[:, f]
                    mask |= ((col > lo) & (col <= hi)).astype(np.int64) << bit
                masks, counts = np.unique(mask, return_counts=True)
                weight = values[node] * counts / (n_bg * n_trees)
                entry_leaf.extend([leaf_no] * len(masks))
                entry_mask.extend(masks.tolist())
                entry_weight.extend(weight.tolist())
                all_bits = (1 << k) - 1
                expected += float(weight[masks == all_bits].sum())
                full.append(all_bits)
                width.append(k)
                leaf_no += 1
        self.expected_value = expected
        self.slot_leaf = np.asarray(slot_leaf, dtype=np.int64)
        self.slot_feature = np.asarray(slot_feature, dtype=np.int64)
        self.slot_lo = np.asarray(slot_lo, dtype=float)
        self.slot_hi = np.asarray(slot_hi, dtype=float)
        self.slot_value = np.left_shift(1, np.asarray(slot_bit, dtype=np.int64))
        self.n_leaves = leaf_no
        self.full = np.asarray(full, dtype=np.int64)
        self.entry_leaf = np.asarray(entry_leaf, dtype=np.int64)
        self.entry_mask = np.asarray(entry_mask, dtype=np.int64)
        self.entry_weight = np.asarray(entry_weight, dtype=float)
        kmax = max(width) if width else 0
        # each leaf's path features in bit order, padded with a column past the last feature
        self.leaf_features = np.full((leaf_no, max(kmax, 1)), self.n_features, dtype=np.int64)
        order = np.lexsort((np.asarray(slot_bit), self.slot_leaf))
        self.leaf_features[self.slot_leaf[order], np.asarray(slot_bit, dtype=np.int64)[order]] = (
            self.slot_feature[order]
        )
        self.bits = np.left_shift(1, np.arange(max(kmax, 1), dtype=np.int64))
        # Shapley weights for a features only x passes and b only z passes
        size = kmax + 1
        self.w_x = np.zeros((size, size))
        self.w_z = np.zeros((size, size))
        for a in range(size):
            for b in range(size):
                if a:
                    self.w_x[a, b] = factorial(a - 1) * factorial(b) / factorial(a + b)
                if b:
                    self.w_z[a, b] = factorial(a) * factorial(b - 1) / factorial(a + b)

    @staticmethod
    def _popcount(v: np.ndarray) -> np.ndarray:
        return np.bitwise_count(v.astype(np.uint64)).astype(np.int64)

    def _one(self, x: np.ndarray) -> np.ndarray:
        passes = (x[self.slot_feature] > self.slot_lo) & (x[self.slot_feature] <= self.slot_hi)
        a_mask = np.bincount(self.slot_leaf, weights=passes * self.slot_value, minlength=self.n_leaves)
        a_mask = a_mask.astype(np.int64)
        a = a_mask[self.entry_leaf]
        b = self.entry_mask
        keep = (a | b) == self.full[self.entry_leaf]
        a, b, leaf, weight = a[keep], b[keep], self.entry_leaf[keep], self.entry_weight[keep]
        x_only, z_only = a & ~b, b & ~a
        n_x, n_z = self._popcount(x_only), self._popcount(z_only)
        plus = weight * self.w_x[n_x, n_z]
        minus = weight * self.w_z[n_x, n_z]
        share = (((x_only[:, None] & self.bits) != 0) * plus[:, None]
                 - ((z_only[:, None] & self.bits) != 0) * minus[:, None])
        phi = np.bincount(self.leaf_features[leaf].ravel(), weights=share.ravel(),
                          minlength=self.n_features + 1)
        return phi[: self.n_features]

    def values(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32).astype(np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected rows of {self.n_features} columns")
        if np.isnan(x).any():
            raise Unsupported("missing values in a case")
        return np.stack([self._one(row) for row in x]) if len(x) else np.zeros((0, self.n_features))
