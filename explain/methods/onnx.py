"""ONNX models (what suppliers export from most frameworks), run by onnxruntime: no uploaded
code runs. Explained model-agnostically against the reference data and labelled an estimate.

Intake refuses what it cannot trust, with a reason: pickles renamed ``.onnx``, truncated or
damaged files, models whose weights live in external files (they would be read from the
server's disk), operators from custom domains (they need a native library), and anything but
one numeric input tensor of shape [N, number of inputs] (columns in the spec's order).

The method is shap's ``PermutationExplainer`` over a seeded sample of the reference rows (an
interventional Shapley estimate whose values always add up: base = the average over the
background, base + Σ = the model's output). Yes/no models are explained on the chance of the
flagged class, multi-class models on the chance of the predicted class, regression on the value.
At build time the estimate is compared with shap's ``Exact`` explainer over the same background
on a sample of reference rows where that is affordable (else with a run sampling twenty times
as much); the largest difference is stored and travels with every explanation as its accuracy.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..errors import ExplainerError, IntakeError
from ..explanation import Explanation
from ..spec import FeatureSpec
from . import _tabular as tab
from .common import (
    MAX_BYTES,
    KindExplanation,
    check_additivity,
    read_model_file,
    sha256_bytes,
    versions,
)

DOMAINS = {"", "ai.onnx", "ai.onnx.ml"}
NUMERIC = {"tensor(float)", "tensor(double)"}
EXACT_BUDGET = 2**13 * 100  # model rows per compared case for the exact comparison
_SHAP_LOCK = threading.Lock()  # shap's sampler uses numpy's global random generator
HINT = ("Export the model to ONNX (for scikit-learn: skl2onnx.to_onnx(model, X[:1])).",
        "Exporteer het model naar ONNX (voor scikit-learn: skl2onnx.to_onnx(model, X[:1])).")


@dataclass(frozen=True)
class LoadedOnnx:
    session: Any
    sha256: str
    size_bytes: int
    input_name: str
    n_inputs: int
    outputs: list  # (name, type) per output
    producer: str
    opsets: dict
    class_labels: list | None = None  # from a ZipMap step, when the model had one


def _strip_zipmap(proto) -> list | None:
    """Return the chances as a plain [rows, classes] tensor instead of one dict per row (a pure
    graph rewrite, much faster for the many rows an explanation needs); the class labels."""
    outputs = {o.name for o in proto.graph.output}
    for node in proto.graph.node:
        if node.op_type == "ZipMap" and node.output[0] in outputs:
            attrs = {a.name: a for a in node.attribute}
            labels = ([str(v) for v in attrs["classlabels_int64s"].ints] if "classlabels_int64s" in attrs
                      else [v.decode() for v in attrs["classlabels_strings"].strings])
            for out in proto.graph.output:
                if out.name == node.output[0]:
                    out.name = node.input[0]
                    out.type.Clear()
                    out.type.tensor_type.elem_type = 1  # float
            proto.graph.node.remove(node)
            return labels
    return None


def _damaged(detail: str) -> IntakeError:
    return IntakeError("onnx_damaged",
                       f"This is not a complete ONNX model (truncated or damaged: {detail}). " + HINT[0],
                       f"Dit is geen volledig ONNX-model (afgebroken of beschadigd: {detail}). " + HINT[1])


def load_onnx(path: str | Path, *, max_bytes: int = MAX_BYTES) -> LoadedOnnx:
    """Read, check and open an ONNX model file; raise ``IntakeError`` with a reason if refused."""
    import onnx
    import onnxruntime as ort

    data = read_model_file(path, {".onnx"}, "ONNX", max_bytes=max_bytes, hint=HINT)
    try:
        proto = onnx.load_model_from_string(data)
        onnx.checker.check_model(proto)
    except Exception as exc:  # noqa: BLE001 — DecodeError, ValidationError, …
        raise _damaged(str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__) from None
    tensors = list(proto.graph.initializer)
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in tensors):
        raise IntakeError("onnx_external_data",
                          "The model keeps weights in external files; upload one self-contained file.",
                          "Het model bewaart gewichten in losse bestanden; lever één volledig bestand.")
    opsets = {o.domain: o.version for o in proto.opset_import}
    custom = sorted(set(opsets) - DOMAINS)
    if custom:
        raise IntakeError("onnx_custom_ops",
                          f"The model uses operators from {custom}, which need extra code to run.",
                          f"Het model gebruikt bewerkingen uit {custom}; die hebben extra code nodig.")
    labels = _strip_zipmap(proto)
    if labels is not None:
        data_run = proto.SerializeToString()
    else:
        data_run = data
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    try:
        session = ort.InferenceSession(data_run, options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # noqa: BLE001
        raise _damaged(str(exc).splitlines()[0][:160]) from None
    inputs = session.get_inputs()
    shape = inputs[0].shape if len(inputs) == 1 else []
    if len(inputs) != 1 or inputs[0].type not in NUMERIC or len(shape) != 2 or not isinstance(shape[1], int):
        raise IntakeError("onnx_inputs",
                          "The model must take one numeric input of shape [rows, inputs].",
                          "Het model moet één numerieke invoer hebben met vorm [rijen, kenmerken].")
    return LoadedOnnx(session, sha256_bytes(data), len(data), inputs[0].name, shape[1],
                      [(o.name, o.type) for o in session.get_outputs()], proto.producer_name, opsets,
                      labels)


class OnnxExplainer:
    """A sampled Shapley estimate for an ONNX model, with its measured error."""

    def __init__(self, loaded: LoadedOnnx, spec: FeatureSpec, reference, *, background_size: int = 50,
                 permutations: int = 10, seed: int = 0, accuracy_rows: int = 5):
        import shap

        self.loaded, self.spec, self.names = loaded, spec, spec.names
        bad = [f.name for f in spec.features if f.kind == "category"]
        if bad or loaded.n_inputs != len(self.names):
            raise ExplainerError(
                "onnx_spec", f"The ONNX model reads {loaded.n_inputs} numbers; the spec lists "
                f"{len(self.names)} inputs{', with categories ' + str(bad) if bad else ''}.",
                f"Het ONNX-model leest {loaded.n_inputs} getallen; de specificatie noemt "
                f"{len(self.names)} kenmerken{', met categorieën ' + str(bad) if bad else ''}.")
        self.dtype = np.float64 if loaded.session.get_inputs()[0].type == "tensor(double)" else np.float32
        self.task = "regression" if spec.outcome.kind == "regression" else None
        reference = spec.coerce_frame(reference)
        self.proba_output = next((n for n, t in loaded.outputs if t in NUMERIC and (
            "prob" in n.lower() or n == "probabilities" or loaded.class_labels)), None)
        probe = self._raw(self._x(reference[:2]))
        if self.task is None:
            self.task = "binary" if probe.shape[1] == 2 else "multiclass"
            self.classes = tab.class_labels(spec, probe.shape[1])
            if loaded.class_labels is not None and loaded.class_labels != self.classes:
                raise ExplainerError(
                    "class_mismatch", f"Model classes {loaded.class_labels} differ from the spec "
                    f"{self.classes}.", f"Klassen van het model {loaded.class_labels} wijken af "
                    f"van de specificatie {self.classes}.")
        tab.check_task(spec, self.task)
        rng = np.random.default_rng(seed)
        take = np.sort(rng.choice(len(reference), min(background_size, len(reference)), replace=False))
        self.background = self._x(reference.iloc[take])
        masker = shap.maskers.Independent(self.background, max_samples=len(self.background))
        self.max_evals = permutations * (2 * len(self.names) + 1)
        self.seed = seed
        with _SHAP_LOCK:
            self.shap = shap.PermutationExplainer(self._target, masker, seed=seed)
        self.scale = "value" if self.task == "regression" else "probability"
        self.settings = {"method": "permutation", "feature_perturbation": "interventional",
                         "background_size": len(self.background), "permutations": permutations,
                         "max_evals": self.max_evals, "seed": seed, "reference_rows": len(reference),
                         "onnx_producer": loaded.producer, "onnx_opsets": loaded.opsets}
        self.versions = {**versions("onnxruntime", "onnx")}
        self.accuracy = self._measure(reference, accuracy_rows, seed, masker)

    # -- model -------------------------------------------------------------------------
    def _x(self, frame) -> np.ndarray:
        return np.column_stack([np.asarray(frame[n], dtype=float) for n in self.names])

    def _raw(self, x: np.ndarray) -> np.ndarray:
        """(n, K) class chances, or (n, 1) values for regression."""
        sess = self.loaded.session
        want = [self.proba_output] if self.proba_output else None
        out = sess.run(want, {self.loaded.input_name: np.asarray(x, dtype=self.dtype)})[-1]
        if isinstance(out, list):  # ZipMap: one {class: chance} per row
            keys = sorted(out[0])
            out = [[row[k] for k in keys] for row in out]
        out = np.asarray(out, dtype=float)
        return out.reshape(len(x), -1)

    def _target(self, x: np.ndarray) -> np.ndarray:
        raw = self._raw(x)
        if self.task == "binary":
            return raw[:, self.classes.index(str(self.spec.outcome.flagged_class))]
        return raw[:, 0] if self.task == "regression" else raw

    def outcome_values(self, frame) -> np.ndarray:
        """Value (regression), chance of the flagged class (yes/no) or class, per case."""
        x = self._x(self.spec.coerce_frame(frame))
        if self.task == "multiclass":
            return np.asarray(self.classes, dtype=object)[np.argmax(self._raw(x), axis=1)]
        return self._target(x)

    # -- accuracy ------------------------------------------------------------------------
    def _measure(self, reference, rows, seed, masker) -> dict:
        import shap

        pick = np.sort(np.random.default_rng(seed + 1).choice(len(reference), min(rows, len(reference)),
                                                               replace=False))
        x = self._x(reference.iloc[pick])
        estimate = self._select(self._values(x), x)[1]
        if 2 ** len(self.names) * len(self.background) <= EXACT_BUDGET:
            compared, res = "exact", shap.explainers.Exact(self._target, masker)(x, silent=True)
        else:
            compared = "permutation ×20"
            with _SHAP_LOCK:
                long = shap.PermutationExplainer(self._target, masker, seed=seed + 1)
                res = long(x, max_evals=20 * self.max_evals, silent=True)
        exact = self._select(res, x)[1]
        unit = 1.0 if self.task == "regression" else 100.0
        errors = np.abs(estimate - exact) * unit
        top = int(np.sum(np.argmax(np.abs(estimate), 1) != np.argmax(np.abs(exact), 1)))
        return {"kind": "estimate", "method": "permutation", "compared_with": compared,
                "rows": len(x), "unit": "value" if self.task == "regression" else "points",
                "max_abs_error": float(errors.max()), "mean_abs_error": float(errors.mean()),
                "top_factor_differs": top}

    def _values(self, x):
        """One case at a time from the same seed: the same case always gets the same numbers,
        whatever was explained before (shap's sampler draws from numpy's global generator)."""
        values, bases = [], []
        with _SHAP_LOCK:
            for row in np.asarray(x, dtype=float):
                np.random.seed(self.seed)
                res = self.shap(row[None, :], max_evals=self.max_evals, silent=True)
                values.append(np.asarray(res.values)[0])
                bases.append(np.asarray(res.base_values).reshape(-1))
        return SimpleNamespace(values=np.array(values), base_values=np.array(bases))

    def _select(self, res, x):
        """(base, phi, class index) per row for the explained output."""
        phi, base = np.asarray(res.values, float), np.asarray(res.base_values, float)
        if phi.ndim == 2:
            return base.reshape(-1), phi, None
        k = np.argmax(self._raw(x), axis=1)
        rows = np.arange(len(x))
        return base.reshape(len(x), -1)[rows, k], phi[rows, :, k], k

    # -- explanations ---------------------------------------------------------------------
    def explain(self, row, *, validate: bool = True) -> KindExplanation:
        return self.explain_many([row], validate=validate)[0]

    def explain_many(self, rows, *, validate: bool = True) -> list[KindExplanation]:
        cols, clean = tab.cases(self.spec, rows, validate)
        if not clean:
            return []
        x = np.column_stack([np.asarray(cols[n], dtype=float) for n in self.names])
        base, phi, k = self._select(self._values(x), x)
        raw = self._raw(x)
        target = self._target(x)
        out = target if k is None else target[np.arange(len(x)), k]
        check_additivity(base, phi, out)
        results = []
        for i, inputs in enumerate(clean):
            fields = tab.outcome_fields(self.spec, self.task, getattr(self, "classes", []),
                                        None if self.task == "regression" else raw[i], out[i])
            exp = Explanation(model_sha256=self.loaded.sha256, method="permutation",
                              settings=self.settings, versions=self.versions, task=self.task,
                              scale=self.scale, inputs=inputs, base_value=float(base[i]),
                              contributions=dict(zip(self.names, map(float, phi[i]))),
                              output_value=float(out[i]), **fields)
            results.append(KindExplanation(exp, tab.outputs_of(self.spec, fields), dict(self.accuracy)))
        return results
