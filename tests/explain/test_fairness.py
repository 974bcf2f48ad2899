"""Fairness figures by group; small groups are suppressed, not shown."""

from __future__ import annotations

import json

from explain import Explainer, describe_fairness, fairness_report


def _attr(report, name):
    return next(a for a in report["attributes"] if a["attribute"] == name)


def test_groups_under_30_rows_are_suppressed_and_left_out_of_the_comparison(sample):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference)
    json.dumps(report)
    counts = s.reference["nationaliteitsgroep"].value_counts()
    assert counts["onbekend"] < 30
    nat = _attr(report, "nationaliteitsgroep")
    assert nat["suppressed_groups"] == ["onbekend"]
    assert "onbekend" not in {g["group"] for g in nat["groups"]}
    assert all(g["n"] >= 30 for g in nat["groups"])
    rates = [g["selection_rate"] for g in nat["groups"]]
    assert nat["summary"]["selection_rate"]["max"] == max(rates)


def test_the_slimme_check_shows_a_measurable_disparity_by_nationality_group(sample):
    s = sample("slimme_check")
    nat = _attr(fairness_report(s.explainer, s.reference), "nationaliteitsgroep")
    by = {g["group"]: g for g in nat["groups"]}
    assert by["buiten_eu"]["selection_rate"] > 1.5 * by["nederlands"]["selection_rate"]
    assert by["buiten_eu"]["false_positive_rate"] > by["nederlands"]["false_positive_rate"]
    assert nat["summary"]["four_fifths"]["passes"] is False
    lines = describe_fairness({"min_group_size": 30, "attributes": [nat]}, "nl")
    assert "voldoet niet aan de vier-vijfderegel" in lines[0]
    assert lines[1] == "Groepen kleiner dan 30 tonen we niet."


def test_the_minimum_group_size_is_a_setting(sample):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference, min_group_size=5)
    assert _attr(report, "nationaliteitsgroep")["suppressed_groups"] == []
    strict = fairness_report(s.explainer, s.reference, min_group_size=10_000)
    nat = _attr(strict, "nationaliteitsgroep")
    assert nat["groups"] == [] and nat["summary"]["four_fifths"]["passes"] is None


def test_protected_model_inputs_are_checked_too(toy_models):
    model, spec, ref = toy_models["logit_binary"]
    report = fairness_report(Explainer.build(model, spec, ref), ref)
    assert [a["attribute"] for a in report["attributes"]] == ["leeftijd"]
    assert report["outcomes_known"] is True


def test_regression_models_get_a_note_instead_of_figures(sample):
    s = sample("woz")
    report = fairness_report(s.explainer, s.reference)
    assert report["attributes"] == [] and "yes/no" in report["note"]
