"""Narratives for residents, in Dutch and English, with numbers formatted per locale."""

from __future__ import annotations

import dataclasses
import re

import pytest

from explain import Explainer, narrate

WOZ_ROW = {
    "wijk": "zuid",
    "woningtype": "appartement",
    "woonoppervlak": "120",
    "perceeloppervlak": "0",
    "bouwjaar": "1932",
    "energielabel": "C",
    "onderhoudsstaat": "goed",
    "parkeerplaats": "nee",
}


def test_woz_narrative_in_dutch_uses_euros_with_dots_and_plain_words(sample):
    s = sample("woz")
    exp = s.explainer.explain(WOZ_ROW)
    story = narrate(exp, s.spec, "nl")
    assert story.outcome.startswith("Het model schat de WOZ-waarde van uw woning op € ")
    assert re.search(r"€ \d{1,3}(\.\d{3})+\.", story.outcome)
    assert len(story.factors) == 3
    assert any(
        f.startswith("Uw woonoppervlak van 120 m² verhoogt de waarde met € ") for f in story.factors
    )
    assert story.other_factors.startswith("De andere 5 gegevens samen ")
    assert story.contrast.startswith("Voor een gemiddeld geval schat het model de waarde op € ")
    assert all(len(sentence.split()) <= 25 for sentence in story.sentences())  # short sentences


def test_woz_narrative_in_english_uses_euros_with_commas(sample):
    s = sample("woz")
    story = narrate(s.explainer.explain(WOZ_ROW), s.spec, "en")
    assert story.outcome.startswith("The model estimates the WOZ value of your home at €")
    assert re.search(r"€\d{1,3}(,\d{3})+\.", story.outcome)
    assert any(
        f.startswith("Your floor area of 120 m² raises the value by €") for f in story.factors
    )
    assert story.contrast.startswith("For an average case")


def test_the_top_factors_are_the_largest_contributions_in_order(sample):
    s = sample("woz")
    exp = s.explainer.explain(WOZ_ROW)
    story = narrate(exp, s.spec, "nl")
    assert [d.feature for d in story.details] == [name for name, _ in exp.ranked()[:3]]
    for detail in story.details:
        assert detail.direction == ("up" if exp.contributions[detail.feature] >= 0 else "down")


def test_a_classification_narrative_speaks_of_a_chance_in_percentage_points(sample):
    s = sample("slimme_check")
    exp = s.explainer.explain(s.row(2))
    assert exp.scale == "probability"
    nl, en = narrate(exp, s.spec, "nl"), narrate(exp, s.spec, "en")
    assert nl.outcome.startswith("Uw risicoscore is ") and "Vanaf 40% volgt" in nl.outcome
    assert en.outcome.startswith("Your risk score is ") and "From 40%" in en.outcome
    assert all(("procentpunt" in f) or ("bijna geen invloed" in f) for f in nl.factors)
    assert all(("percentage point" in f) or ("almost no effect" in f) for f in en.factors)
    # factors are percentage points of the chance itself: base + factors = the chance
    display = exp.display()
    assert abs(display.base + sum(display.contributions.values()) - display.output) < 1e-9
    assert display.output == pytest.approx(100 * exp.score)
    assert display.base == pytest.approx(100 * exp.base_value)
    assert "Gemiddeld over 100 voorbeeldgevallen is de score" in nl.contrast


@pytest.mark.parametrize("score", [0.4953, 0.49999999, 0.5, 0.50001, 0.4949])
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_words_and_outcome_agree_at_the_threshold(sample, score, locale):
    s = sample("vakantieverhuur")
    exp = s.explainer.explain(s.row(0))
    flagged = score >= 0.5
    exp = dataclasses.replace(exp, score=score, flagged=flagged, prediction="1" if flagged else "0")
    text = narrate(exp, s.spec, locale).outcome
    shown = re.search(r" is (?:precies |exactly )?(\d+(?:[.,]\d+)?)%", text)
    if shown:  # any number shown is on the same side of the limit as the outcome
        value = float(shown.group(1).replace(",", "."))
        assert (value >= 50) == flagged, text
    else:
        assert ("net onder de grens" in text or "just below the limit" in text) and not flagged
    outcome = "een signaal voor onderzoek" if locale == "nl" else "a signal for inspection"
    tail = text.split(": ")[-1]
    assert (outcome in tail) == flagged, text


def test_narratives_are_deterministic(sample):
    s = sample("vakantieverhuur")
    exp = s.explainer.explain(s.row(4))
    assert narrate(exp, s.spec, "nl") == narrate(exp, s.spec, "nl")
    assert narrate(exp, s.spec, "en").text != narrate(exp, s.spec, "nl").text


def test_a_multiclass_narrative_uses_words_for_size(toy_models):
    model, spec, ref = toy_models["rf_multi"]
    explainer = Explainer.build(model, spec, ref)
    exp = explainer.explain(ref[spec.names].iloc[0].to_dict())
    story = narrate(exp, spec, "nl")
    assert story.outcome.startswith("De uitkomst van het model is: klasse ")
    assert story.factors and all("mee" in f for f in story.factors)
    assert narrate(exp, spec, "en").outcome.startswith("The model's outcome is: class ")
