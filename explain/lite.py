"""Replays of tree models and of shap's TreeSHAP that need neither scikit-learn nor shap at run time.

Importing scikit-learn and shap takes a process one and a half seconds or more (scikit-learn
brings scipy.stats, which rewrites hundreds of docstrings as it loads). A process that starts from
a stored explainer (the register's snapshots, issue 16) to explain a file of cases needs neither:

* ``TreeShapReplay`` calls shap's own compiled TreeSHAP routine (``shap._cext.dense_tree_shap``) with
  the very arrays shap's ``TreeExplainer`` prepared, loading the compiled module without shap's
  package (which imports scikit-learn, pandas, numba and more);
* ``GradientBoostingReplay`` and ``ForestReplay`` (from ``fastpath``) walk the fitted trees with numpy, in
  scikit-learn's order of additions, so they give the same bits.

Each is made from a built explainer's objects and used only after checking, on reference rows,
that it returns exactly (``np.array_equal``) what shap or scikit-learn returns; ``Explainer.build``
does that check and otherwise leaves it out.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import threading
from pathlib import Path

import numpy as np

from .fastpath import ForestReplay, GradientBoostingReplay  # noqa: F401 — the replays live with their fast path

_CEXT = None
_CEXT_LOCK = threading.Lock()


def shap_cext():
    """shap's compiled TreeSHAP module, without importing the shap package when it is not loaded."""
    global _CEXT
    if _CEXT is None:
        with _CEXT_LOCK:
            if _CEXT is None:
                loaded = sys.modules.get("shap._cext")
                if loaded is None:
                    spec = importlib.util.find_spec("shap")  # finds the package; does not import it
                    if spec is None or not spec.submodule_search_locations:
                        raise ImportError("shap is not installed")
                    folder = Path(next(iter(spec.submodule_search_locations)))
                    path = next((folder / f"_cext{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES
                                 if (folder / f"_cext{suffix}").is_file()), None)
                    if path is None:
                        raise ImportError("shap's compiled TreeSHAP module is missing")
                    loader = importlib.machinery.ExtensionFileLoader("shap._cext", str(path))
                    module_spec = importlib.util.spec_from_file_location("shap._cext", path, loader=loader)
                    loaded = importlib.util.module_from_spec(module_spec)
                    loader.exec_module(loaded)
                _CEXT = loaded
    return _CEXT


_TRANSFORMS = {"identity": 0, "logistic": 1}
_PERTURBATIONS = {"interventional": 0, "tree_path_dependent": 1}


class TreeShapReplay:
    """``TreeExplainer.shap_values(X, check_additivity=False)`` for a 2-d float matrix, without shap."""

    ARRAYS = ("children_left", "children_right", "children_default", "features", "thresholds",
              "threshold_types", "values", "node_sample_weight")

    def __init__(self, tree_explainer):
        model = tree_explainer.model
        if getattr(model, "model_type", None) != "internal" or model.model_output not in {"raw", "probability"}:
            raise ValueError("only scikit-learn trees with raw or probability output are replayed")
        transform = model.get_transform()
        if transform not in _TRANSFORMS or tree_explainer.feature_perturbation not in _PERTURBATIONS:
            raise ValueError("unsupported TreeSHAP settings")
        if tree_explainer.feature_perturbation == "tree_path_dependent" and not model.fully_defined_weighting:
            raise ValueError("the background does not cover every leaf")
        self.arrays = {name: getattr(model, name) for name in self.ARRAYS}
        self.max_depth = model.max_depth
        self.base_offset = model.base_offset
        self.num_outputs = model.num_outputs
        self.input_dtype = model.input_dtype
        limit = -1 if model.tree_limit is None else model.tree_limit
        self.tree_limit = model.values.shape[0] if limit < 0 or limit > model.values.shape[0] else limit
        self.data, self.data_missing = tree_explainer.data, tree_explainer.data_missing
        self.perturbation = _PERTURBATIONS[tree_explainer.feature_perturbation]
        self.transform = _TRANSFORMS[transform]
        self.expected_value = tree_explainer.expected_value

    def shap_values(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim != 2:
            raise ValueError("a 2-d matrix of cases is expected")
        if x.dtype != self.input_dtype:
            x = x.astype(self.input_dtype)
        missing = np.isnan(x, dtype=bool)
        phi = np.zeros((x.shape[0], x.shape[1] + 1, self.num_outputs))
        a = self.arrays
        shap_cext().dense_tree_shap(
            a["children_left"], a["children_right"], a["children_default"], a["features"], a["thresholds"],
            a["threshold_types"], a["values"], a["node_sample_weight"], self.max_depth, x, missing, None,
            self.data, self.data_missing, self.tree_limit, self.base_offset, phi, self.perturbation,
            self.transform, False)
        return phi[:, :-1, 0] if self.num_outputs == 1 else phi[:, :-1, :]


