"""Plain-language narratives from deterministic templates (B1 Dutch and plain English)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import fmt
from .explanation import Explanation, display_values
from .spec import Feature, FeatureSpec

T = {
    "nl": {
        "estimate": "Het model schat {label} op {value}.",
        "score": "{Label} is {score}: zo groot is volgens het model de kans op {flagged}. "
        "Vanaf {limit} volgt: {flagged}.",
        "score_below": "{Label} is net onder de grens van {limit}. Vanaf {limit} volgt: {flagged}.",
        "score_at": "{Label} is precies {limit}, de grens. Vanaf {limit} volgt: {flagged}.",
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
        "others": "De andere {n} gegevens samen {verb} {short} met {amount}.",
        "others_tiny": "De andere {n} gegevens samen hebben bijna geen invloed.",
        "contrast_value": "Voor een gemiddeld geval schat het model {short} op {base}. "
        "Uw uitkomst is {diff} {direction}.",
        "contrast_score": "Gemiddeld over {n} voorbeeldgevallen is {short} {base}. "
        "Al uw gegevens samen maken {short} {diff} {direction}: {sum}.",
        "contrast_same": "Uw uitkomst is ongeveer gelijk aan die van een gemiddeld geval.",
        "contrast_class": "Bij een gemiddeld geval wijzen de gegevens niet naar een bepaalde uitkomst.",
        "higher": "hoger",
        "lower": "lager",
        "points": "{n} procentpunten",
        "point": "1 procentpunt",
        "less_than": "minder dan {x}",
    },
    "en": {
        "estimate": "The model estimates {label} at {value}.",
        "score": "{Label} is {score}: according to the model, the chance of {flagged}. "
        "From {limit}, the result is: {flagged}.",
        "score_below": "{Label} is just below the limit of {limit}. "
        "From {limit}, the result is: {flagged}.",
        "score_at": "{Label} is exactly {limit}, the limit. From {limit}, the result is: {flagged}.",
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
        "others": "The other {n} details together {verb} {short} by {amount}.",
        "others_tiny": "The other {n} details together have almost no effect.",
        "contrast_value": "For an average case, the model estimates {short} at {base}. "
        "Your result is {diff} {direction}.",
        "contrast_score": "On average over {n} example cases, {short} is {base}. "
        "All your details together make {short} {diff} {direction}: {sum}.",
        "contrast_same": "Your result is about the same as for an average case.",
        "contrast_class": "For an average case, the details do not point to any one outcome.",
        "higher": "higher",
        "lower": "lower",
        "points": "{n} percentage points",
        "point": "1 percentage point",
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


def percent(value: float, locale: str, decimals: int = 0) -> str:
    """36 → '36%'; 12.5 with one decimal → '12,5%' (nl) or '12.5%' (en)."""
    return fmt.number(round(value, decimals), locale, decimals=decimals) + "%"


def chance_text(score: float, threshold: float | None, locale: str) -> tuple[str, int | None]:
    """A chance (0–1) in percent with enough decimals to be on the right side of the threshold.

    Returns (text, decimals); decimals is None when no rounding up to 3 decimals can show the
    difference (the caller then says 'just below the limit').
    """
    for decimals in range(1, 4):
        shown = round(100 * score, decimals)
        if threshold is None or (shown >= round(100 * threshold, 6)) == (score >= threshold):
            return percent(100 * score, locale, decimals), decimals
    return percent(100 * score, locale, 3), None


def _limit_text(threshold: float, locale: str) -> str:
    value = 100 * threshold
    decimals = next((d for d in range(4) if abs(round(value, d) - value) < 1e-9), 3)
    return percent(value, locale, decimals)


def _outcome_sentence(exp: Explanation, spec: FeatureSpec, locale: str) -> str:
    lang = fmt.lang(locale)
    t, out = T[lang], spec.outcome
    if exp.task == "regression":
        value = fmt.round_to(exp.output_value, out.round_to)
        return t["estimate"].format(
            label=out.label[lang], value=fmt.quantity(value, out.unit, locale)
        )
    if exp.task == "binary":
        text, decimals = chance_text(exp.score, out.threshold, locale)
        key = "score"
        if exp.score == out.threshold:
            key = "score_at"
        elif decimals is None:
            key = "score_below"
        first = t[key].format(
            Label=fmt.capitalise(out.label[lang]),
            score=text,
            limit=_limit_text(out.threshold, locale),
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
        other = t["others_tiny" if tiny else "others"].format(
            n=len(rest), verb=t["up_pl" if total >= 0 else "down_pl"], short=short, amount=amount_text
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
    if disp.unit == "points":
        return _sum_sentence(exp, disp, spec, locale)
    diff = disp.output - disp.base
    amount_text, tiny = amount(diff, disp.unit, spec, locale)
    if tiny:
        return t["contrast_same"]
    direction = t["higher" if diff > 0 else "lower"]
    base = fmt.quantity(fmt.round_to(disp.base, out.round_to), out.unit, locale)
    return t["contrast_value"].format(
        short=out.short[lang], base=base, diff=amount_text, direction=direction
    )


def _sum_sentence(exp: Explanation, disp, spec: FeatureSpec, locale: str) -> str:
    """Average chance + all contributions = your chance, with one decimal each.

    The difference is taken from the rounded numbers, so the sum is right as written
    (26,7% − 12,6 = 14,1%); it differs from the exact sum by at most the display rounding.
    """
    lang = fmt.lang(locale)
    t, out = T[lang], spec.outcome
    base, score = round(disp.base, 1), round(disp.output, 1)
    diff = round(score - base, 1)
    sign = "+" if diff >= 0 else "−"
    written = (
        f"{percent(base, locale, 1)} {sign} {fmt.number(abs(diff), locale, decimals=1)}"
        f" = {percent(score, locale, 1)}"
    )
    return t["contrast_score"].format(
        n=exp.settings.get("background_size") or exp.settings.get("reference_rows", "?"),
        short=out.short[lang],
        base=percent(base, locale, 1),
        diff=t["points"].format(n=fmt.number(abs(diff), locale, decimals=1)),
        direction=t["higher" if diff >= 0 else "lower"],
        sum=written,
    )
