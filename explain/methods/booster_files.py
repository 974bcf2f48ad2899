"""Intake of XGBoost (JSON/UBJ) and LightGBM (text) model files, never pickle.

A pickle renamed to one of these names is recognised by its bytes and refused; a file must
parse as what its name says; a LightGBM text file is read once in a child process first.
See ``boosters`` for how they are explained.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IntakeError
from .common import MAX_BYTES, load_skops_part, read_model_file, sha256_bytes

SUFFIXES = {".json", ".ubj", ".txt"}
HINT = (
    ("Save the booster itself: booster.save_model('model.json') (XGBoost) or "
     "booster.save_model('model.txt') (LightGBM)."),
    ("Sla de booster zelf op: booster.save_model('model.json') (XGBoost) of "
     "booster.save_model('model.txt') (LightGBM)."),
)
XGB_TASKS = {"binary:logistic": "binary", "multi:softprob": "multiclass",
             "multi:softmax": "multiclass", "reg:squarederror": "regression",
             "reg:absoluteerror": "regression", "reg:pseudohubererror": "regression"}
LGB_TASKS = {"binary": "binary", "multiclass": "multiclass", "regression": "regression",
             "regression_l1": "regression", "huber": "regression", "fair": "regression",
             "quantile": "regression"}


@dataclass(frozen=True)
class LoadedBooster:
    """A booster accepted by intake, with what an explanation must record."""

    booster: Any
    library: str  # "xgboost" | "lightgbm"
    format: str  # "json" | "ubj" | "text"
    objective: str
    task: str
    n_columns: int
    column_names: list | None
    sha256: str
    size_bytes: int
    preprocessing: Any = None
    preprocessing_sha256: str | None = None
    saved_with: dict = field(default_factory=dict)


def _not_booster(what: str, detail: str = "", detail_nl: str | None = None) -> IntakeError:
    nl = detail_nl if detail_nl is not None else detail
    return IntakeError(
        "not_a_booster",
        f"This file is not a {what} model file{': ' + detail if detail else ''}. " + HINT[0],
        f"Dit bestand is geen {what}-modelbestand{': ' + nl if nl else ''}. " + HINT[1],
    )


def _unsupported(objective: str) -> IntakeError:
    return IntakeError(
        "objective_unsupported",
        f"The model's objective '{objective}' is not supported; supported are yes/no "
        "(logistic), multi-class (softmax) and regression with the identity link.",
        f"Het doel '{objective}' van het model wordt niet ondersteund; wel: ja/nee (logistisch), "
        "meerdere klassen (softmax) en regressie zonder link-functie.",
    )


PROBE = ("import ctypes, sys; lib = ctypes.cdll.LoadLibrary(sys.argv[1]); n = ctypes.c_int(); "
         "h = ctypes.c_void_p(); sys.exit(lib.LGBM_BoosterCreateFromModelfile("
         "sys.argv[2].encode(), ctypes.byref(n), ctypes.byref(h)))")


def _probe_lightgbm(data: bytes, timeout: float = 60) -> None:
    """Read the file once in a child process first, straight through LightGBM's C library: a
    damaged text model can abort the whole process inside the library, and a worker must not
    die of an upload. (XGBoost reports damaged files as ordinary errors.)"""
    import importlib.util
    import subprocess
    import sys
    import tempfile

    library = Path(importlib.util.find_spec("lightgbm").origin).parent / "lib" / "lib_lightgbm.so"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.txt"
        path.write_bytes(data)
        try:
            run = subprocess.run([sys.executable, "-I", "-S", "-c", PROBE, str(library), str(path)],
                                 capture_output=True, timeout=timeout, check=False)
            failed = run.returncode != 0
        except subprocess.TimeoutExpired:
            failed = True
    if failed:
        raise _not_booster("LightGBM", "the library could not read it",
                           "de bibliotheek kon het niet lezen")


def _xgboost(data: bytes, fmt: str):
    import xgboost as xgb

    if fmt == "json":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _not_booster("XGBoost JSON", "no valid JSON",
                           "geen geldige JSON") from None
        if not isinstance(doc, dict) or "learner" not in doc or "version" not in doc:
            raise _not_booster("XGBoost JSON", "no 'learner' and 'version'",
                           "geen 'learner' en 'version'")
        saved = ".".join(map(str, doc["version"]))
    else:
        if not data.startswith(b"{") or b"learner" not in data[:64]:
            raise _not_booster("XGBoost UBJSON")
        saved = None
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(data))
        config = json.loads(booster.save_config())
    except Exception as exc:  # noqa: BLE001 — xgboost raises XGBoostError and others
        raise _not_booster("XGBoost", str(exc).splitlines()[0][:200]) from None
    booster.set_param({"nthread": 1})
    objective = config["learner"]["objective"]["name"]
    if objective not in XGB_TASKS:
        raise _unsupported(objective)
    names = list(booster.feature_names) if booster.feature_names else None
    saved_with = {"xgboost": saved} if saved else {}
    return booster, objective, XGB_TASKS[objective], booster.num_features(), names, saved_with


def _lightgbm(data: bytes):
    import lightgbm as lgb

    if not data.startswith(b"tree\nversion=v"):
        raise _not_booster("LightGBM", "it does not start with 'tree' and 'version='",
                           "het begint niet met 'tree' en 'version='")
    if b"\nend of trees\n" not in data or b"\nend of parameters" not in data:
        raise _not_booster("LightGBM", "it is incomplete (no end of trees or parameters)",
                           "het is onvolledig (geen einde van de bomen of parameters)")
    try:
        text = data.decode("utf-8")
        booster = lgb.Booster(model_str=text)
    except Exception as exc:  # noqa: BLE001 — lightgbm raises LightGBMError and others
        raise _not_booster("LightGBM", str(exc).splitlines()[0][:200]) from None
    objective = booster.dump_model(num_iteration=1)["objective"].split()[0]
    if objective not in LGB_TASKS:
        raise _unsupported(objective)
    names = booster.feature_name()
    if all(n == f"Column_{i}" for i, n in enumerate(names)):
        names = None
    return booster, objective, LGB_TASKS[objective], booster.num_feature(), names, {}


def load_booster(path: str | Path, preprocessing: str | Path | None = None, *,
                 max_bytes: int = MAX_BYTES, probe: bool = True) -> LoadedBooster:
    """Read a booster file (and optionally its ``.skops`` preprocessing); refuse with a reason.

    ``probe``: read the file in a child process first (see ``_probe``); turn off only for files
    already accepted once (same SHA-256)."""
    data = read_model_file(path, SUFFIXES, "XGBoost/LightGBM", max_bytes=max_bytes, hint=HINT)
    suffix = Path(path).suffix.lower()
    if suffix == ".txt" and not data.startswith(b"tree\nversion=v"):
        raise _not_booster("LightGBM", "it does not start with 'tree' and 'version='",
                           "het begint niet met 'tree' en 'version='")
    if probe and suffix == ".txt":
        _probe_lightgbm(data)
    if suffix == ".txt":
        booster, objective, task, n, names, saved = _lightgbm(data)
        library, fmt = "lightgbm", "text"
    else:
        fmt = suffix[1:]
        booster, objective, task, n, names, saved = _xgboost(data, fmt)
        library = "xgboost"
    pre = pre_sha = None
    if preprocessing is not None:
        pre, pre_sha = load_skops_part(preprocessing, needs="transform")
    return LoadedBooster(booster, library, fmt, objective, task, n, names, sha256_bytes(data),
                         len(data), pre, pre_sha, saved)
