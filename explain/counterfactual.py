"""Counterfactuals: the smallest realistic change that would have changed the outcome.

Only features the spec marks as changeable are varied, never protected ones, and only within
their allowed ranges. Single changes are tried first, then pairs; the cheapest change wins
(numeric moves cost their distance in reference standard deviations, a category switch 1).
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

GRID = 24


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

    def to_dict(self) -> dict:
        return asdict(self)


def _candidates(feat: Feature, current: Any, scale: float, grid: int) -> list[tuple[Any, float]]:
    if feat.kind == "yes_no":
        return [(not bool(current), 1.0)]
    if feat.kind == "category":
        return [(c, 1.0) for c in feat.category_values() if c != current]
    values = np.linspace(feat.min, feat.max, grid)
    step = feat.step or (1 if feat.integer else None)
    if step:
        values = np.unique(np.clip(np.round(values / step) * step, feat.min, feat.max))
    out = [(float(v), abs(float(v) - float(current)) / scale) for v in values if v != current]
    return sorted(out, key=lambda vc: vc[1])


def _scales(explainer, reference) -> dict[str, float]:
    scales = {}
    for feat in explainer.spec.features:
        if feat.kind == "number":
            std = (
                float(np.nanstd(reference[feat.name].to_numpy(float)))
                if reference is not None
                else 0.0
            )
            scales[feat.name] = std if std > 0 else (feat.max - feat.min) / 4
    return scales


def counterfactual(
    explainer,
    row: Mapping[str, Any],
    *,
    reference=None,
    target_change: float | None = None,
    max_changes: int = 3,
    grid: int = GRID,
) -> Counterfactual:
    """Search the smallest change to changeable features that flips the outcome.

    For a yes/no classification the goal is the other side of the threshold; for several
    classes any other class; for regression ``target_change`` in outcome units (for example
    -20000: 'at least € 20.000 lower').
    """
    spec = explainer.spec
    clean, errors = spec.validate_inputs(row, "en")
    if errors:
        raise InputError(errors)
    cols = spec.to_columns([clean])
    now = explainer.outcome_values(cols)[0]
    task = explainer.task
    if task == "regression":
        if not target_change:
            raise ValueError("target_change is needed for a regression outcome")
        goal = f"change of {target_change:+g}"

        def success(values):
            delta = values - now
            return delta <= target_change if target_change < 0 else delta >= target_change
    elif task == "binary":
        threshold = spec.outcome.threshold
        flagged_now = now >= threshold
        goal = "not flagged" if flagged_now else "flagged"

        def success(values):
            return (values >= threshold) != flagged_now
    else:
        goal = f"not {now}"

        def success(values):
            return values != now

    scales = _scales(explainer, reference)
    movable = [f for f in spec.features if f.changeable and not f.protected]
    options = {
        f.name: _candidates(f, clean[f.name], scales.get(f.name, 1.0), grid) for f in movable
    }
    tried = 0
    best: tuple[float, dict] | None = None
    for size in range(1, max_changes + 1):
        combos = []
        for names in itertools.combinations(options, size):
            pools = [
                options[n] if size == 1 else _spread(options[n], 10 if size == 2 else 6)
                for n in names
            ]
            for picks in itertools.product(*pools):
                combos.append((sum(c for _, c in picks), {n: v for n, (v, _) in zip(names, picks)}))
        if not combos:
            break
        rows = [{**clean, **change} for _, change in combos]
        values = explainer.outcome_values(spec.to_columns(rows))
        tried += len(rows)
        ok = np.flatnonzero(success(values))
        if len(ok):
            i = min(ok, key=lambda k: (combos[k][0], k))
            best = (combos[i][0], combos[i][1])
            best = _refine(explainer, clean, best, success)
            break
    if best is None:
        return Counterfactual(False, goal, old_outcome=_plain(now), candidates_tried=tried)
    cost, change = best
    new = explainer.outcome_values(spec.to_columns([{**clean, **change}]))[0]
    return Counterfactual(
        True,
        goal,
        [Change(n, _plain(clean[n]), _plain(v)) for n, v in change.items()],
        _plain(now),
        _plain(new),
        float(cost),
        tried,
    )


def _spread(options: list, k: int) -> list:
    """At most k candidates spread over the whole range (sorted by value), not just nearby."""
    if len(options) <= k:
        return options
    by_value = sorted(options, key=lambda vc: (str(type(vc[0])), vc[0]))
    picks = np.linspace(0, len(by_value) - 1, k).round().astype(int)
    return [by_value[i] for i in sorted(set(picks))]


def _refine(explainer, clean, best, success):
    """For a single numeric change, move as close to the current value as still works."""
    cost, change = best
    if len(change) != 1:
        return best
    ((name, target),) = change.items()
    feat = explainer.spec.feature(name)
    if feat.kind != "number":
        return best
    step = feat.step or (1 if feat.integer else (feat.max - feat.min) / 1000)
    lo, hi = float(clean[name]), float(target)
    for _ in range(30):
        if abs(hi - lo) <= step:
            break
        mid = np.round(((lo + hi) / 2) / step) * step
        if mid in (lo, hi):
            break
        value = explainer.outcome_values(explainer.spec.to_columns([{**clean, name: mid}]))
        if success(value)[0]:
            hi = mid
        else:
            lo = mid
    return cost * abs(hi - float(clean[name])) / max(
        abs(float(target) - float(clean[name])), 1e-12
    ), {name: hi}


def _plain(value):
    return value.item() if hasattr(value, "item") else value


TEXT = {
    "nl": {
        "intro": "Met deze verandering was de uitkomst anders geweest:",
        "change": "{label}: {new} in plaats van {old}.",
        "none": "Wij vonden geen kleine, "
        "realistische verandering in de gegevens die u zelf kunt veranderen die de uitkomst "
        "anders had gemaakt.",
        "result": "De uitkomst was dan: {outcome}.",
    },
    "en": {
        "intro": "With this change, the outcome would have been different:",
        "change": "{label}: {new} instead of {old}.",
        "none": "We found no small, realistic "
        "change in the details you can change yourself that would have changed the outcome.",
        "result": "The outcome would then be: {outcome}.",
    },
}


def narrate_counterfactual(cf: Counterfactual, spec, locale: str = "nl") -> list[str]:
    """Short sentences for a resident; says so plainly when no realistic change exists."""
    lang = fmt.lang(locale)
    t = TEXT[lang]
    if not cf.found:
        return [t["none"]]
    lines = [t["intro"]]
    for ch in cf.changes:
        feat = spec.feature(ch.feature)
        lines.append(
            t["change"].format(
                label=feat.label[lang],
                new=feat.format_value(ch.new, locale),
                old=feat.format_value(ch.old, locale),
            )
        )
    out = spec.outcome
    if out.kind == "regression":
        outcome = fmt.quantity(fmt.round_to(cf.new_outcome, out.round_to), out.unit, locale)
    elif out.threshold is not None:
        flagged = cf.new_outcome >= out.threshold
        outcome = out.class_label(
            out.flagged_class
            if flagged
            else next(c.value for c in out.classes if c.value != out.flagged_class),
            locale,
        )
    else:
        outcome = out.class_label(cf.new_outcome, locale)
    lines.append(t["result"].format(outcome=outcome))
    return lines
