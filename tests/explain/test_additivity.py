"""Additivity: base value + contributions = model output, for every kind of model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explain import Explainer, Explanation

SAMPLES = ["woz", "slimme_check", "vakantieverhuur"]
FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def row_strategy(spec):
    parts = {}
    for feat in spec.features:
        if feat.kind == "number":
            if feat.integer:
                parts[feat.name] = st.integers(int(feat.min), int(feat.max)).map(float)
            else:
                parts[feat.name] = st.floats(feat.min, feat.max, allow_nan=False)
        elif feat.kind == "yes_no":
            parts[feat.name] = st.booleans()
        else:
            parts[feat.name] = st.sampled_from(feat.category_values())
    return st.fixed_dictionaries(parts)


def assert_additive(exp: Explanation, names):
    assert list(exp.contributions) == names
    total = exp.base_value + sum(exp.contributions.values())
    assert abs(total - exp.output_value) <= 1e-6 * max(1.0, abs(exp.output_value))


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_models_are_additive_on_random_rows(sample, name):
    s = sample(name)

    @FAST
    @given(row=row_strategy(s.spec))
    def check(row):
        assert_additive(s.explainer.explain(row), s.spec.names)

    check()


@pytest.mark.parametrize(
    "name",
    [
        "gbr",
        "ridge",
        "gbc_binary",
        "rf_binary",
        "logit_binary",
        "gbc_multi",
        "rf_multi",
        "logit_multi",
    ],
)
def test_pipelines_with_one_hot_features_are_additive(toy_models, name):
    model, spec, ref = toy_models[name]
    explainer = Explainer.build(model, spec, ref)
    assert explainer.method in {"tree", "linear", "exact"}

    @FAST
    @given(row=row_strategy(spec))
    def check(row):
        exp = explainer.explain(row)
        assert_additive(exp, spec.names)
        if exp.task == "binary":  # the chance the resident reads: base + factors = score
            assert exp.scale == "probability" and exp.output_value == exp.score
        if exp.task == "multiclass":
            assert exp.prediction == exp.explained_class
            assert exp.prediction == max(exp.probabilities, key=exp.probabilities.get)

    check()


def test_the_output_is_the_models_own_chance(toy_models):
    model, spec, ref = toy_models["gbc_binary"]
    explainer = Explainer.build(model, spec, ref)
    rows = ref[spec.names].head(20)
    exps = explainer.explain_many(rows)
    flagged = list(model.classes_).index("ja")
    proba = model.predict_proba(rows)[:, flagged]
    np.testing.assert_allclose([e.output_value for e in exps], proba, atol=1e-12)
    np.testing.assert_allclose([e.score for e in exps], proba)
    assert all(e.scale == "probability" for e in exps)
    background = ref[spec.names].iloc[explainer.background_index]
    mean_chance = model.predict_proba(background)[:, flagged].mean()
    assert all(e.base_value == pytest.approx(mean_chance, abs=1e-9) for e in exps)


@pytest.mark.parametrize("kind", ["hgb", "mlp", "knn", "svc"])
def test_every_yes_no_model_kind_is_additive_on_the_chance(toy_models, toys, kind):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    _unused, spec, ref = toy_models["logit_binary"]
    final = {"hgb": HistGradientBoostingClassifier(max_iter=20, random_state=0),
             "mlp": MLPClassifier((6,), max_iter=300, random_state=0),
             "knn": KNeighborsClassifier(15),
             "svc": SVC(probability=True, random_state=0)}[kind]
    model = toys.pipeline(final).fit(ref[spec.names], ref["y"])
    explainer = Explainer.build(model, spec, ref, background_size=40)
    flagged = list(model.classes_).index("ja")

    @FAST
    @given(row=row_strategy(spec))
    def check(row):
        exp = explainer.explain(row)
        assert exp.scale == "probability"
        assert_additive(exp, spec.names)
        frame = spec.to_frame([spec.validate_inputs(row, "en")[0]])
        assert exp.score == pytest.approx(model.predict_proba(frame)[0, flagged], abs=1e-12)

    check()


def test_the_model_agnostic_estimate_is_additive_and_in_original_features(toy_models):
    model, spec, ref = toy_models["knn_binary"]
    explainer = Explainer.build(model, spec, ref, method="permutation", background_size=40, permutations=4)
    assert explainer.method == "permutation"
    for exp in explainer.explain_many(ref[spec.names].head(5)):
        assert_additive(exp, spec.names)
        assert exp.scale == "probability"
        assert exp.output_value == pytest.approx(exp.score)


def test_batch_and_single_explanations_agree(sample):
    s = sample("woz")
    rows = s.reference[s.spec.names].head(10)
    batch = s.explainer.explain_many(rows)
    for i, exp in enumerate(batch):
        single = s.explainer.explain(rows.iloc[i].to_dict())
        assert single.contributions == pytest.approx(exp.contributions)


def test_one_hot_columns_are_grouped_back_into_their_feature(sample):
    s = sample("woz")
    exp = s.explainer.explain(s.row(0))
    assert set(exp.contributions) == set(s.spec.names)
    assert s.explainer.group.shape[1] == len(s.spec.names)
    assert s.explainer.group.shape[0] > len(s.spec.names)  # encoded columns outnumber inputs


def test_an_explanation_records_how_it_was_made_and_survives_json(sample):
    s = sample("slimme_check")
    exp = s.explainer.explain(s.row(1))
    data = json.loads(json.dumps(exp.to_dict()))
    assert data["model_sha256"] == s.model.sha256
    assert data["method"] == "exact" and data["scale"] == "probability"
    assert {"shap", "scikit-learn", "numpy", "explain"} <= set(data["versions"])
    assert data["settings"]["feature_perturbation"] == "interventional"
    again = Explanation.from_dict(data)
    assert again.contributions == pytest.approx(exp.contributions)
    assert again.additivity_gap() < 1e-9


def test_missing_optional_inputs_are_imputed(toy_models):
    model, spec, ref = toy_models["gbr"]
    explainer = Explainer.build(model, spec, ref)
    exp = explainer.explain({"buurt": "a", "leeftijd": "oud", "x1": "3", "x2": "", "vlag": "nee"})
    assert_additive(exp, spec.names)
    assert exp.inputs["x2"] is None or exp.inputs["x2"] != exp.inputs["x2"]


def test_toy_data_is_reproducible(toys):
    a, _ = toys.data(seed=3)
    b, _ = toys.data(seed=3)
    assert a.equals(b)
