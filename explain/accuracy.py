"""How close an explanation method is to exact Shapley values, measured at registration.

Tree, linear and exact methods give exact Shapley values (up to floating point). The sampled
permutation method gives an estimate: on a seeded sample of reference rows we compare it with
shap's exact explainer over the same background where that is affordable, otherwise with a
permutation run that samples twenty times as much, and keep the largest difference seen.
"""

from __future__ import annotations

import numpy as np

EXACT_METHODS = {"tree", "linear", "exact"}
CHECK_BUDGET = 2**13 * 100  # model evaluations per row for the exact comparison
LONG_RUN = 20


def measure_accuracy(explainer, reference, *, rows: int = 10, seed: int = 0) -> dict:
    """``{"kind": "exact"}`` or ``{"kind": "estimate", "max_abs_error", ...}`` in display units."""
    if explainer.method in EXACT_METHODS:
        return {"kind": "exact", "method": explainer.method}
    import shap

    frame = explainer.spec.coerce_frame(reference)
    pick = np.random.default_rng(seed).choice(len(frame), size=min(rows, len(frame)), replace=False)
    sample = frame.iloc[np.sort(pick)]
    estimates = explainer.explain_many(sample, validate=False)
    codes = explainer._encode(explainer._columns(sample))
    masker = shap.maskers.Independent(explainer.background, max_samples=len(explainer.background))
    n_inputs = len(explainer.names)
    if 2**n_inputs * len(explainer.background) <= CHECK_BUDGET:
        reference_method = "exact"
        res = shap.explainers.Exact(explainer._coded_output, masker)(codes, silent=True)
    else:
        reference_method = f"permutation ×{LONG_RUN}"
        long = shap.PermutationExplainer(explainer._coded_output, masker, seed=explainer.seed + 1)
        res = long(codes, max_evals=LONG_RUN * explainer.max_evals, silent=True)
    truth = np.asarray(res.values, dtype=float)
    truth = truth[..., None] if truth.ndim == 2 else truth
    scale = 1.0 if explainer.task == "regression" else 100.0
    errors, top_differs = [], 0
    for i, exp in enumerate(estimates):
        k = explainer.classes.index(exp.explained_class) if exp.explained_class is not None else 0
        exact = truth[i, :, min(k, truth.shape[2] - 1)]
        est = np.array([exp.contributions[n] for n in explainer.names])
        errors.append(np.abs(est - exact) * scale)
        top_differs += int(np.argmax(np.abs(est)) != np.argmax(np.abs(exact)))
    errors = np.array(errors)
    return {
        "kind": "estimate",
        "method": explainer.method,
        "compared_with": reference_method,
        "rows": len(estimates),
        "unit": "value" if explainer.task == "regression" else "points",
        "max_abs_error": float(errors.max()),
        "mean_abs_error": float(errors.mean()),
        "top_factor_differs": top_differs,
    }
