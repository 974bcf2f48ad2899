"""Global explanation: how the model works across the reference data, in words and numbers."""

from __future__ import annotations

import numpy as np

from .accuracy import measure_accuracy
from .explanation import display_values

SLOW_METHOD_ROWS = 200  # interventional and sampled methods cost one model pass per background row

WORDS = {
    "nl": {
        "up": "Hoe hoger {label}, hoe hoger {short}.",
        "down": "Hoe hoger {label}, hoe lager {short}.",
        "until": " Het effect is het sterkst tot {x}.",
        "mixed": "{Label} werkt niet steeds in dezelfde richting: het hangt af van de waarde.",
        "cat": "{Label}: ‘{best}’ verhoogt {short} het meest, ‘{worst}’ verlaagt {short} het meest.",
        "yes_up": "{Label}: ‘ja’ verhoogt {short}.",
        "yes_down": "{Label}: ‘ja’ verlaagt {short}.",
        "none": "{Label} heeft bijna geen invloed.",
    },
    "en": {
        "up": "The higher the {label}, the higher {short}.",
        "down": "The higher the {label}, the lower {short}.",
        "until": " The effect is strongest up to {x}.",
        "mixed": "{Label} does not always work in the same direction: it depends on the value.",
        "cat": "{Label}: ‘{best}’ raises {short} the most, ‘{worst}’ lowers {short} the most.",
        "yes_up": "{Label}: ‘yes’ raises {short}.",
        "yes_down": "{Label}: ‘yes’ lowers {short}.",
        "none": "{Label} has almost no effect.",
    },
}


def _numeric_effect(x: np.ndarray, phi: np.ndarray, bins: int = 12):
    ok = ~np.isnan(x)
    x, phi = x[ok], phi[ok]
    lo, hi = np.quantile(x, [0.01, 0.99]) if len(x) else (0.0, 0.0)
    if len(np.unique(x)) <= bins or hi <= lo:
        centres = np.unique(x)
        means = np.array([phi[x == c].mean() for c in centres])
    else:
        # equal-width bins over the bulk of the data, so a flattening tail stays visible
        edges = np.linspace(lo, hi, bins + 1)
        idx = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
        keep = [b for b in range(bins) if np.sum(idx == b) >= 10]
        centres = np.array([np.median(x[idx == b]) for b in keep])
        means = np.array([phi[idx == b].mean() for b in keep])
    rho = (
        np.corrcoef(np.argsort(np.argsort(x)), np.argsort(np.argsort(phi)))[0, 1]
        if len(x) > 2
        else 0.0
    )
    return centres, means, float(np.nan_to_num(rho))


def _plateau(centres, means, direction: str):
    """The value after which the effect clearly flattens (slope drops below half), if any."""
    if len(centres) < 6:
        return None
    curve = means if direction == "up" else -means
    best, best_ratio = None, 1.8
    for k in range(2, len(centres) - 2):
        left = np.polyfit(centres[: k + 1], curve[: k + 1], 1)[0]
        right = np.polyfit(centres[k:], curve[k:], 1)[0]
        if left > 0 and (right <= 0 or left / right > best_ratio):
            ratio = np.inf if right <= 0 else left / right
            if best is None or ratio > best_ratio:
                best, best_ratio = centres[k], ratio
    return best


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def global_explanation(explainer, reference, *, max_rows: int = 1000) -> dict:
    """Importance, direction, shape in words, the method's accuracy, and performance."""
    spec = explainer.spec
    frame = spec.coerce_frame(reference).head(max_rows)
    if explainer.method != "linear" and explainer.settings.get("model_output") != "raw":
        frame = frame.sample(min(len(frame), SLOW_METHOD_ROWS), random_state=0)
    exps = explainer.explain_many(frame, validate=False)
    shown = [display_values(e).contributions for e in exps]
    phi = np.array([[c[n] for n in spec.names] for c in shown])
    raw = np.array([[e.contributions[n] for n in spec.names] for e in exps])
    importance = np.abs(phi).mean(axis=0)
    total = importance.sum() or 1.0
    features = []
    for j, feat in enumerate(spec.features):
        entry = {
            "feature": feat.name,
            "label": dict(feat.label),
            "importance": float(importance[j]),
            "share": float(importance[j] / total),
        }
        entry.update(_describe(feat, frame[feat.name], raw[:, j], spec, entry["share"]))
        features.append(entry)
    features.sort(key=lambda f: -f["importance"])
    first = exps[0] if exps else None
    return {
        "model_sha256": explainer.model.sha256,
        "method": explainer.method,
        "settings": explainer.settings,
        "versions": explainer.versions,
        "rows": len(exps),
        "scale": explainer.scale,
        "importance_unit": display_values(first).unit if first else None,
        "base_value": first.base_value if first else None,
        "accuracy": measure_accuracy(explainer, reference),
        "features": features,
        "performance": performance(explainer, reference.head(max_rows)),
    }


def _describe(feat, column, phi, spec, share) -> dict:
    out: dict = {"summary": {}}
    if share < 0.01:
        for lang in ("nl", "en"):
            out["summary"][lang] = WORDS[lang]["none"].format(Label=feat.label[lang])
        out["direction"] = None
        return out
    if feat.kind == "number":
        centres, means, rho = _numeric_effect(column.to_numpy(float), phi)
        direction = "up" if rho > 0.3 else "down" if rho < -0.3 else "mixed"
        x80 = _plateau(centres, means, direction) if direction != "mixed" else None
        out.update(
            direction=direction,
            curve=[{"x": float(c), "mean_contribution": float(m)} for c, m in zip(centres, means)],
        )
        for lang in ("nl", "en"):
            w = WORDS[lang]
            if direction == "mixed":
                text = w["mixed"].format(Label=feat.label[lang])
            else:
                text = w[direction].format(
                    label=_lower_first(feat.label[lang]), short=spec.outcome.short[lang]
                )
                if x80 is not None:
                    text += w["until"].format(x=feat.format_value(float(x80), lang))
            out["summary"][lang] = text
        return out
    values = column.astype(str).to_numpy() if feat.kind == "category" else column.to_numpy()
    groups = {}
    for v in np.unique(values):
        groups[v] = float(phi[values == v].mean())
    out["effects"] = [
        {"value": str(k), "mean_contribution": v, "n": int((values == k).sum())}
        for k, v in sorted(groups.items(), key=lambda kv: -kv[1])
    ]
    for lang in ("nl", "en"):
        w = WORDS[lang]
        if feat.kind == "yes_no":
            up = groups.get(1, 0.0) - groups.get(0, 0.0) >= 0
            out["direction"] = "up" if up else "down"
            text = w["yes_up" if up else "yes_down"].format(
                Label=feat.label[lang], short=spec.outcome.short[lang]
            )
        else:
            best, worst = max(groups, key=groups.get), min(groups, key=groups.get)
            out["direction"] = "mixed"
            text = w["cat"].format(
                Label=feat.label[lang],
                best=feat.format_value(best, lang),
                worst=feat.format_value(worst, lang),
                short=spec.outcome.short[lang],
            )
        out["summary"][lang] = text
    return out


def performance(explainer, reference) -> dict | None:
    """Accuracy figures on the reference data, or None when it has no true outcomes."""
    from sklearn import metrics

    column = explainer.spec.outcome.column
    if not column or column not in reference.columns or reference[column].isna().any():
        return None
    frame = explainer.spec.coerce_frame(reference)
    values = explainer.outcome_values(frame)
    truth = reference[column]
    if explainer.task == "regression":
        y = truth.to_numpy(float)
        ape = np.abs(values - y) / np.maximum(np.abs(y), 1e-12)
        return {
            "rows": len(y),
            "mae": float(metrics.mean_absolute_error(y, values)),
            "rmse": float(np.sqrt(metrics.mean_squared_error(y, values))),
            "r2": float(metrics.r2_score(y, values)),
            "median_absolute_percentage_error": float(np.median(ape)),
        }
    if explainer.task == "binary":
        spec = explainer.spec
        y = (truth.astype(str) == str(spec.outcome.flagged_class)).astype(int).to_numpy()
        pred = (values >= spec.outcome.threshold).astype(int)
        tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        return {
            "rows": len(y),
            "threshold": spec.outcome.threshold,
            "accuracy": float(metrics.accuracy_score(y, pred)),
            "precision": float(metrics.precision_score(y, pred, zero_division=0)),
            "recall": float(metrics.recall_score(y, pred, zero_division=0)),
            "roc_auc": float(metrics.roc_auc_score(y, values)) if len(set(y)) == 2 else None,
            "confusion": {
                "true_negative": int(tn),
                "false_positive": int(fp),
                "false_negative": int(fn),
                "true_positive": int(tp),
            },
        }
    y = truth.astype(str).to_numpy()
    return {
        "rows": len(y),
        "accuracy": float(metrics.accuracy_score(y, values.astype(str))),
        "macro_f1": float(metrics.f1_score(y, values.astype(str), average="macro")),
    }
