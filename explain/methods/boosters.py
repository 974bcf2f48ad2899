"""XGBoost and LightGBM models in their own safe formats, explained with exact TreeSHAP.

Accepted files: XGBoost JSON (``.json``) or UBJSON (``.ubj``) model files and LightGBM text
model files (``.txt``). Never pickle: a pickle renamed to one of these names is recognised by
its bytes and refused. A booster may stand alone (its inputs are the spec's inputs) or follow a
preprocessing step stored as ``.skops`` (a fitted ColumnTransformer or Pipeline without its final
estimator, loaded against the register's allowlist); the booster is trained on that step's
output columns, in order.

Yes/no models are explained on the probability scale the resident reads: interventional
``shap.TreeExplainer(model_output="probability")`` against a sample of the reference data, so
``base_value`` is the average chance over that background and base + Σ contributions = the chance
shown. Regression models are explained on their own value, multi-class models on the raw
softmax margin (log-odds) of the predicted class; both path-dependent. Encoded columns are
summed back to the original inputs with ``explain.mapping`` (verified by perturbation).
"""

from __future__ import annotations

import numpy as np

from ..errors import ExplainerError
from ..explanation import Explanation
from ..fastpath import compile_preprocessor
from ..mapping import column_sources, grouping_matrix, verify_grouping
from ..spec import FeatureSpec
from . import _tabular as tab
from .booster_files import LoadedBooster, load_booster
from .common import KindExplanation, check_additivity, versions

__all__ = ["BoosterExplainer", "LoadedBooster", "load_booster"]


class BoosterExplainer:
    """Explains one booster version against its spec and reference data."""

    def __init__(self, loaded: LoadedBooster, spec: FeatureSpec, reference, *,
                 background_size: int = 100, seed: int = 0):
        import shap

        self.loaded, self.spec, self.task = loaded, spec, loaded.task
        tab.check_task(spec, self.task)
        reference = spec.coerce_frame(reference)
        self.names = spec.names
        self.fast = None  # a verified numpy replay of the preprocessing, set by _prepare_fast
        self._prepare_columns(reference)
        n_classes = 1 if self.task == "regression" else self._proba(self._z(reference[:1])).shape[1]
        self.classes = [] if self.task == "regression" else tab.class_labels(spec, n_classes)
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(reference), min(background_size, len(reference)), replace=False))
        settings = {"method": "tree", "library": loaded.library, "format": loaded.format,
                    "objective": loaded.objective, "additivity_tolerance": 1e-6,
                    "reference_rows": len(reference),
                    "preprocessing_sha256": loaded.preprocessing_sha256}
        if self.task == "binary":
            background = self._z(reference.iloc[take])
            self.tree = shap.TreeExplainer(loaded.booster, background, model_output="probability",
                                           feature_perturbation="interventional")
            self.scale = "probability"
            settings.update(feature_perturbation="interventional", model_output="probability",
                            background_size=len(background), seed=seed)
        else:
            self.tree = shap.TreeExplainer(loaded.booster, feature_perturbation="tree_path_dependent")
            self.scale = "value" if self.task == "regression" else "log-odds"
            settings.update(feature_perturbation="tree_path_dependent", model_output="raw")
        if self.fast is not None:
            settings["preprocessing"] = "numpy replay of scikit-learn (verified)"
        self.settings = settings
        self.versions = {**versions(), loaded.library: _module_version(loaded.library),
                         "model_saved_with": dict(loaded.saved_with)}

    # -- columns ------------------------------------------------------------------------
    def _prepare_columns(self, reference) -> None:
        pre, loaded = self.loaded.preprocessing, self.loaded
        if pre is None:
            bad = [f.name for f in self.spec.features if f.kind == "category"]
            if bad:
                raise ExplainerError(
                    "needs_preprocessing",
                    f"Inputs {bad} are categories; a booster alone reads numbers only. Add the "
                    "preprocessing step as a .skops file.",
                    f"Invoer {bad} zijn categorieën; een booster alleen leest alleen getallen. "
                    "Voeg de voorbewerking toe als .skops-bestand.",
                )
            self.order = loaded.column_names or self.names
            if sorted(self.order) != sorted(self.names):
                raise _mismatch(sorted(self.order), sorted(self.names))
            self.group = grouping_matrix([[n] for n in self.order], self.names)
        else:
            self.order = [str(n) for n in getattr(pre, "feature_names_in_", self.names)]
            if sorted(self.order) != sorted(self.names):
                raise _mismatch(sorted(self.order), sorted(self.names))
            sample = reference.sample(min(len(reference), 200), random_state=0)
            self.group = grouping_matrix(column_sources(pre, self.order), self.names)
            verify_grouping(pre, sample, self.group, self.names, self._z)
            self._prepare_fast(pre, sample)
        if self.group.shape[0] != loaded.n_columns:
            raise ExplainerError(
                "column_count",
                f"The booster reads {loaded.n_columns} columns, the inputs give {self.group.shape[0]}.",
                f"De booster leest {loaded.n_columns} kolommen, de invoer geeft er {self.group.shape[0]}.",
            )

    def _prepare_fast(self, pre, sample) -> None:
        """A numpy replay of the preprocessing (as for scikit-learn models), used only when it
        gives the same columns as scikit-learn on reference rows: a counterfactual search
        transforms hundreds of candidates, and pandas bookkeeping costs ~10 ms a call."""
        fast = compile_preprocessor(pre, self.order)
        if fast is None:
            return
        try:
            same = np.allclose(fast({n: sample[n].to_numpy() for n in self.order}), self._z(sample),
                               rtol=0, atol=1e-12, equal_nan=True)
        except Exception:  # noqa: BLE001 — a replay that cannot even run is simply not used
            same = False
        if same:
            self.fast = fast

    def _z(self, frame) -> np.ndarray:
        pre = self.loaded.preprocessing
        if pre is None:
            return np.column_stack([np.asarray(frame[n], dtype=float) for n in self.order])
        if self.fast is not None:
            return np.asarray(self.fast({n: np.asarray(frame[n]) for n in self.order}), dtype=float)
        z = pre.transform(frame[self.order])
        return np.asarray(z.toarray() if hasattr(z, "toarray") else z, dtype=float)

    # -- model output ---------------------------------------------------------------------
    def _predict(self, z: np.ndarray, margin: bool = False) -> np.ndarray:
        booster = self.loaded.booster
        if self.loaded.library == "xgboost":
            import xgboost as xgb

            dm = xgb.DMatrix(z, feature_names=booster.feature_names, nthread=1)
            return np.asarray(booster.predict(dm, output_margin=margin), dtype=float)
        return np.asarray(booster.predict(z, raw_score=margin, num_threads=1), dtype=float)

    def _proba(self, z: np.ndarray) -> np.ndarray:
        p = self._predict(z)
        if self.task == "binary":
            return np.column_stack([1 - p, p])
        if p.ndim == 1:  # multi:softmax predicts the class; its margins give the chances
            m = self._predict(z, margin=True)
            e = np.exp(m - m.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
        return p

    takes_columns = True  # outcome_values also reads named columns (what spec.to_columns gives)

    def outcome_values(self, frame) -> np.ndarray:
        """Value (regression), chance of the flagged class (yes/no) or class, per case: a frame,
        or named columns of checked values as the counterfactual search passes them."""
        if isinstance(frame, dict) and (self.loaded.preprocessing is None or self.fast is not None):
            z = self._z(frame)  # no pandas for the hundreds of candidates a search tries
        else:
            if isinstance(frame, dict):
                import pandas as pd

                frame = pd.DataFrame(frame, columns=self.names)
            z = self._z(self.spec.coerce_frame(frame))
        if self.task == "regression":
            return self._predict(z)
        proba = self._proba(z)
        if self.task == "binary":
            return proba[:, self.classes.index(str(self.spec.outcome.flagged_class))]
        return np.asarray(self.classes, dtype=object)[np.argmax(proba, axis=1)]

    # -- explanations ---------------------------------------------------------------------
    def explain(self, row, *, validate: bool = True) -> KindExplanation:
        return self.explain_many([row], validate=validate)[0]

    def explain_many(self, rows, *, validate: bool = True) -> list[KindExplanation]:
        import pandas as pd

        cols, clean = tab.cases(self.spec, rows, validate)
        if not clean:
            return []
        z = self._z(pd.DataFrame(cols, columns=self.names))
        phi_z = np.asarray(self.tree.shap_values(z, check_additivity=False), dtype=float)
        base = np.atleast_1d(np.asarray(self.tree.expected_value, dtype=float))
        rows_n = np.arange(len(clean))
        if self.task == "multiclass":
            margin, proba = self._predict(z, margin=True), self._proba(z)
            k = np.argmax(proba, axis=1)
            phi_z = phi_z.reshape(len(clean), z.shape[1], -1)[rows_n, :, k]
            base, out = base[k], margin[rows_n, k]
        else:
            phi_z = phi_z.reshape(len(clean), z.shape[1])
            proba = None if self.task == "regression" else self._proba(z)
            out = self._predict(z) if proba is None else proba[:, 1]
            base = np.full(len(clean), base[0])
            if self.task == "binary" and self.classes.index(str(self.spec.outcome.flagged_class)) == 0:
                phi_z, base, out = -phi_z, 1 - base, 1 - out
        phi = phi_z @ self.group
        check_additivity(base, phi, out)
        results = []
        for i, inputs in enumerate(clean):
            fields = tab.outcome_fields(self.spec, self.task, self.classes,
                                        None if proba is None else proba[i], out[i])
            exp = Explanation(model_sha256=self.loaded.sha256, method="tree", settings=self.settings,
                              versions=self.versions, task=self.task, scale=self.scale,
                              inputs=inputs, base_value=float(base[i]),
                              contributions=dict(zip(self.names, map(float, phi[i]))),
                              output_value=float(out[i]), **fields)
            results.append(KindExplanation(exp, tab.outputs_of(self.spec, fields),
                                           {"kind": "exact", "method": "tree"}))
        return results


def _mismatch(model: list, spec: list) -> ExplainerError:
    return ExplainerError(
        "spec_mismatch",
        f"Spec and model disagree: the model reads {model}, the spec lists {spec}.",
        f"Specificatie en model verschillen: het model leest {model}, de specificatie noemt {spec}.",
    )


def _module_version(name: str) -> str:
    import importlib

    return importlib.import_module(name).__version__
