"""Counterfactuals: what would have changed the outcome — as shown, within what is realistic,
never a protected attribute, and checked over every reference row of every sample model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from explain import (
    Explainer,
    counterfactual,
    counterfactual_data,
    describe_constraints,
    narrate_counterfactual,
    parse_spec,
)
from explain.counterfactual import space_of


def _target(explainer, row):
    if explainer.task != "regression":
        return None
    value = explainer.outcome_values(explainer.spec.to_columns([row]))[0]
    return -max(1000, round(value * 0.10 / 1000) * 1000)  # as the register asks: 10% lower


def _reaches(explainer, before, after, target):
    if explainer.task == "regression":
        return after - before <= target
    threshold = explainer.spec.outcome.threshold
    return (after >= threshold) != (before >= threshold)


@pytest.mark.parametrize("name", ["woz", "slimme_check", "vakantieverhuur"])
def test_every_suggested_change_holds_as_displayed_for_every_reference_row(sample, name):
    s = sample(name)
    ex, spec = s.explainer, s.spec
    space = space_of(ex)
    found = 0
    for i in range(len(s.reference)):
        row = s.row(i)
        target = _target(ex, row)
        cf = counterfactual(ex, row, target_change=target)
        assert {c.feature for c in cf.changes} <= {f.name for f in spec.features if f.changeable and not f.protected}
        if not cf.found:
            continue
        found += 1
        # the case exactly as the resident reads it, typed back in
        typed = {n: spec.feature(n).format_value(v, "en") for n, v in row.items()}
        typed.update({c.feature: spec.feature(c.feature).format_value(c.new, "en") for c in cf.changes})
        clean, errors = spec.validate_inputs(typed, "en")
        assert not errors, (i, errors)
        before = ex.outcome_values(spec.to_columns([row]))[0]
        after = ex.outcome_values(spec.to_columns([clean]))[0]
        assert _reaches(ex, before, after, target), (i, cf)
        assert after == pytest.approx(cf.new_outcome, abs=1e-9)
        for change in cf.changes:
            feat = spec.feature(change.feature)
            if feat.kind == "number":
                limits = cf.constraints["ranges"][feat.name]
                assert limits["min"] <= change.new <= limits["max"]
                steps = (change.new - limits["min"]) / limits["step"]
                assert abs(steps - round(steps)) < 1e-6
                if feat.integer:
                    assert float(change.new).is_integer()
        distance = space.nearest(spec.to_columns([clean]))[0]
        assert distance <= cf.constraints["max_neighbour_distance"] + 1e-9
    assert found > 0


def test_the_ranges_are_those_seen_in_the_reference_data(sample):
    s = sample("vakantieverhuur")
    cf = counterfactual(s.explainer, s.row(0))
    nights = s.reference["nachten_geadverteerd"]
    limits = cf.constraints["ranges"]["nachten_geadverteerd"]
    assert limits == {"min": float(nights.min()), "max": float(nights.max()), "step": 1.0}


def test_counterfactuals_never_touch_protected_or_unchangeable_features(sample):
    s = sample("slimme_check")
    allowed = {f.name for f in s.spec.features if f.changeable and not f.protected}
    protected = {f.name for f in s.spec.features if f.protected}
    assert protected == {"leeftijdsgroep"}
    for i in range(40):
        cf = counterfactual(s.explainer, s.row(i))
        assert {c.feature for c in cf.changes} <= allowed
        assert cf.constraints["protected"] == ["leeftijdsgroep"]


def test_a_flagged_listing_gets_a_change_named_with_its_rules_and_as_data(sample):
    s = sample("vakantieverhuur")
    scores = s.explainer.outcome_values(s.reference)
    flagged = [int(i) for i in scores.argsort() if scores[i] >= 0.5][:10]
    cf = next(r for r in (counterfactual(s.explainer, s.row(i)) for i in flagged) if r.found)
    assert cf.old_outcome >= 0.5 > cf.new_outcome
    lines = narrate_counterfactual(cf, s.spec, "nl")
    assert lines[0] == "Met deze verandering was de uitkomst anders geweest:"
    assert lines[-1].startswith("De uitkomst was dan: geen signaal (de score: ")
    data = counterfactual_data(cf, s.spec, "en")
    json.dumps(data)
    assert data["found"] and data["outcome_after"] == cf.new_outcome
    assert [(c["feature"], c["to"]) for c in data["changes"]] == [(c.feature, c.new) for c in cf.changes]
    for change in data["changes"]:
        assert any(change["to_text"] in line for line in narrate_counterfactual(cf, s.spec, "en"))
    rules = describe_constraints(cf, s.spec, "en")
    assert rules[0].startswith("How we searched. We only change details you can change yourself:")
    nights = next(line for line in rules if line.startswith("Nights offered per year (advert): from "))
    assert nights.endswith(" nights, in steps of 1.") and nights.count("nights") == 1  # never "1 nights"
    nachten = next(line for line in describe_constraints(cf, s.spec, "nl") if line.startswith("Nachten te huur"))
    assert nachten.endswith(" nachten, in stappen van 1.") and nachten.count("nachten") == 1
    assert any("look like real cases" in line for line in rules)


def test_a_regression_counterfactual_moves_the_outcome_by_the_stated_amount(sample):
    s = sample("woz")
    cf = counterfactual(s.explainer, s.row(0), target_change=-25000)
    assert cf.found
    assert cf.new_outcome - cf.old_outcome <= -25000
    assert all(s.spec.feature(c.feature).changeable for c in cf.changes)
    assert narrate_counterfactual(cf, s.spec, "en")[-1].startswith("The outcome would then be: €")


def test_when_no_realistic_change_exists_we_say_so(toy_models):
    model, spec, ref = toy_models["logit_binary"]
    raw = spec.to_dict()
    for feat in raw["features"]:
        feat["changeable"] = False
    frozen = parse_spec(raw)
    explainer = Explainer.build(model, frozen, ref)
    cf = counterfactual(explainer, ref[frozen.names].iloc[0].to_dict())
    assert not cf.found and cf.changes == []
    assert narrate_counterfactual(cf, frozen, "nl") == [
        (
            "Wij vonden geen kleine, realistische verandering in de gegevens die u zelf kunt "
            "veranderen die de uitkomst anders had gemaakt."
        )
    ]
    assert "no small, realistic change" in narrate_counterfactual(cf, frozen, "en")[0]
    assert describe_constraints(cf, frozen, "nl")[0] == "Dit model heeft geen gegevens die u zelf kunt veranderen."


def test_a_change_far_from_every_real_case_is_not_proposed(toy_models):
    """With the realism limit set below every candidate, nothing is proposed (and we say so)."""
    model, spec, ref = toy_models["rf_binary"]
    explainer = Explainer.build(model, spec, ref)
    space = space_of(explainer)
    row = ref[spec.names].iloc[3].to_dict()
    assert counterfactual(explainer, row).found
    here = space.nearest(spec.to_columns([spec.validate_inputs(row, "en")[0]]))[0]
    saved = space.threshold
    try:
        space.threshold = -1.0
        cf = counterfactual(explainer, row)
        assert cf.found is False or all(
            space.nearest(spec.to_columns([{**row, **{c.feature: c.new for c in cf.changes}}]))[0] <= here + 1e-9
            for _ in [0]
        )
    finally:
        space.threshold = saved


def test_the_toy_protected_feature_is_never_changed(toy_models):
    model, spec, ref = toy_models["rf_binary"]
    explainer = Explainer.build(model, spec, ref)
    for i in range(25):
        cf = counterfactual(explainer, ref[spec.names].iloc[i].to_dict())
        assert "leeftijd" not in {c.feature for c in cf.changes}
        assert "x2" not in {c.feature for c in cf.changes}  # not marked changeable
        for change in cf.changes:
            if spec.feature(change.feature).kind == "number":
                assert np.isfinite(change.new)


@pytest.mark.parametrize("name", ["woz", "slimme_check", "vakantieverhuur"])
def test_candidates_are_the_case_with_only_their_changes_applied(sample, name):
    """The candidate batch the search predicts holds, input by input, exactly the case with each
    candidate's changes applied (numbers, yes/no and categories alike)."""
    s = sample(name)
    spec = s.spec
    clean, errors = spec.validate_inputs(s.row(3), "en")
    assert not errors
    space = space_of(s.explainer)
    changes = [{}] + [{f.name: v} for f in spec.features for v in space.values(f, clean[f.name], 3)]
    changes.append({f.name: space.values(f, clean[f.name], 2)[-1] for f in spec.features[:3]})
    varied, whole = spec.to_columns_varied(clean, changes), spec.to_columns([{**clean, **c} for c in changes])
    assert list(varied) == list(whole) == spec.names
    for name_ in spec.names:
        assert varied[name_].dtype == whole[name_].dtype
        assert len(varied[name_]) == len(changes)
        np.testing.assert_array_equal(varied[name_], whole[name_])
