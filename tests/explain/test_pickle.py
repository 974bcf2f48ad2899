"""A built explainer survives pickling (the register's snapshots, issue 16): the copy explains every
case exactly as the original, with its verified numpy replays compiled again; versions are read
without importing shap."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

import explain


@pytest.mark.parametrize("name", ["woz", "slimme_check", "vakantieverhuur"])
def test_a_pickled_explainer_explains_exactly_as_the_original(sample, name):
    original = sample(name).explainer
    copy = pickle.loads(pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy is not original and copy.method == original.method
    assert (copy.fast is None) == (original.fast is None)
    assert (copy.predict_fast is None) == (original.predict_fast is None)
    rows = original.reference.head(60)
    explained = lambda e: json.dumps([x.to_dict() for x in e.explain_many(rows, validate=False)], sort_keys=True)
    assert explained(copy) == explained(original)
    case = sample(name).row(3)
    change = -25_000 if original.task == "regression" else None
    counterfactuals = [explain.counterfactual(e, case, target_change=change) for e in (original, copy)]
    assert counterfactuals[0] == counterfactuals[1]


def test_library_versions_do_not_import_shap():
    code = ("import sys, explain; v = explain.library_versions(); "
            "print('shap' in sys.modules, 'sklearn' in sys.modules, v['shap'], v['scikit-learn'])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    import shap
    import sklearn

    assert out == ["False", "False", shap.__version__, sklearn.__version__]


@pytest.mark.parametrize("name,replays", [("woz", ("TreeShapReplay", "GradientBoostingReplay")),
                                          ("vakantieverhuur", ("TreeShapReplay", "ForestReplay")),
                                          ("slimme_check", ("NoneType", "NoneType"))])
def test_the_sample_models_explain_without_scikit_learn_or_shap_once_pickled(sample, name, replays):
    original = sample(name).explainer
    assert original.lite
    assert (type(original.tree_lite).__name__, type(original.predict_lite).__name__) == replays
    copy = pickle.loads(pickle.dumps(original))
    rows = original.reference.head(30)
    clean = [dict(r) for r in rows[original.names].to_dict("records")]
    assert [e.to_dict() for e in copy.explain_many(clean, validate=False)] == \
        [e.to_dict() for e in original.explain_many(clean, validate=False)]
    assert "_heavy" in copy.__dict__  # the model and reference data were not needed
    assert copy.reference.equals(original.reference) and "_heavy" not in copy.__dict__


def test_a_pickled_explainer_explains_in_a_process_without_scikit_learn_shap_or_pandas(sample, tmp_path):
    original = sample("woz").explainer
    (tmp_path / "explainer.pickle").write_bytes(pickle.dumps(original))
    rows = [dict(r) for r in original.reference.head(25)[original.names].to_dict("records")]
    (tmp_path / "rows.json").write_text(json.dumps(rows, default=float))
    code = ("import json, pickle, sys; e = pickle.load(open(sys.argv[1], 'rb')); "
            "rows = json.load(open(sys.argv[2])); out = [x.to_dict() for x in e.explain_many(rows, validate=False)]; "
            "print(json.dumps({'out': out, 'loaded': [m for m in ('sklearn', 'shap', 'pandas', 'scipy') "
            "if m in sys.modules]}))")
    result = json.loads(subprocess.run([sys.executable, "-c", code, str(tmp_path / "explainer.pickle"),
                                        str(tmp_path / "rows.json")], capture_output=True, text=True,
                                       check=True).stdout)
    assert result["loaded"] == []
    rows = json.loads((tmp_path / "rows.json").read_text())
    assert result["out"] == json.loads(json.dumps([x.to_dict() for x in original.explain_many(rows, validate=False)]))


def _random_cases(explainer, count: int, seed: int):
    """Cases anywhere in the inputs' ranges, not only the reference rows the build checked."""
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(count):
        case = {}
        for feature in explainer.spec.features:
            if feature.kind == "category":
                case[feature.name] = str(rng.choice(feature.category_values()))
            elif feature.kind == "yes_no":
                case[feature.name] = int(rng.integers(0, 2))
            else:
                column = explainer.reference[feature.name].astype(float)
                case[feature.name] = float(rng.uniform(column.min(), column.max()))
        cases.append(case)
    return cases


@pytest.mark.parametrize("name", ["woz", "vakantieverhuur"])
def test_the_tree_replays_equal_shap_and_scikit_learn_bit_for_bit_on_new_cases(sample, name):
    explainer = sample(name).explainer
    z = explainer._transform(explainer.spec.to_columns(_random_cases(explainer, 300, seed=7)))
    zt = np.asarray(z, dtype=np.float32).astype(np.float64) if explainer.task == "binary" else z
    assert np.array_equal(explainer.tree_lite.shap_values(zt),
                          np.asarray(explainer.tree.shap_values(zt, check_additivity=False)))
    own = explainer.predict_fast or explainer.final.predict
    assert np.array_equal(explainer.predict_lite(z), own(z))
    if name == "woz":  # and scikit-learn's own predict, which the explainer uses for this model
        assert np.array_equal(explainer.predict_lite(z), explainer.final.predict(z))
