"""Plain-language narratives from deterministic templates (B1 Dutch and plain English)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import fmt
from .explanation import Explanation, display_values
from .spec import Feature, FeatureSpec

T = {
    "nl": {
        "estimate": "Het model schat {label} op {value}.",
        "score": "{Label} is {score} op een schaal van 0 tot 100. Vanaf {limit} volgt: {flagged}.",
        "result": "Uw uitkomst: {outcome}.",
        "class": "De uitkomst van het model is: {outcome}.",
        "up": "verhoogt",
        "down": "verlaagt",
        "up_pl": "verhogen",
        "down_pl": "verlagen",
        "factor": "{Subject} {verb} {short} met {amount}.",
        "tiny": "{Subject} heeft bijna geen invloed op {short}.",
        "for": "{Subject} telt {size} mee voor deze uitkomst.",
        "against": "{Subject} telt {size} mee tegen deze uitkomst.",
        "sizes": ("sterk", "duidelijk", "een beetje"),
        "others": "Alle andere gegevens samen {verb} {short} met {amount}.",
        "others_tiny": "Alle andere gegevens samen hebben bijna geen invloed.",
        "contrast_value": "Voor een gemiddeld geval schat het model {short} op {base}. "
        "Uw uitkomst is {diff} {direction}.",
        "contrast_score": "Een gemiddeld geval heeft een score van {base}. "
        "Uw score is {diff} {direction}.",
        "contrast_same": "Uw uitkomst is ongeveer gelijk aan die van een gemiddeld geval.",
        "contrast_class": "Bij een gemiddeld geval wijzen de gegevens niet naar een bepaalde uitkomst.",
        "higher": "hoger",
        "lower": "lager",
        "points": "{n} punten",
        "point": "1 punt",
        "less_than": "minder dan {x}",
    },
    "en": {
        "estimate": "The model estimates {label} at {value}.",
        "score": "{Label} is {score} on a scale from 0 to 100. From {limit}, the result is: {flagged}.",
        "result": "Your outcome: {outcome}.",
        "class": "The model's outcome is: {outcome}.",
        "up": "raises",
        "down": "lowers",
        "up_pl": "raise",
        "down_pl": "lower",
        "factor": "{Subject} {verb} {short} by {amount}.",
        "tiny": "{Subject} has almost no effect on {short}.",
        "for": "{Subject} counts {size} towards this outcome.",
        "against": "{Subject} counts {size} against this outcome.",
        "sizes": ("strongly", "clearly", "a little"),
        "others": "All other details together {verb} {short} by {amount}.",
        "others_tiny": "All other details together have almost no effect.",
        "contrast_value": "For an average case, the model estimates {short} at {base}. "
        "Your result is {diff} {direction}.",
        "contrast_score": "An average case has a score of {base}. Your score is {diff} {direction}.",
        "contrast_same": "Your result is about the same as for an average case.",
        "contrast_class": "For an average case, the details do not point to any one outcome.",
        "higher": "higher",
        "lower": "lower",
        "points": "{n} points",
        "point": "1 point",
        "less_than": "less than {x}",
    },
}


@dataclass
class Factor:
    feature: str
    label: str
    value_text: str
    direction: str  # "up" | "down"
    amount_text: str
    contribution: float  # in display units
    sentence: str


@dataclass
class Narrative:
    """The story of one explanation: outcome, top-3 factors, the rest, and a contrast."""

    locale: str
    outcome: str
    factors: list[str]
    other_factors: str | None
    contrast: str
    details: list[Factor] = field(default_factory=list)

    def sentences(self) -> list[str]:
        return [
            self.outcome,
            *self.factors,
            *([self.other_factors] if self.other_factors else []),
            self.contrast,
        ]

    @property
    def text(self) -> str:
        return " ".join(self.sentences())

    def to_dict(self) -> dict:
        return asdict(self)


def subject(feat: Feature, value, locale: str) -> str:
    lang = fmt.lang(locale)
    value_text = feat.format_value(value, locale)
    phrase = (feat.phrase or {}).get(lang)
    if isinstance(phrase, dict):
        return phrase[
            "yes" if value and str(value).lower() not in {"0", "false", "nee", "no"} else "no"
        ]
    if isinstance(phrase, str):
        return phrase.format(value=value_text)
    return f"{feat.label[lang]} ({value_text})"


def amount(value: float, unit: str, spec: FeatureSpec, locale: str) -> tuple[str, bool]:
    """(text, is_tiny) of an absolute amount in display units."""
    t = T[fmt.lang(locale)]
    size = abs(value)
    if unit == "points":
        rounded = round(size)
        if rounded < 1:
            return t["less_than"].format(x=t["point"]), True
        return (t["point"] if rounded == 1 else t["points"].format(n=rounded)), False
    step = spec.outcome.round_to or fmt.nice_step(size)
    rounded = fmt.round_to(size, step)
    if rounded == 0:
        return t["less_than"].format(x=fmt.quantity(step, spec.outcome.unit, locale)), True
    return fmt.quantity(rounded, spec.outcome.unit, locale), False


def _outcome_sentence(exp: Explanation, spec: FeatureSpec, locale: str) -> str:
    lang = fmt.lang(locale)
    t, out = T[lang], spec.outcome
    if exp.task == "regression":
        value = fmt.round_to(exp.output_value, out.round_to)
        return t["estimate"].format(
            label=out.label[lang], value=fmt.quantity(value, out.unit, locale)
        )
    if exp.task == "binary":
        first = t["score"].format(
            Label=fmt.capitalise(out.label[lang]),
            score=round(100 * exp.score),
            limit=fmt.number(100 * out.threshold, locale),
            flagged=out.class_label(out.flagged_class, locale),
        )
        return first + " " + t["result"].format(outcome=out.class_label(exp.prediction, locale))
    return t["class"].format(outcome=out.class_label(exp.prediction, locale))


def narrate(exp: Explanation, spec: FeatureSpec, locale: str = "nl", *, top: int = 3) -> Narrative:
    """Turn an explanation into short sentences for a resident, in 'nl' or 'en'."""
    lang = fmt.lang(locale)
    t, out = T[lang], spec.outcome
    disp = display_values(exp)
    short = out.short[lang]
    ranked = sorted(disp.contributions.items(), key=lambda kv: (-abs(kv[1]), kv[0]))
    details = []
    for name, value in ranked[:top]:
        feat = spec.feature(name)
        subj = fmt.capitalise(subject(feat, exp.inputs.get(name), locale))
        direction = "up" if value >= 0 else "down"
        if disp.unit == "relative":
            share = abs(value)
            size = t["sizes"][0 if share >= 0.3 else 1 if share >= 0.1 else 2]
            sentence = t["for" if value >= 0 else "against"].format(Subject=subj, size=size)
            amount_text = size
        else:
            amount_text, tiny = amount(value, disp.unit, spec, locale)
            key = "tiny" if tiny else "factor"
            sentence = t[key].format(
                Subject=subj, verb=t[direction], short=short, amount=amount_text
            )
        details.append(
            Factor(
                name,
                feat.label[lang],
                feat.format_value(exp.inputs.get(name), locale),
                direction,
                amount_text,
                float(value),
                sentence,
            )
        )
    rest = ranked[top:]
    other = None
    if rest and disp.unit != "relative":
        total = sum(v for _, v in rest)
        amount_text, tiny = amount(total, disp.unit, spec, locale)
        other = (
            t["others_tiny"]
            if tiny
            else t["others"].format(
                verb=t["up_pl" if total >= 0 else "down_pl"], short=short, amount=amount_text
            )
        )
    return Narrative(
        lang,
        _outcome_sentence(exp, spec, locale),
        [d.sentence for d in details],
        other,
        _contrast(exp, disp, spec, locale),
        details,
    )


def _contrast(exp: Explanation, disp, spec: FeatureSpec, locale: str) -> str:
    lang = fmt.lang(locale)
    t, out = T[lang], spec.outcome
    if disp.unit == "relative":
        return t["contrast_class"]
    diff = disp.output - disp.base
    amount_text, tiny = amount(diff, disp.unit, spec, locale)
    if tiny:
        return t["contrast_same"]
    direction = t["higher" if diff > 0 else "lower"]
    if disp.unit == "points":
        return t["contrast_score"].format(
            base=round(disp.base), diff=amount_text, direction=direction
        )
    base = fmt.quantity(fmt.round_to(disp.base, out.round_to), out.unit, locale)
    return t["contrast_value"].format(
        short=out.short[lang], base=base, diff=amount_text, direction=direction
    )
