"""Counterfactuals: what would have changed the outcome — never a protected attribute."""

from __future__ import annotations

import json

from explain import Explainer, counterfactual, narrate_counterfactual, parse_spec


def test_counterfactuals_never_touch_protected_or_unchangeable_features(sample):
    s = sample("slimme_check")
    allowed = {f.name for f in s.spec.features if f.changeable and not f.protected}
    protected = {f.name for f in s.spec.features if f.protected}
    assert protected == {"leeftijdsgroep"}
    found = 0
    for i in range(40):
        cf = counterfactual(s.explainer, s.row(i), reference=s.reference)
        assert {c.feature for c in cf.changes} <= allowed
        if cf.found:
            found += 1
            assert (cf.new_outcome >= 0.4) != (cf.old_outcome >= 0.4)
    assert found > 0


def test_a_flagged_listing_gets_a_change_within_the_allowed_ranges(sample):
    s = sample("vakantieverhuur")
    scores = s.explainer.outcome_values(s.reference)
    flagged = [int(i) for i in scores.argsort() if scores[i] >= 0.5][:10]
    results = [counterfactual(s.explainer, s.row(i), reference=s.reference) for i in flagged]
    cf = next(r for r in results if r.found)
    assert cf.old_outcome >= 0.5 > cf.new_outcome
    for change in cf.changes:
        feat = s.spec.feature(change.feature)
        assert feat.changeable and not feat.protected
        if feat.kind == "number":
            assert feat.min <= change.new <= feat.max
    lines = narrate_counterfactual(cf, s.spec, "nl")
    assert lines[0] == "Met deze verandering was de uitkomst anders geweest:"
    assert lines[-1] == "De uitkomst was dan: geen signaal."
    json.dumps(cf.to_dict())


def test_a_regression_counterfactual_moves_the_outcome_by_the_stated_amount(sample):
    s = sample("woz")
    cf = counterfactual(s.explainer, s.row(0), reference=s.reference, target_change=-25000)
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


def test_the_toy_protected_feature_is_never_changed(toy_models):
    model, spec, ref = toy_models["rf_binary"]
    explainer = Explainer.build(model, spec, ref)
    for i in range(25):
        cf = counterfactual(explainer, ref[spec.names].iloc[i].to_dict(), reference=ref)
        assert "leeftijd" not in {c.feature for c in cf.changes}
        assert "x2" not in {c.feature for c in cf.changes}  # not marked changeable
