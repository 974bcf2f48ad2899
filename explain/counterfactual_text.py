"""Counterfactuals in words and as data, in Dutch and English."""

from __future__ import annotations

from . import fmt
from .counterfactual import Counterfactual
from .narrative import chance_text

TEXT = {
    "nl": {
        "intro": "Met deze verandering was de uitkomst anders geweest:",
        "change": "{label}: {new} in plaats van {old}.",
        "none": "Wij vonden geen kleine, "
        "realistische verandering in de gegevens die u zelf kunt veranderen die de uitkomst "
        "anders had gemaakt.",
        "result": "De uitkomst was dan: {outcome}.",
        "chance": "{outcome} ({short}: {chance})",
        "how": "Zo zochten we. We veranderen alleen gegevens die u zelf kunt veranderen: {names}.",
        "how_none": "Dit model heeft geen gegevens die u zelf kunt veranderen.",
        "protected": "Beschermde gegevens veranderen we nooit: {names}.",
        "range": "{label}: van {lo} tot en met {hi}, in stappen van {step}.",
        "ranges": "Een nieuwe waarde ligt altijd binnen wat we in de voorbeeldgevallen zien:",
        "near": "De gegevens samen moeten blijven lijken op echte gevallen uit de voorbeeldgevallen. "
        "Het model heeft de verandering zoals hier getoond zelf nagerekend.",
    },
    "en": {
        "intro": "With this change, the outcome would have been different:",
        "change": "{label}: {new} instead of {old}.",
        "none": "We found no small, realistic "
        "change in the details you can change yourself that would have changed the outcome.",
        "result": "The outcome would then be: {outcome}.",
        "chance": "{outcome} ({short}: {chance})",
        "how": "How we searched. We only change details you can change yourself: {names}.",
        "how_none": "This model has no details you can change yourself.",
        "protected": "We never change protected details: {names}.",
        "range": "{label}: from {lo} to {hi}, in steps of {step}.",
        "ranges": "A new value always stays within what we see in the example cases:",
        "near": "Together, the details must still look like real cases from the example cases. "
        "The model itself checked the change exactly as shown here.",
    },
}


def outcome_text(value, spec, locale: str) -> str:
    """The outcome the model would give, as a resident reads it."""
    lang = fmt.lang(locale)
    out = spec.outcome
    if out.kind == "regression":
        return fmt.quantity(fmt.round_to(value, out.round_to), out.unit, locale)
    if out.threshold is not None:
        flagged = value >= out.threshold
        label = out.class_label(
            out.flagged_class
            if flagged
            else next(c.value for c in out.classes if c.value != out.flagged_class),
            locale,
        )
        chance, _ = chance_text(value, out.threshold, locale)
        return TEXT[lang]["chance"].format(outcome=label, short=out.short[lang], chance=chance)
    return out.class_label(value, locale)


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
    lines.append(t["result"].format(outcome=outcome_text(cf.new_outcome, spec, locale)))
    return lines


def describe_constraints(cf: Counterfactual, spec, locale: str = "nl") -> list[str]:
    """The rules the search kept to, in plain sentences (the page names them)."""
    lang = fmt.lang(locale)
    t = TEXT[lang]
    rules = cf.constraints or {}
    labels = [spec.feature(n).label[lang] for n in rules.get("changeable", [])]
    lines = [t["how"].format(names=", ".join(labels)) if labels else t["how_none"]]
    protected = [spec.feature(n).label[lang] for n in rules.get("protected", [])]
    if protected:
        lines.append(t["protected"].format(names=", ".join(protected)))
    ranges = rules.get("ranges", {})
    if ranges:
        lines.append(t["ranges"])
        for name, r in ranges.items():
            feat = spec.feature(name)
            lo, step = _bare(feat, r["min"], locale), _bare(feat, r["step"], locale)
            lines.append(
                t["range"].format(
                    label=feat.label[lang], lo=lo, hi=feat.format_value(r["max"], locale), step=step
                )
            )
    if labels:
        lines.append(t["near"])
    return lines


def _bare(feat, value, locale: str) -> str:
    """A number of a range without its unit, which the range's end carries once: 'from 1 to 300
    nights, in steps of 1', not '1 nights'. Money and percentages keep their sign everywhere."""
    unit = feat.unit_for(locale)
    if unit and (unit == "%" or unit.upper() in {"EUR", "USD", "GBP"}):
        return feat.format_value(value, locale)
    return fmt.quantity(float(value), None, locale, decimals=feat.decimals, grouping=feat.grouping)


def counterfactual_data(cf: Counterfactual, spec, locale: str = "nl") -> dict:
    """The counterfactual as data for ``explain.json`` and receipts: input → new value, outcome."""
    lang = fmt.lang(locale)
    return {
        "found": cf.found,
        "goal": cf.goal,
        "changes": [
            {
                "feature": ch.feature,
                "label": spec.feature(ch.feature).label[lang],
                "from": ch.old,
                "to": ch.new,
                "from_text": spec.feature(ch.feature).format_value(ch.old, locale),
                "to_text": spec.feature(ch.feature).format_value(ch.new, locale),
            }
            for ch in cf.changes
        ],
        "outcome_before": cf.old_outcome,
        "outcome_after": cf.new_outcome if cf.found else None,
        "outcome_after_text": outcome_text(cf.new_outcome, spec, locale) if cf.found else None,
        "constraints": cf.constraints,
        "candidates_tried": cf.candidates_tried,
    }
