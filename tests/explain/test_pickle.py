"""A built explainer survives pickling (the register's snapshots, issue 16): the copy explains every
case exactly as the original, with its verified numpy replays compiled again; versions are read
without importing shap."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

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
