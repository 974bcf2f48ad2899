"""Fairness by group, for every protected input and every fairness-only attribute.

Yes/no models: per group the selection rate (share flagged at the threshold used in
practice) and, when true outcomes are known, the false positive and false negative rates; the
ratio of each group's selection rate to the highest, and the four-fifths check. Regression:
per group the mean prediction and, when true outcomes are known, the mean error (prediction −
truth). Point figures come from fairlearn's ``MetricFrame``; each has a 95% bootstrap interval
(resampling the group's rows) so small gaps are not over-read. Numbers with many values are
compared in four bands (quartiles of the reference data).

Groups with fewer than ``min_group_size`` rows are suppressed: named (by label), but their
figures are not shown and they do not count in differences, ratios or the four-fifths check.
"""

from __future__ import annotations

import numpy as np

from . import fmt

MIN_GROUP_SIZE = 30
FOUR_FIFTHS = 0.8
BOOTSTRAP = 400
MAX_NUMBER_GROUPS = 8


def _rate(value) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _groups(attr, column):
    """(group key per row, {key: {"nl", "en"} label}) for an attribute's reference column."""
    if attr.kind != "number":
        keys = np.array(["" if v is None else str(v) for v in column.astype(object)], dtype=object)
        labels = {k: {lang: attr.format_value(k if k else None, lang) for lang in ("nl", "en")}
                  for k in np.unique(keys)}
        if attr.kind == "yes_no":
            labels = {k: {lang: attr.format_value(k in {"1", "True", "true"}, lang)
                          for lang in ("nl", "en")} for k in np.unique(keys)}
        return keys, labels
    values = column.to_numpy(float)
    distinct = np.unique(values[~np.isnan(values)])
    if len(distinct) <= MAX_NUMBER_GROUPS:
        keys = np.array([fmt.number(v, "en") if not np.isnan(v) else "" for v in values], dtype=object)
        labels = {fmt.number(v, "en"): {lang: attr.format_value(v, lang) for lang in ("nl", "en")}
                  for v in distinct}
        labels[""] = {lang: attr.format_value(None, lang) for lang in ("nl", "en")}
        return keys, labels
    edges = np.unique(np.nanquantile(values, [0, 0.25, 0.5, 0.75, 1]))
    band = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    keys = np.array([f"q{b + 1}" if not np.isnan(v) else "" for b, v in zip(band, values)], dtype=object)
    words = {"nl": "van {lo} tot {hi}", "en": "from {lo} to {hi}"}
    labels = {f"q{b + 1}": {lang: words[lang].format(lo=attr.format_value(edges[b], lang),
                                                     hi=attr.format_value(edges[b + 1], lang))
                            for lang in ("nl", "en")} for b in range(len(edges) - 1)}
    labels[""] = {lang: attr.format_value(None, lang) for lang in ("nl", "en")}
    return keys, labels


def _interval(values: np.ndarray, metric, rng) -> list[float] | None:
    """95% bootstrap interval of ``metric`` over resampled rows of one group."""
    if len(values) == 0:
        return None
    idx = rng.integers(0, len(values), size=(BOOTSTRAP, len(values)))
    stats = metric(values[idx])
    stats = stats[~np.isnan(stats)]
    if len(stats) == 0:
        return None
    return [float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))]


def _conditional(pairs, truth_value):
    """Share predicted 1 among rows whose truth is ``truth_value`` (FPR: 0, 1 − FNR: 1)."""
    y, p = pairs[..., 0], pairs[..., 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((y == truth_value) & (p == 1)).sum(axis=-1) / (y == truth_value).sum(axis=-1)


def fairness_report(explainer, reference, *, min_group_size: int = MIN_GROUP_SIZE, seed: int = 0) -> dict:
    """Group figures for every protected attribute (inputs and fairness-only attributes)."""
    from fairlearn.metrics import (
        MetricFrame,
        count,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
    )

    spec = explainer.spec
    report = {
        "model_sha256": explainer.model.sha256,
        "task": explainer.task,
        "min_group_size": min_group_size,
        "threshold": spec.outcome.threshold,
        "outcome_unit": spec.outcome.unit,
        "round_to": spec.outcome.round_to,
        "bootstrap": {"resamples": BOOTSTRAP, "interval": 0.95, "seed": seed},
        "attributes": [],
    }
    if explainer.task == "multiclass":
        report["note"] = "Fairness figures are computed for yes/no and amount models."
        return report
    frame = spec.coerce_frame(reference)
    scores = explainer.outcome_values(frame)
    column = spec.outcome.column
    has_truth = bool(column and column in reference.columns and reference[column].notna().all())
    report["outcomes_known"] = has_truth
    if explainer.task == "binary":
        y_pred = (scores >= spec.outcome.threshold).astype(int)
        y_true = ((reference[column].astype(str) == str(spec.outcome.flagged_class)).astype(int)
                  .to_numpy() if has_truth else y_pred)
        metrics = {"n": count, "selection_rate": selection_rate}
        if has_truth:
            metrics.update(false_positive_rate=false_positive_rate,
                           false_negative_rate=false_negative_rate)
    else:
        y_pred = scores
        y_true = reference[column].to_numpy(float) if has_truth else scores
        metrics = {"n": count, "mean_prediction": lambda t, p: float(np.mean(p))}
        if has_truth:
            metrics["mean_error"] = lambda t, p: float(np.mean(np.asarray(p) - np.asarray(t)))
    rng = np.random.default_rng(seed)
    for attr in spec.protected_attributes:
        if attr.name not in reference.columns:
            continue
        keys, labels = _groups(attr, reference[attr.name])
        mf = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=keys)
        shown, suppressed = [], []
        for group, row in mf.by_group.iterrows():
            label = labels.get(str(group), {"nl": str(group), "en": str(group)})
            if int(row["n"]) < min_group_size:
                suppressed.append({"group": str(group), "n": int(row["n"]), "label": label})
                continue
            mask = keys == group
            entry = {"group": str(group), "label": label, "n": int(row["n"])}
            entry.update(_figures(explainer.task, row, y_true[mask], y_pred[mask], has_truth, rng))
            shown.append(entry)
        report["attributes"].append({
            "attribute": attr.name,
            "label": dict(attr.label),
            "kind": "input" if attr in spec.features else "fairness_only",
            "groups": shown,
            "suppressed_groups": sorted(s["label"]["nl"] for s in suppressed),
            "suppressed": suppressed,
            "summary": _summary(explainer.task, shown, has_truth),
        })
    return report


def _figures(task, row, truth, pred, has_truth, rng) -> dict:
    out = {}
    if task == "binary":
        out["selection_rate"] = _rate(row["selection_rate"])
        out["selection_rate_ci"] = _interval(pred.astype(float), lambda s: s.mean(axis=-1), rng)
        if has_truth:
            pairs = np.stack([truth, pred], axis=1)
            out["false_positive_rate"] = _rate(row["false_positive_rate"])
            out["false_negative_rate"] = _rate(row["false_negative_rate"])
            out["false_positive_rate_ci"] = _interval(pairs, lambda s: _conditional(s, 0), rng)
            hit = _interval(pairs, lambda s: _conditional(s, 1), rng)
            out["false_negative_rate_ci"] = None if hit is None else [1 - hit[1], 1 - hit[0]]
        return out
    out["mean_prediction"] = _rate(row["mean_prediction"])
    out["mean_prediction_ci"] = _interval(np.asarray(pred, float), lambda s: s.mean(axis=-1), rng)
    if has_truth:
        out["mean_error"] = _rate(row["mean_error"])
        errors = np.asarray(pred, float) - np.asarray(truth, float)
        out["mean_error_ci"] = _interval(errors, lambda s: s.mean(axis=-1), rng)
    return out


def _spread(shown, key):
    values = [g[key] for g in shown if g.get(key) is not None]
    if len(values) < 2:
        return None
    lo, hi = min(values), max(values)
    return {"difference": hi - lo, "ratio": (lo / hi) if hi > 0 else None, "min": lo, "max": hi}


def _summary(task, shown, has_truth) -> dict:
    if task != "binary":
        summary = {"mean_prediction": _spread(shown, "mean_prediction")}
        if has_truth:
            summary["mean_error"] = _spread(shown, "mean_error")
        return summary
    summary = {"selection_rate": _spread(shown, "selection_rate")}
    if has_truth:
        summary["false_positive_rate"] = _spread(shown, "false_positive_rate")
        summary["false_negative_rate"] = _spread(shown, "false_negative_rate")
    sel = summary["selection_rate"]
    top = sel["max"] if sel else None
    for g in shown:
        g["selection_rate_ratio"] = (g["selection_rate"] / top) if top else None
    ratio = sel["ratio"] if sel else None
    summary["four_fifths"] = {
        "ratio": ratio,
        "passes": None if ratio is None else ratio >= FOUR_FIFTHS,
        "rule": "lowest selection rate / highest selection rate >= 0.8",
    }
    return summary


from .fairness_text import describe_fairness

__all__ = ["describe_fairness", "fairness_report"]
