"""Plain sentences about a fairness report: only what the computed tables say."""

from __future__ import annotations

from . import fmt

T = {
    "nl": {
        "few": "{label}: te weinig groepen met genoeg gevallen om te vergelijken.",
        "ratio": "{label}: de groep die het minst vaak wordt geselecteerd ({low}, {low_rate}) wordt "
        "{pct} zo vaak geselecteerd als de groep die het vaakst wordt geselecteerd "
        "({high}, {high_rate}).",
        "passes": "Dat voldoet aan de vier-vijfderegel.",
        "fails": "Dat voldoet niet aan de vier-vijfderegel.",
        "overlap": "De onzekerheidsmarges van die twee groepen overlappen: het verschil kan toeval zijn.",
        "apart": "De onzekerheidsmarges van die twee groepen overlappen niet: "
        "het verschil is waarschijnlijk geen toeval.",
        "mean": "{label}: de gemiddelde uitkomst van het model is het laagst voor {low} ({low_value}) "
        "en het hoogst voor {high} ({high_value}).",
        "error": "De gemiddelde fout (schatting min werkelijke waarde) loopt per groep van "
        "{low_value} ({low}) tot {high_value} ({high}).",
        "suppressed": "Niet getoond, omdat ze minder dan {n} gevallen hebben: {groups}.",
        "none": "Dit model heeft geen beschermde gegevens om groepen op te vergelijken.",
        "multiclass": "Voor modellen met meer dan twee uitkomsten rekenen we geen groepscijfers uit.",
    },
    "en": {
        "few": "{label}: too few groups with enough cases to compare.",
        "ratio": "{label}: the group selected least often ({low}, {low_rate}) is selected {pct} as "
        "often as the group selected most often ({high}, {high_rate}).",
        "passes": "That meets the four-fifths rule.",
        "fails": "That does not meet the four-fifths rule.",
        "overlap": "The margins of uncertainty of those two groups overlap: the difference may be chance.",
        "apart": "The margins of uncertainty of those two groups do not overlap: "
        "the difference is probably not chance.",
        "mean": "{label}: the model's average outcome is lowest for {low} ({low_value}) "
        "and highest for {high} ({high_value}).",
        "error": "The average error (estimate minus true value) ranges by group from "
        "{low_value} ({low}) to {high_value} ({high}).",
        "suppressed": "Not shown because they have fewer than {n} cases: {groups}.",
        "none": "This model has no protected details to compare groups on.",
        "multiclass": "We do not compute group figures for models with more than two outcomes.",
    },
}


def percent(value: float, locale: str) -> str:
    return fmt.number(round(100 * value), locale, decimals=0) + "%"


def _amount(value: float, report: dict, locale: str) -> str:
    unit = report.get("outcome_unit")
    step = report.get("round_to") or fmt.nice_step(value)
    text = fmt.quantity(abs(fmt.round_to(value, step)), unit, locale)
    return ("−" if value < 0 and fmt.round_to(value, step) != 0 else "") + text


def _overlap(a, b) -> bool | None:
    if not a or not b:
        return None
    return a[0] <= b[1] and b[0] <= a[1]


def describe_fairness(report: dict, locale: str = "nl") -> list[str]:
    """Sentences per attribute that state only figures present in ``report``."""
    lang = fmt.lang(locale)
    t = T[lang]
    if report.get("task") == "multiclass":
        return [t["multiclass"]]
    if not report.get("attributes"):
        return [t["none"]]
    lines = []
    for attr in report["attributes"]:
        label, groups = attr["label"][lang], attr["groups"]
        if report.get("task", "binary") == "binary":
            lines.extend(_binary(attr, label, groups, t, locale))
        else:
            lines.extend(_regression(attr, label, groups, report, t, locale))
        if attr.get("suppressed"):
            names = ", ".join(s["label"][lang] for s in attr["suppressed"])
            lines.append(t["suppressed"].format(n=report["min_group_size"], groups=names))
    return lines


def _binary(attr, label, groups, t, locale) -> list[str]:
    lang = fmt.lang(locale)
    check = attr["summary"]["four_fifths"]
    if check["ratio"] is None:
        return [t["few"].format(label=label)]
    low = min(groups, key=lambda g: (g["selection_rate"], g["group"]))
    high = max(groups, key=lambda g: (g["selection_rate"], g["group"]))
    lines = [
        t["ratio"].format(
            label=label,
            low=low["label"][lang],
            low_rate=percent(low["selection_rate"], locale),
            high=high["label"][lang],
            high_rate=percent(high["selection_rate"], locale),
            pct=percent(check["ratio"], locale),
        )
        + " "
        + t["passes" if check["passes"] else "fails"]
    ]
    overlap = _overlap(low.get("selection_rate_ci"), high.get("selection_rate_ci"))
    if overlap is not None and low is not high:
        lines.append(t["overlap" if overlap else "apart"])
    return lines


def _regression(attr, label, groups, report, t, locale) -> list[str]:
    lang = fmt.lang(locale)
    if len(groups) < 2:
        return [t["few"].format(label=label)]
    low = min(groups, key=lambda g: (g["mean_prediction"], g["group"]))
    high = max(groups, key=lambda g: (g["mean_prediction"], g["group"]))
    lines = [
        t["mean"].format(
            label=label,
            low=low["label"][lang],
            low_value=_amount(low["mean_prediction"], report, locale),
            high=high["label"][lang],
            high_value=_amount(high["mean_prediction"], report, locale),
        )
    ]
    overlap = _overlap(low.get("mean_prediction_ci"), high.get("mean_prediction_ci"))
    if overlap is not None:
        lines.append(t["overlap" if overlap else "apart"])
    if all(g.get("mean_error") is not None for g in groups):
        lo = min(groups, key=lambda g: (g["mean_error"], g["group"]))
        hi = max(groups, key=lambda g: (g["mean_error"], g["group"]))
        lines.append(
            t["error"].format(
                low=lo["label"][lang],
                low_value=_amount(lo["mean_error"], report, locale),
                high=hi["label"][lang],
                high_value=_amount(hi["mean_error"], report, locale),
            )
        )
    return lines
