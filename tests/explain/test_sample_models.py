"""The three sample models: committed, small, reproducible, and registered correctly."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from explain import load_model, load_reference, load_spec
from sample_models import NAMES, artefact_paths, built_with_these_libraries
from sample_models.build import build

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = (
    ROOT.parent
    / "shared"
    / "reference"
    / "algoritmeregister-publicatiestandaard-v1.0.0.schema.json"
)
RISK = {"minimal", "limited", "high", "unacceptable"}


@pytest.mark.parametrize("name", NAMES)
def test_artefacts_are_committed_and_small(name):
    for path in artefact_paths(name).values():
        assert path.is_file(), path
        assert path.stat().st_size < 2 * 1024 * 1024, f"{path} is too large to commit"


@pytest.mark.parametrize("name", NAMES)
def test_the_register_entry_follows_the_publication_standard(name):
    entry = json.loads(artefact_paths(name)["entry"].read_text(encoding="utf-8"))
    if SCHEMA.is_file():
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            entry
        )
    assert entry["organization"] == "Gemeente Amsterdam" and entry["language"] == "nld"
    assert isinstance(entry["decision_kinds"], list) and all(
        isinstance(d, str) for d in entry["decision_kinds"]
    )
    assert entry["ai_act_risk_class"] in RISK
    assert entry["objection_link"].startswith("https://")
    assert isinstance(entry["source_open"], bool)
    assert entry["eu_database_ref"] is None or isinstance(entry["eu_database_ref"], str)
    for key in ("human_contact", "objection_route", "exit_strategy", "open_standards"):
        assert isinstance(entry[key], str) and entry[key]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_regenerating_the_sample_models_gives_the_same_files(tmp_path):
    import numpy as np

    build(NAMES, tmp_path)
    for name in NAMES:
        paths = artefact_paths(name)
        for kind in ("spec", "reference", "entry", "dpia"):
            assert _sha(tmp_path / name / paths[kind].name) == _sha(paths[kind]), (
                f"{name}/{paths[kind].name} differs: regenerate with python -m sample_models.build"
            )
        committed, fresh = load_model(paths["model"]), load_model(tmp_path / name / "model.skops")
        if built_with_these_libraries():
            assert fresh.sha256 == committed.sha256, f"{name}/model.skops is not reproducible"
        else:  # another numpy, scipy or scikit-learn may train bit-differently; the model must still agree
            spec = load_spec(paths["spec"])
            frame = spec.coerce_frame(load_reference(paths["reference"], spec))
            a, b = committed.estimator, fresh.estimator
            predict = "predict_proba" if hasattr(a, "predict_proba") else "predict"
            np.testing.assert_allclose(
                getattr(a, predict)(frame), getattr(b, predict)(frame), rtol=1e-6
            )


def test_the_build_command_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sample_models.build", "--out", str(tmp_path), "slimme_check"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "slimme_check" / "model.skops").is_file()


def test_the_explain_library_never_imports_flask_or_register():
    code = (
        "import sys, explain, sample_models;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('flask','register','matplotlib')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for path in (ROOT / "explain").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "import flask" not in source and "from register" not in source, path
