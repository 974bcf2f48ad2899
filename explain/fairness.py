"""Fairness by group for each protected attribute, with fairlearn.

Per group: selection rate (share flagged at the threshold used in practice) and, when true
outcomes are known, false positive and false negative rates. Groups with fewer than
``min_group_size`` rows are suppressed: they are named as suppressed, their figures are not
shown and they do not count in differences, ratios or the four-fifths check.
"""

from __future__ import annotations

import numpy as np

from . import fmt

MIN_GROUP_SIZE = 30
FOUR_FIFTHS = 0.8


def _rate(values) -> float | None:
    value = float(values)
    return None if np.isnan(value) else value


def fairness_report(explainer, reference, *, min_group_size: int = MIN_GROUP_SIZE) -> dict:
    """Group figures for every protected attribute of a yes/no classification model."""
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
        "min_group_size": min_group_size,
        "threshold": spec.outcome.threshold,
        "attributes": [],
    }
    if explainer.task != "binary":
        report["note"] = "Fairness figures are computed for yes/no classifications only."
        return report
    frame = spec.coerce_frame(reference)
    y_pred = (explainer.outcome_values(frame) >= spec.outcome.threshold).astype(int)
    column = spec.outcome.column
    has_truth = bool(column and column in reference.columns and reference[column].notna().all())
    y_true = (
        (reference[column].astype(str) == str(spec.outcome.flagged_class)).astype(int).to_numpy()
        if has_truth
        else y_pred
    )
    metrics = {"n": count, "selection_rate": selection_rate}
    if has_truth:
        metrics.update(
            false_positive_rate=false_positive_rate, false_negative_rate=false_negative_rate
        )
    report["outcomes_known"] = has_truth
    for attr in spec.protected_attributes:
        if attr.name not in reference.columns:
            continue
        groups = reference[attr.name].astype(str).to_numpy()
        mf = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=groups)
        table = mf.by_group
        shown, suppressed = [], []
        for group, row in table.iterrows():
            if int(row["n"]) < min_group_size:
                suppressed.append(str(group))
                continue
            entry = {
                "group": str(group),
                "label": {lang: attr.format_value(group, lang) for lang in ("nl", "en")},
                "n": int(row["n"]),
                "selection_rate": _rate(row["selection_rate"]),
            }
            if has_truth:
                entry["false_positive_rate"] = _rate(row["false_positive_rate"])
                entry["false_negative_rate"] = _rate(row["false_negative_rate"])
            shown.append(entry)
        report["attributes"].append(
            {
                "attribute": attr.name,
                "label": dict(attr.label),
                "groups": shown,
                "suppressed_groups": sorted(suppressed),
                "summary": _summary(shown, has_truth),
            }
        )
    return report


def _spread(shown, key):
    values = [g[key] for g in shown if g.get(key) is not None]
    if len(values) < 2:
        return None
    lo, hi = min(values), max(values)
    return {"difference": hi - lo, "ratio": (lo / hi) if hi > 0 else None, "min": lo, "max": hi}


def _summary(shown, has_truth) -> dict:
    summary = {"selection_rate": _spread(shown, "selection_rate")}
    if has_truth:
        summary["false_positive_rate"] = _spread(shown, "false_positive_rate")
        summary["false_negative_rate"] = _spread(shown, "false_negative_rate")
    sel = summary["selection_rate"]
    ratio = sel["ratio"] if sel else None
    summary["four_fifths"] = {
        "ratio": ratio,
        "passes": None if ratio is None else ratio >= FOUR_FIFTHS,
        "rule": "lowest selection rate / highest selection rate >= 0.8",
    }
    return summary


def describe_fairness(report: dict, locale: str = "nl") -> list[str]:
    """One plain sentence per attribute about the four-fifths check and suppressed groups."""
    lang = fmt.lang(locale)
    lines = []
    for attr in report.get("attributes", []):
        label = attr["label"][lang]
        check = attr["summary"]["four_fifths"]
        if check["ratio"] is None:
            lines.append(
                {
                    "nl": f"{label}: te weinig groepen om te vergelijken.",
                    "en": f"{label}: too few groups to compare.",
                }[lang]
            )
        else:
            pct = fmt.number(round(100 * check["ratio"]), locale)
            ok = check["passes"]
            lines.append(
                {
                    "nl": f"{label}: de groep die het minst vaak wordt geselecteerd, wordt {pct}% zo vaak "
                    f"geselecteerd als de groep die het vaakst wordt geselecteerd. "
                    + (
                        "Dat voldoet aan de vier-vijfderegel."
                        if ok
                        else "Dat voldoet niet aan de vier-vijfderegel."
                    ),
                    "en": f"{label}: the group selected least often is selected {pct}% as often as the group "
                    f"selected most often. "
                    + (
                        "That meets the four-fifths rule."
                        if ok
                        else "That does not meet the four-fifths rule."
                    ),
                }[lang]
            )
        if attr["suppressed_groups"]:
            lines.append(
                {
                    "nl": f"Groepen kleiner dan {report['min_group_size']} tonen we niet.",
                    "en": f"Groups smaller than {report['min_group_size']} are not shown.",
                }[lang]
            )
    return lines
