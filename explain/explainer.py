"""Build once per model version, then explain single cases or batches.

Methods, chosen by the model's final estimator and the task:

* ``tree``: exact TreeSHAP (``shap.TreeExplainer``) for tree ensembles, also at the end of a
  Pipeline. Yes/no models are explained on the probability scale the resident reads
  (interventional, ``model_output="probability"``, against a sample of the reference data);
  regression and multi-class models on the model's raw output (path-dependent).
* ``linear``: exact linear SHAP, ``coef · (x − mean of the reference data)``, for linear
  regression (and multi-class logistic regression, on the log-odds scale).
* ``exact``: ``shap.explainers.Exact`` over the original inputs against a sample of the
  reference data, for every other model where the number of inputs makes it affordable
  (yes/no models: the predicted probability of the flagged class).
* ``permutation``: ``shap.PermutationExplainer`` over the original inputs, a sampled
  *estimate*; its error against an exact (or much longer) computation is measured by
  ``measure_accuracy`` at registration and printed with every explanation.

Yes/no models are always explained as a chance: ``base_value`` is the average predicted
chance over the background rows, each contribution is in probability, and
``base_value + sum(contributions) == score``.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._version import __version__
from .errors import AdditivityError, ExplainerError, InputError
from .explanation import Explanation
from .fastpath import (
    FORESTS,
    compile_forest,
    compile_gradient_boosting,
    compile_hist_boosting,
    compile_linear,
    compile_preprocessor,
)
from .inputs import check_reference
from .intake import LoadedModel, model_bytes
from .mapping import column_sources, grouping_matrix, verify_grouping
from .spec import FeatureSpec

TREE_MODELS = {
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
}
LOGIT_TREES = {"GradientBoostingClassifier", "HistGradientBoostingClassifier"}
LINEAR_MODELS = {"LinearRegression", "Ridge", "Lasso", "ElasticNet", "LogisticRegression"}
TOLERANCE = 1e-6
EXACT_BUDGET = 2**10 * 100  # model evaluations per explained case: coalitions × background rows
METHODS = {"auto", "tree", "linear", "exact", "permutation"}
_BACKUP_LOCK = threading.Lock()
_SHAP_LOCK = threading.Lock()  # shap's samplers use numpy's global RNG and shared buffers
_HEAVY_LOCK = threading.Lock()
# What a lite explainer's pickle keeps apart, read on first use: scikit-learn's and shap's objects
# and the reference data (pandas).
_HEAVY = ("model", "pre", "final", "estimator", "tree", "shap", "reference", "predict_fast")


def _installed(module: str, distribution: str) -> str:
    """A library's version without importing it: the imported module's own if it is loaded
    already, else the installed distribution's (importing shap alone takes seconds)."""
    loaded = sys.modules.get(module)
    if loaded is not None and getattr(loaded, "__version__", None):
        return loaded.__version__
    from importlib.metadata import version

    return version(distribution)


def library_versions() -> dict:
    return {
        "explain": __version__,
        "shap": _installed("shap", "shap"),
        "scikit-learn": _installed("sklearn", "scikit-learn"),
        "numpy": np.__version__,
    }


def _as_float32(z: np.ndarray) -> np.ndarray:
    """scikit-learn's trees compare float32 inputs; shap compares float64. Rounding to float32
    first makes both take the same branch for values next to a split."""
    return np.asarray(z, dtype=np.float32).astype(np.float64)


def _dense(z) -> np.ndarray:
    return np.asarray(z.toarray() if hasattr(z, "toarray") else z, dtype=float)


class Explainer:
    """Explains one model version. Build with ``Explainer.build``; safe to share read-only."""

    def __init__(self, **state: Any):
        self.__dict__.update(state)

    @classmethod
    def build(
        cls,
        model: LoadedModel | Any,
        spec: FeatureSpec,
        reference,
        *,
        method: str = "auto",
        background_size: int = 100,
        permutations: int = 10,
        seed: int = 0,
    ) -> Explainer:
        """Prepare the explainer for ``model`` (a ``LoadedModel`` or a fitted estimator)."""
        from sklearn.pipeline import Pipeline

        if not isinstance(model, LoadedModel):
            data = model_bytes(model)
            model = LoadedModel(model, hashlib.sha256(data).hexdigest(), "", len(data))
        est = model.estimator
        reference = spec.coerce_frame(reference)
        names_in = [str(n) for n in getattr(est, "feature_names_in_", spec.names)]
        if sorted(names_in) != sorted(spec.names):
            missing = sorted(set(names_in) - set(spec.names))
            extra = sorted(set(spec.names) - set(names_in))
            raise ExplainerError(
                "spec_mismatch",
                f"Spec and model disagree: model needs {missing}, spec adds {extra}.",
                f"Specificatie en model verschillen: model mist {missing}, specificatie heeft extra {extra}.",
            )
        task = _task(est, spec)
        pre, final = (est[:-1], est.steps[-1][1]) if isinstance(est, Pipeline) else (None, est)
        kind = type(final).__name__
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}: use {', '.join(sorted(METHODS))}")
        affordable = 2 ** len(spec.names) * min(background_size, len(reference)) <= EXACT_BUDGET
        auto = method == "auto"
        if auto:
            method = _choose(kind, task, affordable)
        classes = [str(c) for c in getattr(est, "classes_", [])]
        self = cls(
            model=model,
            spec=spec,
            task=task,
            method=method,
            classes=classes,
            pre=pre,
            final=final,
            estimator=est,
            names=spec.names,
            names_in=names_in,
            fast=None,
            predict_fast=None,  # set by _prepare_predict once verified
            additive=None,  # set by _prepare_additive once verified
            folded=None,  # set by _prepare_folded once verified
            tree_lite=None,  # these three by _prepare_lite, once verified
            predict_lite=None,
            lite=False,
            model_sha256=model.sha256,
            versions={**library_versions(), "model_saved_with": dict(model.saved_with)},
        )
        settings = {"method": method, "additivity_tolerance": TOLERANCE, "reference_rows": len(reference)}
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(reference), size=min(background_size, len(reference)), replace=False))
        self.background_index = take  # which reference rows the interventional methods average over
        self._prepare_transform(reference, settings)
        self._prepare_predict(reference, settings)
        if method == "tree":
            try:
                self._prepare_columns(reference)
                self._prepare_tree(kind, reference.iloc[take], settings)
                self._check_sample(reference.iloc[take[:20]])
            except Exception as exc:  # shap cannot read (or add up) every tree model exactly
                if not auto:
                    raise
                method = self.method = settings["method"] = "exact" if affordable else "permutation"
                settings["fallback_reason"] = f"tree explainer unavailable: {exc}"
        if method == "linear":
            self._prepare_columns(reference)
            self._prepare_linear(reference, settings)
        elif method in {"exact", "permutation"}:
            self._prepare_sampled(reference.iloc[take], method, permutations, seed, settings)
            if method == "exact":
                self._prepare_additive(reference, settings)
        self.reference = reference
        self.settings = settings
        self._prepare_lite(reference)
        return self

    # -- pickling (a snapshot of a built explainer) ---------------------------------------------
    def __getstate__(self) -> dict:
        """Everything but the compiled forest predictors (they call scikit-learn's own routines and
        are compiled again on loading, from the same fitted estimator with the same code).

        An explainer that explains without scikit-learn and shap (``lite``: its replays were
        checked at build time) keeps their objects, the model and the reference data in a pickle of
        their own inside, read only when something needs them (a counterfactual, the charts), so a
        process that only explains cases never imports those libraries. Whoever stores the bytes
        must authenticate them: pickle runs code when it loads."""
        state = dict(self.__dict__)
        state.pop("_backup_explainer", None)  # built again on first need
        if "_heavy" in state:  # loaded from such a pickle and never needed the rest: written as it came
            return state
        state["predict_fast"] = state.get("predict_fast") is not None
        if state.get("lite"):
            if state.pop("shap", None) is not None:  # it calls back into this explainer: made again
                state["_shap_again"] = True
            heavy = {name: state.pop(name) for name in _HEAVY if name in state}
            state["_heavy"] = pickle.dumps(heavy, protocol=pickle.HIGHEST_PROTOCOL)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if "_heavy" not in state:
            self._compile_predict_fast(state["predict_fast"])

    def __getattr__(self, name: str):
        # Called only for an attribute that is not set: the part of a lite pickle not read yet.
        if name in _HEAVY and "_heavy" in self.__dict__:
            self._load_heavy()
            if name in self.__dict__:
                return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _load_heavy(self) -> None:
        with _HEAVY_LOCK:
            blob = self.__dict__.get("_heavy")
            if blob is None:
                return
            heavy = pickle.loads(blob)
            flag = heavy.pop("predict_fast")
            self.__dict__.update(heavy)
            self._compile_predict_fast(flag)
            if self.__dict__.pop("_shap_again", False):
                self._make_shap(self.method)
            del self.__dict__["_heavy"]

    def _compile_predict_fast(self, verified: bool) -> None:
        self.predict_fast = None
        if verified:
            self.predict_fast = self._compile_predictor()
            if self.predict_fast is None:
                raise ExplainerError("snapshot", "The stored explainer's fast path cannot be compiled again.",
                                     "Het snelle pad van de opgeslagen uitlegger kan niet opnieuw worden opgebouwd.")

    def _prepare_lite(self, reference) -> None:
        """Replays of shap's TreeSHAP and of the model's prediction without shap or scikit-learn
        (``lite``), kept only when they return exactly what shap and scikit-learn return on
        reference rows; ``lite`` says that explaining a case needs nothing else."""
        self.tree_lite = self.predict_lite = None
        self.lite = False
        if self.pre is not None and self.fast is None:
            return
        if self.additive is not None:
            self.lite = True  # the closed form is numpy only
            return
        if self.method != "tree" or self.scale == "log-odds":
            return
        from .lite import ForestReplay, GradientBoostingReplay, TreeShapReplay

        cols = self._columns(reference.sample(min(len(reference), 10), random_state=2))
        z = self._transform(cols)
        zt = _as_float32(z) if self.scale == "probability" and self.task == "binary" else z
        try:
            tree = TreeShapReplay(self.tree)
            same = np.array_equal(tree.shap_values(zt),
                                  np.asarray(self.tree.shap_values(zt, check_additivity=False)))
            if self.predict_fast is not None and type(self.final).__name__ in FORESTS:
                predict = ForestReplay(self.final)
            elif type(self.final).__name__ == "GradientBoostingRegressor":
                predict = GradientBoostingReplay(self.final)
            else:
                return
            own = self._predictor()(z)
            same = same and np.array_equal(predict(z), own)
        except (ValueError, TypeError, AttributeError, ImportError, IndexError):
            return
        if same:
            self.tree_lite, self.predict_lite, self.lite = tree, predict, True

    def _predictor(self):
        """``predict`` (regression) or ``predict_proba``: the verified fast path, else scikit-learn's
        own; while an explainer loaded lite has not read scikit-learn's objects, the replay that
        returns the same numbers."""
        if self.predict_lite is not None and "_heavy" in self.__dict__:
            return self.predict_lite
        if self.predict_fast is not None:
            return self.predict_fast
        return self.final.predict if self.task == "regression" else self.final.predict_proba

    # -- preparation ----------------------------------------------------------------------
    def _columns(self, frame) -> dict:
        return {n: frame[n].to_numpy() for n in self.names}

    def _frame_of(self, cols: dict):
        import pandas as pd

        return pd.DataFrame(cols, columns=self.names_in)

    def _transform(self, cols: dict) -> np.ndarray:
        if self.fast is not None:
            return self.fast(cols)
        if self.pre is None:
            return np.column_stack([np.asarray(cols[n], dtype=float) for n in self.names_in])
        return _dense(self.pre.transform(self._frame_of(cols)))

    def _prepare_transform(self, reference, settings: dict) -> None:
        """Use a verified numpy replay of the preprocessing where one exists (much faster)."""
        settings["preprocessing"] = "none" if self.pre is None else "scikit-learn"
        if self.pre is None:
            return
        fast = compile_preprocessor(self.pre, self.names_in)
        if fast is None:
            return
        cols = self._columns(reference.sample(min(len(reference), 200), random_state=0))
        expected = self._transform(cols)
        try:
            same = np.allclose(fast(cols), expected, rtol=0, atol=1e-12, equal_nan=True)
        except Exception:  # noqa: BLE001 — a replay that cannot even run is simply not used
            same = False
        if same:
            self.fast = fast
            settings["preprocessing"] = "numpy replay of scikit-learn (verified)"

    def _compile_predictor(self):
        """The direct predictor for this model, if there is one (at build, and again when a pickled
        explainer is loaded: compiled predictors are functions, which pickle cannot write)."""
        return (compile_forest(self.final) or compile_gradient_boosting(self.final)
                or compile_hist_boosting(self.final) or compile_linear(self.final))

    def _prepare_predict(self, reference, settings: dict) -> None:
        """A verified direct predictor (forests, boosting, linear models) for the many
        predictions counterfactuals need."""
        fast = self._compile_predictor()
        if fast is None:
            return
        try:
            z = self._transform(self._columns(reference))
            own = self.final.predict(z) if self.task == "regression" else self.final.predict_proba(z)
            same = np.allclose(fast(z), own, rtol=0, atol=1e-12)
        except Exception:  # noqa: BLE001 — not used when it cannot even run
            same = False
        if same:
            self.predict_fast = fast
            settings["prediction"] = "compiled for single cases (verified against scikit-learn)"

    def _prepare_columns(self, reference) -> None:
        """Which encoded columns come from which input, checked by changing inputs one by one."""
        if self.pre is None:
            self.group = grouping_matrix([[n] for n in self.names_in], self.names)
            return
        sample = reference.sample(min(len(reference), 200), random_state=0)
        self.group = grouping_matrix(column_sources(self.pre, self.names_in), self.names)
        verify_grouping(
            self.pre, sample, self.group, self.names, lambda f: self._transform(self._columns(f))
        )

    def _prepare_tree(self, kind: str, background, settings: dict) -> None:
        import shap

        if self.task == "binary":
            z = _as_float32(self._transform(self._columns(background)))
            self.tree = shap.TreeExplainer(
                self.final, z, feature_perturbation="interventional", model_output="probability"
            )
            self.scale = "probability"
            settings.update(
                feature_perturbation="interventional",
                model_output="probability",
                background_size=len(z),
            )
            self._prepare_folded(kind, z, settings)
            return
        self.tree = shap.TreeExplainer(self.final, feature_perturbation="tree_path_dependent")
        self.scale = (
            "value"
            if self.task == "regression"
            else ("log-odds" if kind in LOGIT_TREES else "probability")
        )
        settings.update(feature_perturbation="tree_path_dependent", model_output="raw")

    def _prepare_folded(self, kind: str, z: np.ndarray, settings: dict) -> None:
        """For averaged tree ensembles: the same interventional values with the background folded
        in once (explain.treeshap), used only after it matches shap's exact explainer on this
        model (or, for too many columns to enumerate, shap's tree explainer)."""
        from .treeshap import AVERAGED, InterventionalTrees, Unsupported

        if kind not in AVERAGED:
            return
        import shap

        output = 1  # the chance of classes_[1], as shap's probability output gives it
        try:
            folded = InterventionalTrees(self.final, z, output=output)
            cases, small = z[-3:], z[: min(len(z), 8)]
            mine = InterventionalTrees(self.final, small, output=output).values(cases)
            if 2 ** z.shape[1] * len(small) <= EXACT_BUDGET:
                predict = self.predict_fast or self._unnamed_predict_proba
                exact = shap.explainers.Exact(lambda rows: np.asarray(predict(rows))[:, output],
                                              shap.maskers.Independent(small, max_samples=len(small)))
                theirs = np.asarray(exact(cases, silent=True).values, dtype=float)
                judge = "shap Exact"
            else:
                tree = shap.TreeExplainer(self.final, small, feature_perturbation="interventional",
                                          model_output="probability")
                theirs = np.asarray(tree.shap_values(cases, check_additivity=False), dtype=float)
                theirs = theirs[..., output] if theirs.ndim == 3 else theirs
                judge = "shap's tree explainer"
        except (Unsupported, ValueError, TypeError, IndexError):
            return
        if np.allclose(mine, theirs, rtol=0, atol=1e-9) and np.isclose(
            folded.expected_value, float(np.atleast_1d(self.tree.expected_value)[-1]), rtol=0, atol=1e-9
        ):
            self.folded = folded
            settings["tree_solver"] = f"background folded into the trees once (verified against {judge})"

    def _unnamed_predict_proba(self, rows: np.ndarray) -> np.ndarray:
        """The final step's chances for encoded rows given without column names (as shap does)."""
        import warnings

        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
            return self.final.predict_proba(rows)

    def _check_sample(self, frame) -> None:
        """Refuse a method whose contributions do not add up on reference rows (then we fall
        back to the exact explainer rather than print a number that is off)."""
        cols = self._columns(frame)
        base, phi, out, _proba, _idx = self._select(cols, len(frame))
        self._check(base, phi, out)

    def _prepare_linear(self, reference, settings: dict) -> None:
        z = self._transform(self._columns(reference))
        self.mean_z = z.mean(axis=0)
        self.coef = np.atleast_2d(np.asarray(self.final.coef_, dtype=float))
        self.intercept = np.atleast_1d(np.asarray(self.final.intercept_, dtype=float))
        self.scale = "value" if self.task == "regression" else "log-odds"
        settings.update(feature_perturbation="interventional", background="reference mean")

    def _prepare_sampled(self, background, method, permutations, seed, settings):
        """shap's Exact (all coalitions) or Permutation (sampled) explainer over the inputs."""
        self.background = self._encode(self._columns(background))
        self.scale = "value" if self.task == "regression" else "probability"
        self.seed = seed
        settings.update(background_size=len(self.background), seed=seed)
        if method == "exact":
            settings.update(feature_perturbation="interventional", coalitions=2 ** len(self.names))
        else:
            self.max_evals = permutations * (2 * len(self.names) + 1)
            settings.update(permutations=permutations, max_evals=self.max_evals)
        self._make_shap(method)
        with _SHAP_LOCK:  # compile shap's numba kernels now, not in a resident's request
            self._shap_values(self.background[:1])

    def _make_shap(self, method: str) -> None:
        import shap

        masker = shap.maskers.Independent(self.background, max_samples=len(self.background))
        if method == "exact":
            self.shap = shap.explainers.Exact(self._coded_output, masker)
        else:
            self.shap = shap.PermutationExplainer(self._coded_output, masker, seed=self.seed)

    def _prepare_additive(self, reference, settings: dict) -> None:
        """Shap's exact values in closed form for a yes/no linear model (see ``additive``); used
        only when they equal shap's own ``Exact`` explainer on reference rows."""
        coef = getattr(self.final, "coef_", None)
        if self.task != "binary" or coef is None or np.ndim(coef) != 2 or len(coef) != 1 \
                or not hasattr(self.final, "decision_function"):
            return
        from scipy.special import expit

        from .additive import AdditiveLogit

        try:
            self._prepare_columns(reference)
            self.weights = np.asarray(coef, dtype=float)[0]
            self.offset = float(np.atleast_1d(self.final.intercept_)[0])
            sample = self._columns(reference.sample(min(len(reference), 200), random_state=1))
            z = self._transform(sample)
            same_link = np.allclose(expit(self.offset + self._terms(sample).sum(axis=1)),
                                    self.final.predict_proba(z)[:, 1], rtol=0, atol=1e-12)
            if not same_link:
                return
            additive = AdditiveLogit(self._terms(self._decode_columns(self.background)), self.offset)
            check = self.background[:5]
            with _SHAP_LOCK:
                res = self._shap_values(check)
            base, phi, _out = additive.values(self._terms(self._decode_columns(check)))
            # the closed form gives the chance of classes_[1], shap's second output
            same = (np.allclose(np.asarray(res.values)[:, :, 1], phi, rtol=0, atol=1e-9)
                    and np.allclose(np.asarray(res.base_values)[:, 1], base, rtol=0, atol=1e-9))
        except (ExplainerError, ValueError, TypeError, IndexError):
            return
        if same:
            self.additive = additive
            settings["exact_solver"] = "closed form for a sum of log-odds terms (verified against shap Exact)"

    def _terms(self, cols: dict) -> np.ndarray:
        """Each input's share of the log-odds, per case (n, F)."""
        return (self._transform(cols) * self.weights) @ self.group

    # -- encoding for the model-agnostic path ----------------------------------------------
    def _encode(self, cols: dict) -> np.ndarray:
        out = []
        for feat in self.spec.features:
            col = cols[feat.name]
            if feat.kind == "category":
                index = {v: i for i, v in enumerate(feat.category_values())}
                out.append(np.array([index.get(v, np.nan) for v in col], dtype=float))
            else:
                out.append(np.asarray(col, dtype=float))
        return np.column_stack(out)

    def _decode_columns(self, codes: np.ndarray) -> dict:
        cols = {}
        for j, feat in enumerate(self.spec.features):
            col = codes[:, j]
            if feat.kind == "category":
                values = np.asarray([*feat.category_values(), None], dtype=object)
                cols[feat.name] = values[np.where(np.isnan(col), -1, col).astype(int)]
            elif feat.kind == "yes_no":
                cols[feat.name] = col.astype(np.int64)
            else:
                cols[feat.name] = col
        return cols

    def _coded_output(self, codes: np.ndarray) -> np.ndarray:
        cols = self._decode_columns(np.asarray(codes, dtype=float))
        if self.fast is None and self.pre is None:
            data, est = self._frame_of(cols), self.estimator
        else:
            data, est = self._transform(cols), self.final
        fast = self.predict_fast if est is self.final else None
        if self.task == "regression":
            return np.asarray((fast or est.predict)(data), dtype=float)
        return np.asarray((fast or est.predict_proba)(data), dtype=float)

    def _shap_values(self, codes: np.ndarray):
        if self.method == "exact":
            return self.shap(codes, silent=True)
        np.random.seed(self.seed)  # shap samples permutations from numpy's global generator:
        # seeding each call makes the same case always get the same estimate (under _SHAP_LOCK)
        return self.shap(codes, max_evals=self.max_evals, silent=True)

    # -- core ------------------------------------------------------------------------------
    def _raw(self, cols: dict, n: int):
        """(base (n,K), phi (n,F,K), model output (n,K), probabilities or None)."""
        if self.additive is not None:
            chance_base, chance_phi, chance = self.additive.values(self._terms(cols))
            base = np.stack([1.0 - chance_base, chance_base], axis=1)
            phi = np.stack([-chance_phi, chance_phi], axis=2)
            out = np.stack([1.0 - chance, chance], axis=1)
            return base, phi, out, out
        if self.method in {"exact", "permutation"}:
            codes = self._encode(cols)
            with _SHAP_LOCK:
                res = self._shap_values(codes)
            phi = np.asarray(res.values, dtype=float)
            phi = phi[..., None] if phi.ndim == 2 else phi
            base = np.asarray(res.base_values, dtype=float).reshape(n, -1)
            out = self._coded_output(codes).reshape(n, -1)
            proba = out if self.task != "regression" else None
            return base, phi, out, proba
        z = self._transform(cols)
        if self.method == "tree":
            zt = _as_float32(z) if self.scale == "probability" and self.task == "binary" else z
            folded = self.folded
            if folded is not None and not np.isnan(zt).any():
                phi_z, base = folded.values(zt), np.array([folded.expected_value])
            else:
                # in chunks: shap shows a progress bar on stderr for long interventional calls
                tree = self.tree_lite  # shap's own routine on shap's own arrays (checked equal at build)
                values = tree.shap_values if tree is not None else \
                    (lambda x: self.tree.shap_values(x, check_additivity=False))
                phi_z = np.concatenate([
                    np.asarray(values(zt[i : i + 25]), dtype=float)
                    for i in range(0, len(zt), 25)
                ])
                base = np.atleast_1d(np.asarray((tree or self.tree).expected_value, dtype=float))
            if self.scale == "probability" and self.task == "binary" and phi_z.ndim == 2:
                # one probability output (classes_[1]); classes_[0] is its complement
                phi_z = np.stack([-phi_z, phi_z], axis=2)
                base = np.array([1.0 - base[0], base[0]])
        else:
            phi_z = (z - self.mean_z)[:, :, None] * self.coef.T[None, :, :]
            base = self.intercept + self.coef @ self.mean_z
        phi_z = phi_z[..., None] if phi_z.ndim == 2 else phi_z
        phi = np.einsum("nmk,mf->nfk", phi_z, self.group)
        base = np.broadcast_to(base, (n, base.shape[0]))
        if self.task == "regression":
            out = np.asarray(self._predictor()(z), dtype=float).reshape(n, -1)
            return base, phi, out, None
        proba = np.asarray(self._predictor()(z), dtype=float)
        if self.scale == "log-odds":
            out = np.asarray(self.final.decision_function(z), dtype=float).reshape(n, -1)
        else:
            out = proba
        return base, phi, out, proba

    def _select(self, cols: dict, n: int):
        """Reduce to the explained output per row: (base, phi, out, proba, class index)."""
        base, phi, out, proba = self._raw(cols, n)
        if self.task == "regression":
            return base[:, 0], phi[:, :, 0], out[:, 0], None, None
        if self.task == "binary":
            idx = self.classes.index(str(self.spec.outcome.flagged_class))
            cls_idx = np.full(n, idx)
            if phi.shape[2] == 1:  # one log-odds output, for classes_[1]
                sign = 1.0 if idx == 1 else -1.0
                return sign * base[:, 0], sign * phi[:, :, 0], sign * out[:, 0], proba, cls_idx
        else:
            cls_idx = np.argmax(proba, axis=1)
        rows = np.arange(n)
        return base[rows, cls_idx], phi[rows, :, cls_idx], out[rows, cls_idx], proba, cls_idx

    def _check(self, base, phi, out) -> None:
        gap = np.abs(base + phi.sum(axis=1) - out)
        limit = TOLERANCE * np.maximum(1.0, np.abs(out))
        if np.any(gap > limit):
            worst = float(gap.max())
            raise AdditivityError(
                "additivity",
                f"Contributions do not add up to the model output (gap {worst:.3g}).",
                f"De bijdragen tellen niet op tot de uitkomst van het model (verschil {worst:.3g}).",
            )

    def _frame(self, rows, validate: bool):
        pandas = sys.modules.get("pandas")  # not imported: then ``rows`` cannot be a DataFrame
        if pandas is not None and isinstance(rows, pandas.DataFrame):
            frame = self.spec.coerce_frame(rows)
            if validate:
                problems = check_reference(
                    self.spec.__class__(features=self.spec.features, outcome=self.spec.outcome),
                    frame,
                    outcome=False,  # cases to explain carry no known outcome
                )
                if problems:
                    raise InputError({"rows": "; ".join(problems)})
            return self._columns(frame), frame.to_dict("records")
        clean_rows = []
        for row in rows:
            if validate:
                clean, errors = self.spec.validate_inputs(row, "en")
                if errors:
                    raise InputError(errors)
                row = clean
            clean_rows.append(dict(row))
        return self.spec.to_columns(clean_rows), clean_rows

    def explain(self, row: Mapping[str, Any], *, validate: bool = True) -> Explanation:
        """Explain one case given as a mapping of feature name → value (strings accepted)."""
        return self.explain_many([row], validate=validate)[0]

    def explain_many(
        self, rows: Iterable[Mapping[str, Any]] | Any, *, validate: bool = True
    ) -> list[Explanation]:
        """Explain many cases in one vectorised pass (a DataFrame or a list of mappings)."""
        if not hasattr(rows, "columns"):
            rows = list(rows)
        cols, clean_rows = self._frame(rows, validate)
        if len(clean_rows) == 0:
            return []
        base, phi, out, proba, cls_idx = self._select(cols, len(clean_rows))
        try:
            self._check(base, phi, out)
        except AdditivityError:
            if self.method != "tree" or self.task != "binary":
                raise
            # a case where shap's tree values do not add up: explain that case (only that one)
            # with shap's exact explainer or the measured estimate, named as such, rather than
            # show a wrong sum
            off = np.abs(base + phi.sum(axis=1) - out) > TOLERANCE * np.maximum(1.0, np.abs(out))
            redone = iter(self._backup().explain_many([r for r, bad in zip(clean_rows, off) if bad],
                                                      validate=False))
            fine = [i for i, bad in enumerate(off) if not bad]
            kept = iter(self._explained(clean_rows, fine, base, phi, out, proba, cls_idx))
            return [next(redone) if bad else next(kept) for bad in off]
        return self._explained(clean_rows, range(len(clean_rows)), base, phi, out, proba, cls_idx)

    def _explained(self, clean_rows, which, base, phi, out, proba, cls_idx) -> list[Explanation]:
        """The explanations of rows ``which`` (indices into the arrays)."""
        outcome = self.spec.outcome
        results = []
        for i in which:
            inputs = clean_rows[i]
            probs = score = flagged = explained = None
            if self.task == "regression":
                prediction: Any = float(out[i])
            else:
                probs = dict(zip(self.classes, map(float, proba[i])))
                explained = self.classes[cls_idx[i]]
                if self.task == "binary":
                    score = probs[str(outcome.flagged_class)]
                    flagged = score >= outcome.threshold
                    other = next(c for c in self.classes if c != str(outcome.flagged_class))
                    prediction = str(outcome.flagged_class) if flagged else other
                else:
                    prediction = explained
            results.append(
                Explanation(
                    model_sha256=self.model_sha256,
                    method=self.method,
                    settings=self.settings,
                    versions=self.versions,
                    task=self.task,
                    scale=self.scale,
                    inputs=inputs,
                    base_value=float(base[i]),
                    contributions=dict(zip(self.names, map(float, phi[i]))),
                    output_value=float(out[i]),
                    prediction=prediction,
                    explained_class=explained,
                    probabilities=probs,
                    score=score,
                    flagged=flagged,
                    threshold=outcome.threshold if self.task == "binary" else None,
                )
            )
        return results

    def _backup(self) -> Explainer:
        with _BACKUP_LOCK:
            if getattr(self, "_backup_explainer", None) is None:
                affordable = 2 ** len(self.names) * len(self.background_index) <= EXACT_BUDGET
                self._backup_explainer = Explainer.build(
                    self.model, self.spec, self.reference,
                    method="exact" if affordable else "permutation",
                    background_size=len(self.background_index),
                )
        return self._backup_explainer

    def outcome_values(self, data) -> np.ndarray:
        """Model outcome per case (a frame or named columns): value, flagged score or class."""
        cols = self._columns(self.spec.coerce_frame(data)) if hasattr(data, "columns") else data
        if self.fast is None and self.pre is None and self.method in {"exact", "permutation"}:
            frame = self._frame_of(cols)
            predict, predict_proba = self.estimator.predict, self.estimator.predict_proba
        else:
            frame = self._transform(cols)
            predict = self.predict_fast or self.final.predict
            predict_proba = self.predict_fast or getattr(self.final, "predict_proba", None)
        if self.task == "regression":
            return np.asarray(predict(frame), dtype=float)
        proba = np.asarray(predict_proba(frame), dtype=float)
        if self.task == "binary":
            return proba[:, self.classes.index(str(self.spec.outcome.flagged_class))]
        return np.asarray(self.classes, dtype=object)[np.argmax(proba, axis=1)]


def _task(est, spec: FeatureSpec) -> str:
    is_classifier = hasattr(est, "classes_") and hasattr(est, "predict_proba")
    if spec.outcome.kind == "regression":
        if is_classifier:
            raise ExplainerError(
                "task_mismatch",
                "The spec says regression but the model classifies.",
                "De specificatie noemt regressie, maar het model classificeert.",
            )
        return "regression"
    if not is_classifier:
        raise ExplainerError(
            "task_mismatch",
            "The spec says classification but the model has no predict_proba.",
            "De specificatie noemt classificatie, maar het model "
            "geeft geen kansen (predict_proba).",
        )
    model_classes = sorted(str(c) for c in est.classes_)
    spec_classes = sorted(c.value for c in spec.outcome.classes)
    if model_classes != spec_classes:
        raise ExplainerError(
            "class_mismatch",
            f"Model classes {model_classes} differ from spec classes {spec_classes}.",
            f"Klassen van het model {model_classes} wijken af van de specificatie {spec_classes}.",
        )
    return "binary" if len(model_classes) == 2 else "multiclass"


def _choose(kind: str, task: str, affordable: bool) -> str:
    """The method for a final estimator: exact wherever shap can do it, else a sampled estimate."""
    if kind in TREE_MODELS:
        return "tree"
    if kind in LINEAR_MODELS and task != "binary":  # linear SHAP is exact on the model's own scale
        return "linear"
    return "exact" if affordable else "permutation"
