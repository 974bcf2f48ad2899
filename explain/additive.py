"""Exact interventional Shapley values, in closed form, for a yes/no model whose log-odds are a
sum of one term per input (a logistic regression after one-hot encoding, scaling, imputing).

shap's ``Exact`` explainer evaluates the model on every coalition of inputs for every background
row: 2^F × B predictions per case (102,400 for ten inputs and 100 rows), about 60 ms. When the
log-odds are ``c + Σ_f t_f(x_f)`` the chance for a coalition S and a background row b is
``σ(c + Σ_{f∈S} t_f(x_f) + Σ_{f∉S} t_f(b_f))``: the part from the background does not depend on
the case, so it is computed once per model, and a case costs one small matrix product and 2^F × B
sigmoids. The values are the same as shap's (the explainer checks this on reference rows before
it uses them, and falls back to shap's own explainer when they differ).
"""
from __future__ import annotations

import threading
from math import factorial

import numpy as np
from scipy.special import expit

_SCRATCH = threading.local()  # per thread: one working array of the sigmoids, reused case after case


def _scratch(shape: tuple[int, int]) -> np.ndarray:
    """A reused array: a fresh one of this size (800 kB for ten inputs) costs its page faults every case."""
    found = getattr(_SCRATCH, "array", None)
    if found is None or found.shape != shape:
        found = _SCRATCH.array = np.empty(shape)
    return found


class AdditiveLogit:
    """Shapley values of ``σ(c + Σ_f t_f)`` against a fixed background, per case."""

    def __init__(self, background_terms: np.ndarray, intercept: float):
        terms = np.asarray(background_terms, dtype=float)
        n_inputs = terms.shape[1]
        coalitions = np.arange(2**n_inputs)
        self.masks = ((coalitions[:, None] >> np.arange(n_inputs)) & 1).astype(float)  # (2^F, F)
        # the background's share of the log-odds for every coalition and background row
        self.outside = intercept + (1.0 - self.masks) @ terms.T  # (2^F, B)
        sizes = self.masks.sum(axis=1).astype(int)
        weight = np.array([factorial(s) * factorial(n_inputs - s - 1) / factorial(n_inputs)
                           for s in range(n_inputs)])
        self.without, self.with_, self.weights = [], [], []
        for f in range(n_inputs):
            without = coalitions[(coalitions >> f) & 1 == 0]
            self.without.append(without)
            self.with_.append(without | (1 << f))
            self.weights.append(weight[sizes[without]])
        self.without, self.with_ = np.array(self.without), np.array(self.with_)
        self.weights = np.array(self.weights)  # (F, 2^(F-1))

    def values(self, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(base (n,), contributions (n, F), chance (n,)) for the cases' per-input terms (n, F)."""
        terms = np.atleast_2d(np.asarray(terms, dtype=float))
        n = len(terms)
        phi = np.empty_like(terms)
        base = np.empty(n)
        out = np.empty(n)
        work = _scratch(self.outside.shape)
        for i, row in enumerate(terms):
            np.add(self.outside, (self.masks @ row)[:, None], out=work)
            worth = expit(work, out=work).mean(axis=1)  # v(S), (2^F,)
            phi[i] = np.einsum("fk,fk->f", self.weights, worth[self.with_] - worth[self.without])
            base[i], out[i] = worth[0], worth[-1]
        return base, phi, out
