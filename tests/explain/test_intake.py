"""Model intake: only .skops, only allowlisted types, never run code from a file."""

from __future__ import annotations

import hashlib
import os
import pickle

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from explain import IntakeError, load_model, save_model


class WritesAFile:
    """Unpickling this would create a file: proof that a loader ran code."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (open, (self.target, "w"))


def _tiny_model():
    X = np.arange(20.0).reshape(-1, 2)
    return LinearRegression().fit(X, X[:, 0] * 2)


@pytest.mark.parametrize("suffix", [".pkl", ".joblib", ".skops", ".bin"])
def test_a_pickle_that_would_write_a_file_is_refused_and_the_file_never_appears(tmp_path, suffix):
    target = tmp_path / "pwned.txt"
    bad = tmp_path / f"model{suffix}"
    bad.write_bytes(pickle.dumps(WritesAFile(str(target))))
    with pytest.raises(IntakeError) as err:
        load_model(bad)
    assert err.value.code == "pickle_refused"
    assert "skops" in err.value.message("en") and "skops" in err.value.message("nl")
    assert not target.exists()


def test_a_skops_file_with_a_function_from_main_is_refused(tmp_path):
    def double(x):
        return x * 2

    double.__module__ = "__main__"
    double.__qualname__ = double.__name__ = "double"
    X = np.arange(10.0).reshape(-1, 1)
    model = Pipeline([("f", FunctionTransformer(double)), ("m", LinearRegression())]).fit(
        X, X[:, 0]
    )
    path = tmp_path / "main.skops"
    sio.dump(model, path)
    with pytest.raises(IntakeError) as err:
        load_model(path)
    assert err.value.code == "untrusted_types"
    assert "__main__.double" in err.value.details


def test_a_skops_file_with_a_lambda_is_refused(tmp_path):
    X = np.arange(10.0).reshape(-1, 1)
    model = Pipeline([("f", FunctionTransformer(lambda x: x)), ("m", LinearRegression())]).fit(
        X, X[:, 0]
    )
    path = tmp_path / "lambda.skops"
    sio.dump(model, path)
    with pytest.raises(IntakeError) as err:
        load_model(path)
    assert any("<lambda>" in d for d in err.value.details)


def test_types_outside_the_allowlist_are_named_in_the_refusal(tmp_path):
    from sklearn.decomposition import PCA

    X = np.random.default_rng(0).normal(size=(30, 3))
    model = Pipeline([("pca", PCA(2)), ("m", LinearRegression())]).fit(X, X[:, 0])
    path = tmp_path / "pca.skops"
    sio.dump(model, path)
    with pytest.raises(IntakeError) as err:
        load_model(path)
    assert "sklearn.decomposition._pca.PCA" in err.value.details
    assert "PCA" in str(err.value)


def test_only_skops_files_are_accepted(tmp_path):
    path = tmp_path / "model.txt"
    path.write_text("hello")
    with pytest.raises(IntakeError) as err:
        load_model(path)
    assert err.value.code == "wrong_format"
    fake = tmp_path / "fake.skops"
    fake.write_text("not a zip at all")
    with pytest.raises(IntakeError) as err:
        load_model(fake)
    assert err.value.code == "not_skops"


def test_an_accepted_model_records_its_sha256_and_predicts(tmp_path):
    path = tmp_path / "ok.skops"
    digest = save_model(_tiny_model(), path)
    loaded = load_model(path)
    assert loaded.sha256 == digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.saved_with.get("scikit-learn")
    assert loaded.estimator.predict([[1.0, 2.0]])[0] == pytest.approx(2.0)


def test_saving_the_same_model_twice_gives_the_same_bytes(tmp_path):
    model = _tiny_model()
    a, b = tmp_path / "a.skops", tmp_path / "b.skops"
    assert save_model(model, a) == save_model(model, b)
    assert a.read_bytes() == b.read_bytes()
    assert os.path.getsize(a) > 0
