"""One explained case as the pages, PDFs, receipts and their JSON show it, in one language."""
from __future__ import annotations

from dataclasses import dataclass, field

import explain
from explain import fmt
from register.i18n import translator

REGRESSION_CHANGE = 0.10  # for an amount (a WOZ value): what would have made it 10% lower


@dataclass
class Answer:
    """Everything a page or PDF shows about one explained case, in one language."""

    explanation: dict
    narrative: dict
    chart_svg: str
    counterfactual: list[str]
    changes: dict = field(default_factory=dict)
    constraints: list[str] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    method: dict = field(default_factory=dict)
    kind: str = "sklearn"  # which kind of model made it (issue 11): sklearn, dmn, text, xgboost, …
    details: dict = field(default_factory=dict)  # kind-specific plain data (fired rules, chances)
    html: dict = field(default_factory=dict)  # kind-specific markup for pages (marked text); not in JSON

    def to_dict(self) -> dict:
        return {"kind": self.kind, "explanation": self.explanation, "narrative": self.narrative,
                "counterfactual": self.counterfactual, "changes": self.changes, "constraints": self.constraints,
                "inputs": self.inputs, "method": self.method, "details": self.details}


def target_change(explainer: explain.Explainer, explanation: explain.Explanation) -> float | None:
    if explainer.task != "regression":
        return None
    step = explainer.spec.outcome.round_to or 1
    return -max(step, round(abs(float(explanation.prediction)) * REGRESSION_CHANGE / step) * step)


def inputs_used(spec: explain.FeatureSpec, explanation: explain.Explanation, locale: str) -> list[dict]:
    """Every input the model used, with its value as the resident reads it (none folded away)."""
    return [{"feature": f.name, "label": f.label.get(locale), "value": f.format_value(explanation.inputs.get(f.name), locale)}
            for f in spec.features]


def method_text(accuracy: dict | None, method: str, locale: str) -> dict:
    """How the contributions were computed, truthfully: exact, or an estimate with its measured error."""
    t = translator(locale)
    if method == "rules":
        return {"kind": "exact", "text": t("The outcome follows exactly from the published rules; nothing is estimated.")}
    accuracy = accuracy or ({"kind": "exact"} if method in {"tree", "linear", "exact"} else {"kind": "estimate"})
    if accuracy["kind"] == "exact":
        return {"kind": "exact", "text": t("The contributions are computed exactly (exact Shapley values).")}
    error = accuracy.get("max_abs_error")
    if error is None:
        return {"kind": "estimate", "text": t("The contributions are an estimate from a sample; how far off they can be was not measured.")}
    if accuracy.get("unit") == "points":
        size = t("%(n)s percentage points", n=fmt.number(round(error, 1), locale, decimals=1))
    else:
        size = fmt.number(error, locale, decimals=0 if abs(error) >= 10 else 2)
    compared = t("an exact computation") if accuracy.get("compared_with") == "exact" else t("a computation with twenty times as many samples")
    return {"kind": "estimate", "max_abs_error": error, "unit": accuracy.get("unit"),
            "text": t("The contributions are an estimate from a sample. Checked on %(rows)s example cases against %(compared)s, "
                      "they were at most %(size)s off.", rows=accuracy.get("rows"), compared=compared, size=size)}


def build_answer(explainer: explain.Explainer, spec: explain.FeatureSpec, explanation: explain.Explanation,
                 locale: str, *, accuracy: dict | None = None, id_prefix: str = "chart") -> Answer:
    """Words, chart, every input used and the smallest realistic change, in ``locale``."""
    narrative = explain.narrate(explanation, spec, locale)
    chart = explain.render_bar_chart_svg(explanation, spec, locale, id_prefix=id_prefix)
    found = explain.counterfactual(explainer, explanation.inputs, target_change=target_change(explainer, explanation))
    record = explanation.to_dict()
    # One machine-readable shape for every kind (issue 11): output name → value, and the method's accuracy.
    record.setdefault("outputs", {spec.outcome.column or "outcome": record.get("prediction")})
    record.setdefault("accuracy", accuracy or {"kind": "exact" if explanation.method in {"tree", "linear", "exact"}
                                               else "estimate", "method": explanation.method})
    return Answer(explanation=record, narrative=narrative.to_dict(), chart_svg=chart,
                  counterfactual=explain.narrate_counterfactual(found, spec, locale),
                  changes=explain.counterfactual_data(found, spec, locale),
                  constraints=explain.describe_constraints(found, spec, locale),
                  inputs=inputs_used(spec, explanation, locale),
                  method=method_text(accuracy, explanation.method, locale))
