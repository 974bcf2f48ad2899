"""Fairness by group for every protected input and attribute; small groups suppressed (named by
label); a bootstrap range per group; the sentences say only what the computed tables say."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from explain import Explainer, describe_fairness, fairness_report, parse_spec


def _attr(report, name):
    return next(a for a in report["attributes"] if a["attribute"] == name)


def test_groups_under_30_rows_are_suppressed_named_by_label_and_left_out(sample):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference)
    json.dumps(report)
    counts = s.reference["nationaliteitsgroep"].value_counts()
    assert counts["onbekend"] < 30
    nat = _attr(report, "nationaliteitsgroep")
    assert [g["group"] for g in nat["suppressed"]] == ["onbekend"]
    label = s.spec.feature("nationaliteitsgroep").format_value("onbekend", "en")
    assert nat["suppressed"][0]["label"]["en"] == label
    assert "onbekend" not in {g["group"] for g in nat["groups"]}
    assert all(g["n"] >= 30 for g in nat["groups"])
    rates = [g["selection_rate"] for g in nat["groups"]]
    assert nat["summary"]["selection_rate"]["max"] == max(rates)
    assert any(label in line for line in describe_fairness(report, "en"))


def test_every_protected_input_and_fairness_attribute_is_checked(sample):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference)
    assert [a["attribute"] for a in report["attributes"]] == ["leeftijdsgroep", "nationaliteitsgroep"]
    assert [a["kind"] for a in report["attributes"]] == ["input", "fairness_only"]


def test_each_group_has_a_bootstrap_range_around_its_figure(sample):
    s = sample("slimme_check")
    nat = _attr(fairness_report(s.explainer, s.reference), "nationaliteitsgroep")
    scores = s.explainer.outcome_values(s.reference)
    for g in nat["groups"]:
        rows = (s.reference["nationaliteitsgroep"] == g["group"]).to_numpy()
        assert g["selection_rate"] == pytest.approx(float((scores[rows] >= 0.4).mean()))
        lo, hi = g["selection_rate_ci"]
        assert lo <= g["selection_rate"] <= hi and hi - lo > 0
        for key in ("false_positive_rate", "false_negative_rate"):
            lo, hi = g[key + "_ci"]
            assert lo - 1e-9 <= g[key] <= hi + 1e-9
        assert g["selection_rate_ratio"] == pytest.approx(g["selection_rate"] / nat["summary"]["selection_rate"]["max"])


def test_the_slimme_check_shows_a_measurable_disparity_by_nationality_group(sample):
    s = sample("slimme_check")
    nat = _attr(fairness_report(s.explainer, s.reference), "nationaliteitsgroep")
    by = {g["group"]: g for g in nat["groups"]}
    assert by["buiten_eu"]["selection_rate"] > 1.5 * by["nederlands"]["selection_rate"]
    assert by["buiten_eu"]["false_positive_rate"] > by["nederlands"]["false_positive_rate"]
    assert nat["summary"]["four_fifths"]["passes"] is False


def _percentages(line: str) -> list[float]:
    return [float(x.replace(",", ".")) for x in re.findall(r"(\d+(?:[.,]\d+)?)%", line)]


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_fairness_sentences_state_the_computed_figures(sample, locale):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference)
    lines = describe_fairness(report, locale)
    for attr in report["attributes"]:
        label = attr["label"][locale]
        line = next(li for li in lines if li.startswith(label + ":"))
        low = min(attr["groups"], key=lambda g: g["selection_rate"])
        high = max(attr["groups"], key=lambda g: g["selection_rate"])
        assert low["label"][locale] in line and high["label"][locale] in line
        low_rate, pct, high_rate = _percentages(line)
        assert low_rate == round(100 * low["selection_rate"])
        assert high_rate == round(100 * high["selection_rate"])
        assert pct == round(100 * attr["summary"]["four_fifths"]["ratio"])
        passes = attr["summary"]["four_fifths"]["passes"]
        rule = {"nl": "voldoet niet aan de vier-vijfderegel", "en": "does not meet the four-fifths rule"}[locale]
        assert (rule in line) == (not passes)
        overlap = low["selection_rate_ci"][0] <= high["selection_rate_ci"][1] and \
            high["selection_rate_ci"][0] <= low["selection_rate_ci"][1]
        nxt = lines[lines.index(line) + 1]
        assert ("kan toeval zijn" in nxt or "may be chance" in nxt) == overlap


def test_the_minimum_group_size_is_a_setting(sample):
    s = sample("slimme_check")
    report = fairness_report(s.explainer, s.reference, min_group_size=5)
    assert _attr(report, "nationaliteitsgroep")["suppressed_groups"] == []
    strict = fairness_report(s.explainer, s.reference, min_group_size=10_000)
    nat = _attr(strict, "nationaliteitsgroep")
    assert nat["groups"] == [] and nat["summary"]["four_fifths"]["passes"] is None
    assert any("too few groups" in line for line in describe_fairness(strict, "en"))
    assert not any("four-fifths rule" in line for line in describe_fairness(strict, "en"))


def test_protected_model_inputs_are_checked_too(toy_models):
    model, spec, ref = toy_models["logit_binary"]
    report = fairness_report(Explainer.build(model, spec, ref), ref)
    assert [a["attribute"] for a in report["attributes"]] == ["leeftijd"]
    assert report["outcomes_known"] is True


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_a_regression_model_gets_mean_prediction_and_mean_error_per_group(toy_models, locale):
    model, spec, ref = toy_models["gbr"]
    explainer = Explainer.build(model, spec, ref)
    report = fairness_report(explainer, ref)
    attr = _attr(report, "leeftijd")
    predictions = explainer.outcome_values(ref)
    for g in attr["groups"]:
        rows = (ref["leeftijd"] == g["group"]).to_numpy()
        assert g["mean_prediction"] == pytest.approx(predictions[rows].mean())
        assert g["mean_error"] == pytest.approx((predictions[rows] - ref["y"].to_numpy()[rows]).mean())
        assert g["mean_prediction_ci"][0] <= g["mean_prediction"] <= g["mean_prediction_ci"][1]
    lines = describe_fairness(report, locale)
    first = lines[0]
    assert first.startswith(spec.feature("leeftijd").label[locale] + ":")
    low = min(attr["groups"], key=lambda g: g["mean_prediction"])
    assert low["label"][locale] in first
    assert not any("four-fifths" in line or "vier-vijfde" in line for line in lines)


def test_a_number_protected_input_is_compared_in_bands(toy_models):
    model, spec, ref = toy_models["gbr"]
    raw = spec.to_dict()
    for feat in raw["features"]:
        feat["protected"] = feat["name"] == "x1"
        feat["changeable"] = False
    banded = parse_spec(raw)
    report = fairness_report(Explainer.build(model, banded, ref), ref)
    attr = _attr(report, "x1")
    assert [g["group"] for g in attr["groups"]] == ["q1", "q2", "q3", "q4"]
    assert all(g["label"]["nl"].startswith("van ") for g in attr["groups"])
    assert sum(g["n"] for g in attr["groups"]) == int(np.isfinite(ref["x1"]).sum())


def test_a_model_without_protected_details_says_so_and_promises_nothing(sample):
    s = sample("woz")
    report = fairness_report(s.explainer, s.reference)
    assert report["attributes"] == []
    assert describe_fairness(report, "nl") == ["Dit model heeft geen beschermde gegevens om groepen op te vergelijken."]
