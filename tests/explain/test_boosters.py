"""XGBoost and LightGBM model files: exact TreeSHAP in the original inputs, on the chance a
resident reads, checked against shap itself; hostile files refused with a reason."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st

from explain import load_reference, load_spec, parse_spec
from explain.errors import ExplainerError, IntakeError
from explain.intake import save_model
from explain.methods.boosters import BoosterExplainer, load_booster
from sample_models import ARTEFACTS
from tests.explain.kinds_data import bundled

xgb = pytest.importorskip("xgboost")
lgb = pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def cancer(tmp_path_factory):
    """Breast-cancer yes/no models trained here: XGBoost (JSON and UBJ) and LightGBM."""
    frame, spec, _ = bundled("breast_cancer")
    x, y = frame[spec.names], frame["doel"].to_numpy()
    folder = tmp_path_factory.mktemp("cancer")
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 4, "nthread": 1, "seed": 1},
                        xgb.DMatrix(x, label=y), 40)
    booster.save_model(folder / "model.json")
    booster.save_model(folder / "model.ubj")
    light = lgb.train({"objective": "binary", "num_leaves": 8, "verbose": -1, "num_threads": 1},
                      lgb.Dataset(x.to_numpy(), label=y, feature_name=spec.names), 40)
    light.save_model(folder / "model.txt")
    return frame, spec, folder


@pytest.mark.parametrize("name", ["model.json", "model.ubj", "model.txt"])
def test_yes_no_contributions_equal_shap_on_the_probability_scale(cancer, name):
    frame, spec, folder = cancer
    loaded = load_booster(folder / name)
    explainer = BoosterExplainer(loaded, spec, frame, background_size=80)
    rows = frame[spec.names].iloc[[0, 7, 19, 300]]
    got = explainer.explain_many(rows)
    background = frame[spec.names].iloc[np.sort(np.random.default_rng(0).choice(len(frame), 80,
                                                                                replace=False))]
    direct = shap.TreeExplainer(loaded.booster, background.to_numpy(), model_output="probability",
                                feature_perturbation="interventional")
    want = direct.shap_values(rows.to_numpy())
    for exp, values in zip(got, want):
        assert [exp.contributions[n] for n in spec.names] == pytest.approx(values, abs=1e-9)
        assert exp.base_value == pytest.approx(float(direct.expected_value), abs=1e-9)
        assert exp.scale == "probability" and exp.accuracy == {"kind": "exact", "method": "tree"}
    # the base is the average chance over the background the resident's case is compared with
    chances = explainer.outcome_values(background)
    assert got[0].base_value == pytest.approx(chances.mean(), abs=1e-6)


def test_additivity_on_the_probability_scale_for_any_case(cancer):
    frame, spec, folder = cancer
    explainer = BoosterExplainer(load_booster(folder / "model.txt"), spec, frame)
    lows, highs = frame[spec.names].min(), frame[spec.names].max()

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.floats(0, 1), min_size=len(spec.names), max_size=len(spec.names)))
    def check(fractions):
        row = {n: float(lows[n] + f * (highs[n] - lows[n])) for n, f in zip(spec.names, fractions)}
        exp = explainer.explain(row)
        shown = explainer.outcome_values(pd.DataFrame([row]))
        assert exp.score == pytest.approx(shown[0], abs=1e-9)
        assert abs(exp.base_value + sum(exp.contributions.values()) - exp.score) <= 1e-6
        assert exp.outputs == {"doel": exp.prediction}

    check()


def test_regression_and_multiclass_add_up_to_the_model_output(tmp_path):
    diabetes, spec, _ = bundled("diabetes")
    booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "nthread": 1},
                        xgb.DMatrix(diabetes[spec.names], label=diabetes["doel"]), 30)
    booster.save_model(tmp_path / "diabetes.json")
    exp = BoosterExplainer(load_booster(tmp_path / "diabetes.json"), spec, diabetes).explain(
        diabetes[spec.names].iloc[5].to_dict())
    assert exp.scale == "value"
    assert exp.base_value + sum(exp.contributions.values()) == pytest.approx(exp.prediction, abs=1e-4)
    assert exp.prediction == pytest.approx(float(booster.predict(xgb.DMatrix(diabetes[spec.names].iloc[[5]]))[0]), abs=1e-5)

    wine, spec, _ = bundled("wine")
    light = lgb.train({"objective": "multiclass", "num_class": 3, "verbose": -1, "num_threads": 1},
                      lgb.Dataset(wine[spec.names].to_numpy(), label=wine["doel"],
                                  feature_name=spec.names), 20)
    light.save_model(tmp_path / "wine.txt")
    exp = BoosterExplainer(load_booster(tmp_path / "wine.txt"), spec, wine).explain(
        wine[spec.names].iloc[100].to_dict())
    margin = light.predict(wine[spec.names].iloc[[100]].to_numpy(), raw_score=True)[0]
    assert exp.scale == "log-odds" and exp.prediction == str(int(np.argmax(margin)))
    assert exp.base_value + sum(exp.contributions.values()) == pytest.approx(margin.max(), abs=1e-6)


def test_childcare_sample_is_explained_in_its_original_inputs():
    folder = ARTEFACTS / "kinderopvang"
    spec = load_spec(folder / "spec.json")
    reference = load_reference(folder / "reference.csv", spec)
    loaded = load_booster(folder / "model.txt", folder / "preprocessing.skops")
    explainer = BoosterExplainer(loaded, spec, reference)
    rows = reference[spec.names].iloc[:20]
    got = explainer.explain_many(rows)
    z = loaded.preprocessing.transform(rows)
    take = np.sort(np.random.default_rng(0).choice(len(reference), 100, replace=False))
    direct = shap.TreeExplainer(loaded.booster, loaded.preprocessing.transform(
        reference[spec.names].iloc[take]), model_output="probability",
        feature_perturbation="interventional").shap_values(z)
    onehot = [i for i, n in enumerate(loaded.preprocessing.get_feature_names_out())
              if n.startswith("soort__")]
    for exp, values in zip(got, direct):
        assert set(exp.contributions) == set(spec.names)  # never an encoded column
        assert exp.contributions["soort_opvang"] == pytest.approx(values[onehot].sum(), abs=1e-9)
        assert abs(exp.base_value + sum(exp.contributions.values()) - exp.score) <= 1e-6
        assert exp.prediction == ("1" if exp.score >= 0.5 else "0")
    data = got[0].to_dict()
    assert data["model_sha256"] == loaded.sha256 and data["versions"]["lightgbm"] == lgb.__version__
    assert data["settings"]["preprocessing_sha256"] == loaded.preprocessing_sha256
    assert data["outputs"] == {"tekortkoming": got[0].prediction}


def test_childcare_sample_rebuilds_to_the_same_files(tmp_path):
    from sample_models import kinderopvang

    paths = kinderopvang.build(tmp_path)
    for key in ("model", "spec", "reference"):
        assert paths[key].read_bytes() == (ARTEFACTS / "kinderopvang" / paths[key].name).read_bytes()


def _refused(path, code, **kw):
    with pytest.raises(IntakeError) as info:
        load_booster(path, **kw)
    err = info.value
    assert err.code == code, err.message("en")
    assert err.message("nl") != err.message("en")  # a reason in Dutch and in English
    return err


@pytest.mark.parametrize("name", ["model.json", "model.txt", "model.ubj"])
def test_a_pickle_renamed_as_a_booster_is_refused_unread(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pickle.dumps({"not": "a booster"}))
    err = _refused(path, "pickle_refused")
    assert "pickle" in err.message("nl") and "code" in err.message("en")


def test_bytes_that_are_not_a_booster_are_refused(tmp_path, cancer):
    (tmp_path / "a.json").write_text('{"learner": 1}')
    _refused(tmp_path / "a.json", "not_a_booster")
    (tmp_path / "b.json").write_bytes(b"\x00\x01 random bytes")
    _refused(tmp_path / "b.json", "not_a_booster")
    (tmp_path / "c.txt").write_text("hello, I am a text file")
    _refused(tmp_path / "c.txt", "not_a_booster")
    whole = (cancer[2] / "model.txt").read_bytes()
    (tmp_path / "d.txt").write_bytes(whole[: len(whole) // 3])
    _refused(tmp_path / "d.txt", "not_a_booster")
    (tmp_path / "e.ubj").write_bytes(b"{not ubjson}")
    _refused(tmp_path / "e.ubj", "not_a_booster")
    _refused(cancer[2] / "model.json", "size", max_bytes=1000)
    (tmp_path / "f.bin").write_bytes(whole)
    _refused(tmp_path / "f.bin", "wrong_format")


def test_an_objective_whose_output_is_not_explained_exactly_is_refused(tmp_path, cancer):
    frame, spec, _ = cancer
    booster = xgb.train({"objective": "count:poisson", "nthread": 1},
                        xgb.DMatrix(frame[spec.names], label=frame["doel"]), 3)
    booster.save_model(tmp_path / "poisson.json")
    _refused(tmp_path / "poisson.json", "objective_unsupported")


def test_a_spec_that_does_not_match_the_booster_is_refused(cancer):
    frame, _, folder = cancer
    _, other, _ = bundled("breast_cancer", 10)
    with pytest.raises(ExplainerError) as info:
        BoosterExplainer(load_booster(folder / "model.json"), other, frame)
    assert info.value.code == "spec_mismatch"


def test_when_the_first_class_is_flagged_its_chance_is_explained(cancer):
    frame, spec, folder = cancer
    raw = {**spec.raw, "outcome": {**spec.raw["outcome"], "flagged_class": "0"}}
    flipped = parse_spec(raw)
    exp = BoosterExplainer(load_booster(folder / "model.json"), flipped, frame).explain(
        frame[spec.names].iloc[0].to_dict())
    assert exp.explained_class == "0" and exp.score == pytest.approx(exp.probabilities["0"])
    assert abs(exp.base_value + sum(exp.contributions.values()) - exp.score) <= 1e-6


def test_preprocessing_with_parts_outside_the_allowlist_is_refused(tmp_path, cancer):
    from sklearn.kernel_approximation import RBFSampler

    frame, spec, folder = cancer
    save_model(RBFSampler(random_state=0).fit(frame[spec.names]), tmp_path / "pre.skops")
    with pytest.raises(IntakeError) as info:
        load_booster(folder / "model.json", tmp_path / "pre.skops")
    assert info.value.code == "untrusted_types" and "RBFSampler" in info.value.message("nl")
