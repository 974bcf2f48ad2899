"""Counterfactuals: the smallest realistic change that would have changed the outcome.

Rules, each named to the resident (``describe_constraints``):

* only inputs the spec marks as changeable are varied, never protected ones;
* a new number lies within the values seen in the reference data (and the spec's limits), on
  the spec's step (whole numbers where the spec says so), rounded to what is displayed — the
  value shown is exactly the value the model was asked about;
* the changed case stays close to real cases: its distance to the nearest reference case is no
  larger than the distance most reference cases (95%) have to theirs, or than the case's own;
* only a change the model confirms reaches the goal is shown; otherwise we say plainly that we
  found no realistic change.

Single changes, pairs and triples are tried in one batch of predictions, then the chosen
change is moved as close to the current values as still works, in a second batch. The cheapest
change wins (numbers cost their distance in reference standard deviations, a category or
yes/no switch 1).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import fmt
from .errors import InputError
from .spec import Feature

SINGLE_GRID, PAIR_GRID, TRIPLE_GRID, REFINE_GRID = 16, 5, 3, 40
FIRST_BATCH = 32  # candidates predicted in the first batch of the cheapest-first search
NEIGHBOUR_QUANTILE = 0.95


@dataclass
class Change:
    feature: str
    old: Any
    new: Any


@dataclass
class Counterfactual:
    """``found`` is False when no realistic change within the allowed ranges exists."""

    found: bool
    goal: str
    changes: list[Change] = field(default_factory=list)
    old_outcome: Any = None
    new_outcome: Any = None
    cost: float | None = None
    candidates_tried: int = 0
    constraints: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


# -- what may change, and how far ------------------------------------------------------------
def display_step(feat: Feature) -> float:
    """The smallest change a resident can read for this input."""
    if feat.step:
        return float(feat.step)
    if feat.integer:
        return 1.0
    if feat.decimals is not None:
        return 10.0 ** -feat.decimals
    return max(0.01, fmt.nice_step(float(feat.max) - float(feat.min)) / 10)


def shown(feat: Feature, value: float) -> float:
    """The value exactly as ``feat.format_value`` writes it (so the tested value is the shown one)."""
    if feat.integer:
        return float(round(value))
    decimals = feat.decimals
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    return float(round(value, decimals))


class Space:
    """Per explainer: ranges from the reference data, scales and the realism threshold."""

    def __init__(self, explainer):
        spec, ref = explainer.spec, explainer.reference
        self.features = list(spec.features)
        self.ranges, self.scales = {}, {}
        for feat in self.features:
            if feat.kind != "number":
                continue
            col = ref[feat.name].to_numpy(float)
            col = col[~np.isnan(col)]
            lo = max(float(feat.min), float(col.min())) if len(col) else float(feat.min)
            hi = min(float(feat.max), float(col.max())) if len(col) else float(feat.max)
            step = display_step(feat)
            self.ranges[feat.name] = (np.ceil(lo / step - 1e-9) * step, np.floor(hi / step + 1e-9) * step, step)
            std = float(np.std(col)) if len(col) else 0.0
            self.scales[feat.name] = std if std > 0 else (float(feat.max) - float(feat.min)) / 4 or 1.0
        self.numeric = [f.name for f in self.features if f.kind == "number"]
        self.choices = {
            f.name: ([0, 1] if f.kind == "yes_no" else f.category_values())
            for f in self.features
            if f.kind != "number"
        }
        cols = spec.to_columns(ref[spec.names].to_dict("records"))
        self.fill = {n: float(np.nanmean(cols[n] / self.scales[n])) for n in self.numeric}
        self._scale_row = np.array([self.scales[n] for n in self.numeric], dtype=float)
        self._fill_row = np.array([self.fill[n] for n in self.numeric], dtype=float)
        self.ref_num, self.ref_cat = self.encode(cols)
        self.ref_sq = (self.ref_num**2).sum(axis=1)
        self._grids: dict = {}
        nn = self.nearest(cols, exclude_self=True)
        self.threshold = float(np.quantile(nn, NEIGHBOUR_QUANTILE))

    def encode(self, cols: dict) -> tuple[np.ndarray, np.ndarray]:
        """(numbers in standard deviations, one-hot of categories and yes/no) per row."""
        n = len(next(iter(cols.values())))
        if self.numeric:  # one matrix operation for every number (this runs for every batch of candidates)
            num = np.column_stack([np.asarray(cols[name], dtype=float) for name in self.numeric]) / self._scale_row
            num = np.nan_to_num(np.where(np.isnan(num), self._fill_row, num), copy=False)
        else:
            num = np.zeros((n, 0))
        cat = []
        for name, values in self.choices.items():
            col = np.asarray(cols[name], dtype=object)
            cat.extend((col == v) | (col == str(v)) for v in values)
        return num, (np.column_stack(cat).astype(float) if cat else np.zeros((n, 0)))

    def nearest(self, cols: dict, exclude_self: bool = False) -> np.ndarray:
        """Distance of each row to its nearest reference case: numbers in standard deviations,
        each different category or yes/no counts 1 (Euclidean)."""
        num, cat = self.encode(cols)
        sq = (num**2).sum(axis=1)[:, None] + self.ref_sq[None, :] - 2.0 * num @ self.ref_num.T
        sq += len(self.choices) - cat @ self.ref_cat.T
        if exclude_self:
            np.fill_diagonal(sq, np.inf)
        return np.sqrt(np.maximum(sq.min(axis=1), 0.0))

    def values(self, feat: Feature, current, k: int) -> list:
        """At most k candidate values for one input, spread over its allowed range."""
        if feat.kind == "yes_no":
            return [not bool(current)]
        if feat.kind == "category":
            return [c for c in feat.category_values() if c != current]
        key = (feat.name, k)
        if key not in self._grids:
            lo, hi, step = self.ranges[feat.name]
            count = int(round((hi - lo) / step)) + 1 if hi >= lo else 0
            picks = np.unique(np.linspace(0, count - 1, min(k, count)).round()) if count else []
            self._grids[key] = sorted({shown(feat, lo + i * step) for i in picks})
        return [v for v in self._grids[key] if v != current]

    def between(self, feat: Feature, current: float, target: float, k: int) -> list[float]:
        """Values from the current one towards target on the display step (at most k)."""
        lo, hi, step = self.ranges[feat.name]
        a, b = sorted((float(current), float(target)))
        start, stop = max(lo, np.ceil(a / step - 1e-9) * step), min(hi, np.floor(b / step + 1e-9) * step)
        if stop < start:
            return [float(target)]
        count = int(round((stop - start) / step)) + 1
        picks = np.unique(np.linspace(0, count - 1, min(k, count)).round())
        return sorted({shown(feat, start + i * step) for i in picks} | {float(target)})

    def cost(self, feat: Feature, old, new) -> float:
        if feat.kind == "number":
            return abs(float(new) - float(old)) / self.scales[feat.name]
        return 1.0


def space_of(explainer) -> Space:
    """Built once per explainer (ranges, scales, the realism threshold) and kept on it."""
    space = getattr(explainer, "_counterfactual_space", None)
    if space is None:
        space = Space(explainer)
        explainer._counterfactual_space = space
    return space


# -- the search ------------------------------------------------------------------------------
def _goal(explainer, now, target_change):
    task, spec = explainer.task, explainer.spec
    if task == "regression":
        if not target_change:
            raise ValueError("target_change is needed for a regression outcome")

        def success(values):
            delta = values - now
            return delta <= target_change if target_change < 0 else delta >= target_change

        return f"change of {target_change:+g}", success
    if task == "binary":
        threshold = spec.outcome.threshold
        flagged_now = now >= threshold
        return ("not flagged" if flagged_now else "flagged"), (
            lambda values: (values >= threshold) != flagged_now
        )
    return f"not {now}", (lambda values: values != now)


def counterfactual(
    explainer,
    row: Mapping[str, Any],
    *,
    reference=None,
    target_change: float | None = None,
    max_changes: int = 3,
) -> Counterfactual:
    """Search the smallest realistic change to changeable inputs that changes the outcome.

    For a yes/no classification the goal is the other side of the threshold; for several
    classes any other class; for regression ``target_change`` in outcome units (for example
    -20000: 'at least € 20.000 lower'). ``reference`` is accepted for compatibility; the
    explainer's own reference data set the ranges.
    """
    spec = explainer.spec
    clean, errors = spec.validate_inputs(row, "en")
    if errors:
        raise InputError(errors)
    space = space_of(explainer)
    now = explainer.outcome_values(spec.to_columns([clean]))[0]
    goal, success = _goal(explainer, now, target_change)
    here = space.nearest(spec.to_columns([clean]))[0]
    limit = max(space.threshold, here)
    movable = [f for f in spec.features if f.changeable and not f.protected]
    constraints = {
        "changeable": [f.name for f in movable],
        "protected": [f.name for f in spec.features if f.protected],
        "ranges": {n: {"min": lo, "max": hi, "step": st} for n, (lo, hi, st) in space.ranges.items()
                   if n in {f.name for f in movable}},
        "max_neighbour_distance": limit,
        "reference_neighbour_quantile": NEIGHBOUR_QUANTILE,
    }
    combos, costs = [], []
    for size in range(1, min(max_changes, len(movable)) + 1):
        k = (SINGLE_GRID, PAIR_GRID, TRIPLE_GRID)[min(size, 3) - 1]
        for feats in itertools.combinations(movable, size):
            pools = [space.values(f, clean[f.name], k) for f in feats]
            if not all(pools):
                continue
            names = [f.name for f in feats]
            combos.extend(dict(zip(names, picks)) for picks in itertools.product(*pools))
            # the cost of every pick at once, in itertools.product's order (added in the same order as one by one)
            cost = np.array([space.cost(feats[0], clean[names[0]], v) for v in pools[0]])
            for feat, pool in zip(feats[1:], pools[1:]):
                cost = np.add.outer(cost, [space.cost(feat, clean[feat.name], v) for v in pool]).ravel()
            costs.append(cost)
    best, tried = _best(explainer, space, clean, combos, success, limit,
                        np.concatenate(costs) if costs else np.zeros(0))
    if best is not None:
        refined, more = _refine(explainer, space, clean, best[1], success, limit)
        tried += more
        best = refined or best
    if best is None:
        return Counterfactual(False, goal, old_outcome=_plain(now), candidates_tried=tried,
                              constraints=constraints)
    cost, change, new = best
    return Counterfactual(
        True,
        goal,
        [Change(n, _plain(clean[n]), _plain(v)) for n, v in change.items()],
        _plain(now),
        _plain(new),
        float(cost),
        tried,
        constraints,
    )


def _best(explainer, space, clean, combos, success, limit, costs=None):
    """(cost, change, new outcome) of the cheapest realistic change that works, or None.

    Candidates are tried cheapest first, in batches that double in size (32, 64, …): the
    first batch with a change that works and stays near real reference cases holds the answer
    the whole set would give (ties keep their order), and most searches end in the first batch
    instead of predicting every candidate."""
    if not combos:
        return None, 0
    spec = explainer.spec
    if costs is None:
        costs = np.array([sum(space.cost(spec.feature(n), clean[n], v) for n, v in c.items()) for c in combos])
    order = np.argsort(costs, kind="stable")
    tried, start, size = 0, 0, FIRST_BATCH
    while start < len(order):
        chunk = order[start : start + size]
        cols = spec.to_columns_varied(clean, [combos[i] for i in chunk])
        values = explainer.outcome_values(cols)
        tried += len(chunk)
        ok = np.flatnonzero(success(values))
        if len(ok):
            near = space.nearest({n: c[ok] for n, c in cols.items()}) <= limit + 1e-9
            if near.any():
                j = ok[int(np.argmax(near))]
                return (float(costs[chunk[j]]), combos[chunk[j]], values[j]), tried
        start, size = start + size, size * 2
    return None, tried


def _refine(explainer, space, clean, change, success, limit):
    """Move each changed number as close to its current value as still works (one batch)."""
    spec = explainer.spec
    combos = [change]
    for name, target in change.items():
        feat = spec.feature(name)
        if feat.kind != "number":
            continue
        for value in space.between(feat, clean[name], target, REFINE_GRID):
            if value != clean[name]:
                combos.append({**change, name: value})
    return _best(explainer, space, clean, combos, success, limit)


def _plain(value):
    return value.item() if hasattr(value, "item") else value
