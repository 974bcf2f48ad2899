"""ONNX models: a sampled Shapley estimate that always adds up, labelled with its error
measured against shap's exact explainer; damaged and hostile files refused with a reason."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from explain.errors import ExplainerError, IntakeError
from explain.methods.onnx import OnnxExplainer, load_onnx
from tests.explain.kinds_data import bundled

onnx = pytest.importorskip("onnx")
skl2onnx = pytest.importorskip("skl2onnx")


def export(model, x, path, **options):
    path.write_bytes(skl2onnx.to_onnx(model, x[:1].astype(np.float32), **options).SerializeToString())
    return path


@pytest.fixture(scope="module")
def cancer(tmp_path_factory):
    frame, spec, _ = bundled("breast_cancer", 8)
    x = frame[spec.names].to_numpy(np.float32)
    model = RandomForestClassifier(60, max_depth=5, random_state=0).fit(x, frame["doel"])
    path = export(model, x, tmp_path_factory.mktemp("onnx") / "cancer.onnx")
    explainer = OnnxExplainer(load_onnx(path), spec, frame, background_size=40, accuracy_rows=4)
    return frame, spec, model, path, explainer


def test_the_onnx_model_gives_the_same_chances_as_the_model_it_came_from(cancer):
    frame, spec, model, _, explainer = cancer
    rows = frame[spec.names].iloc[:50]
    want = model.predict_proba(rows.to_numpy(np.float32))[:, 1]
    assert explainer.outcome_values(rows) == pytest.approx(want, abs=1e-6)
    got = np.array([e.score for e in explainer.explain_many(rows)])
    assert got == pytest.approx(want, abs=1e-6)


def test_the_estimate_adds_up_to_the_chance_and_starts_from_the_average_chance(cancer):
    frame, spec, model, _, explainer = cancer

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, len(frame) - 1))
    def check(i):
        exp = explainer.explain(frame[spec.names].iloc[i].to_dict())
        assert abs(exp.base_value + sum(exp.contributions.values()) - exp.score) <= 1e-6
        assert exp.scale == "probability" and exp.method == "permutation"

    check()
    exp = explainer.explain(frame[spec.names].iloc[0].to_dict())
    background = explainer.background.astype(np.float32)
    assert exp.base_value == pytest.approx(model.predict_proba(background)[:, 1].mean(), abs=1e-6)


def test_the_stored_error_is_the_difference_with_shap_exact_on_the_checked_rows(cancer):
    frame, spec, _, _, explainer = cancer
    acc = explainer.accuracy
    assert acc["kind"] == "estimate" and acc["compared_with"] == "exact" and acc["unit"] == "points"
    pick = np.sort(np.random.default_rng(1).choice(len(frame), 4, replace=False))
    x = frame[spec.names].iloc[pick].to_numpy(float)
    masker = shap.maskers.Independent(explainer.background, max_samples=len(explainer.background))
    exact = shap.explainers.Exact(explainer._target, masker)(x, silent=True).values
    estimate = np.array([[e.contributions[n] for n in spec.names]
                         for e in explainer.explain_many(frame[spec.names].iloc[pick])])
    assert acc["max_abs_error"] == pytest.approx(np.abs(estimate - exact).max() * 100, abs=1e-9)
    assert acc["max_abs_error"] < 5  # within a few points of exact for this model
    # the same case gets the same numbers, whatever was explained before it
    again = explainer.explain_many(frame[spec.names].iloc[pick[::-1]])[::-1]
    assert [[e.contributions[n] for n in spec.names] for e in again] == estimate.tolist()
    data = explainer.explain(frame[spec.names].iloc[0].to_dict()).to_dict()
    assert data["accuracy"] == acc and data["versions"]["onnxruntime"]
    assert data["settings"]["background_size"] == 40 and len(data["model_sha256"]) == 64


def test_regression_and_multiclass_onnx_models_are_explained(tmp_path):
    frame, spec, _ = bundled("diabetes")
    x = frame[spec.names].to_numpy(np.float32)
    model = GradientBoostingRegressor(n_estimators=40, random_state=0).fit(x, frame["doel"])
    explainer = OnnxExplainer(load_onnx(export(model, x, tmp_path / "d.onnx")), spec, frame,
                              background_size=20, accuracy_rows=2)
    exp = explainer.explain(frame[spec.names].iloc[3].to_dict())
    assert exp.scale == "value" and exp.prediction == pytest.approx(model.predict(x[3:4])[0], rel=1e-5)
    assert abs(exp.base_value + sum(exp.contributions.values()) - exp.output_value) <= 1e-6
    assert explainer.accuracy["unit"] == "value"

    frame, spec, _ = bundled("iris")
    x = frame[spec.names].to_numpy(np.float32)
    model = LogisticRegression(max_iter=1000).fit(x, frame["doel"])
    path = export(model, x, tmp_path / "i.onnx", options={"zipmap": False})
    explainer = OnnxExplainer(load_onnx(path), spec, frame, background_size=30, accuracy_rows=3)
    for i in (0, 60, 120):
        exp = explainer.explain(frame[spec.names].iloc[i].to_dict())
        assert exp.prediction == str(model.predict(x[i:i + 1])[0])
        chance = exp.probabilities[exp.prediction]
        assert abs(exp.base_value + sum(exp.contributions.values()) - chance) <= 1e-6


def test_twenty_inputs_use_a_longer_sampled_run_as_the_comparison(tmp_path):
    frame, spec, _ = bundled("breast_cancer", 20)
    x = frame[spec.names].to_numpy(np.float32)
    model = LogisticRegression(max_iter=3000).fit(x, frame["doel"])
    explainer = OnnxExplainer(load_onnx(export(model, x, tmp_path / "m.onnx")), spec, frame,
                              background_size=30, accuracy_rows=2)
    assert explainer.accuracy["compared_with"] == "permutation ×20"
    exp = explainer.explain(frame[spec.names].iloc[9].to_dict())
    assert abs(exp.base_value + sum(exp.contributions.values()) - exp.score) <= 1e-6


def _refused(path, code):
    with pytest.raises(IntakeError) as info:
        load_onnx(path)
    assert info.value.code == code, info.value.message("en")
    assert info.value.message("nl") != info.value.message("en")
    return info.value


def test_hostile_and_damaged_onnx_files_are_refused_with_a_reason(tmp_path, cancer):
    whole = cancer[3].read_bytes()
    (tmp_path / "p.onnx").write_bytes(pickle.dumps(object))
    assert "pickle" in _refused(tmp_path / "p.onnx", "pickle_refused").message("nl")
    (tmp_path / "t.onnx").write_bytes(whole[: len(whole) * 2 // 3])
    err = _refused(tmp_path / "t.onnx", "onnx_damaged")
    assert "afgebroken" in err.message("nl") and "truncated" in err.message("en")
    (tmp_path / "r.onnx").write_bytes(b"\x08\x07 this is not protobuf at all")
    _refused(tmp_path / "r.onnx", "onnx_damaged")
    (tmp_path / "w.pb").write_bytes(whole)
    _refused(tmp_path / "w.pb", "wrong_format")


def _tiny(path, *, domain="", external=False):
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((2, 1), np.float32), "w")
    if external:
        weight.ClearField("raw_data")
        weight.data_location = TensorProto.EXTERNAL
        weight.external_data.add(key="location", value="../../etc/passwd")
    node = helper.make_node("MatMul", ["x", "w"], ["y"], domain=domain)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], [weight])
    opsets = [helper.make_opsetid("", 17)] + ([helper.make_opsetid(domain, 1)] if domain else [])
    path.write_bytes(helper.make_model(graph, opset_imports=opsets).SerializeToString())
    return path


def test_custom_operators_and_external_weights_are_refused(tmp_path):
    assert load_onnx(_tiny(tmp_path / "ok.onnx")).n_inputs == 2
    _refused(_tiny(tmp_path / "c.onnx", domain="com.example.custom"), "onnx_custom_ops")
    refused = pytest.raises(IntakeError, load_onnx, _tiny(tmp_path / "e.onnx", external=True))
    assert refused.value.code in {"onnx_external_data", "onnx_damaged"}


def test_a_spec_with_categories_or_another_number_of_inputs_is_refused(cancer):
    frame, _, _, path, _ = cancer
    _, other, _ = bundled("breast_cancer", 5)
    with pytest.raises(ExplainerError) as info:
        OnnxExplainer(load_onnx(path), other, frame)
    assert info.value.code == "onnx_spec"
