"""Realistic municipal sample models for the Stadsregister demo and tests.

Each model comes from a seeded script that generates synthetic data, trains, and writes four
artefacts to ``sample_models/artefacts/<name>/``: ``model.skops``, ``spec.json``,
``reference.csv`` and ``entry.json`` (a register entry in the national publication standard
v1.0.0, plus our extension fields), and a short ``dpia.md``.

Regenerate all of them with ``python -m sample_models.build``.
"""

import json
from importlib.metadata import version
from pathlib import Path

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
# The libraries whose arithmetic a trained model's bytes depend on: another numpy or scipy (a
# new BLAS, a changed solver) moves a fitted coefficient in its last bit, and so does the same
# BLAS on another processor (OpenBLAS picks its kernels by the CPU: a SkylakeX machine trains the
# logistic regression bit-differently from a Zen one). The committed models were trained with
# the versions and BLAS kernels in BUILT_WITH; a rebuild is byte-identical only with those.
TRAINING_LIBRARIES = ("numpy", "scipy", "scikit-learn")
BUILT_WITH = ARTEFACTS / "built_with.json"


def training_versions() -> dict[str, str]:
    """The installed versions of the libraries a model's bytes depend on, and the BLAS kernels this
    processor gets from each."""
    import numpy  # noqa: F401  (load the BLAS libraries threadpoolctl reports)
    import scipy.linalg  # noqa: F401
    from threadpoolctl import threadpool_info

    found = {name: version(name) for name in TRAINING_LIBRARIES}
    kernels = sorted({f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}"
                      for i in threadpool_info() if i.get("user_api") == "blas"})
    return {**found, "blas": ", ".join(kernels)}


def built_with_these_libraries() -> bool:
    """True when the committed models were trained with the installed training libraries."""
    return BUILT_WITH.is_file() and json.loads(BUILT_WITH.read_text()) == training_versions()
NAMES = ("woz", "slimme_check", "vakantieverhuur")
# Other model kinds (issue 11), each with its own artefact layout; built by their own ``build``:
# kinderopvang — LightGBM model.txt + preprocessing.skops; meldingen — a text pipeline.
KINDS = ("kinderopvang", "meldingen")


def artefact_paths(name: str) -> dict[str, Path]:
    """Paths of one sample model's artefacts: model, spec, reference, entry, dpia."""
    folder = ARTEFACTS / name
    return {
        "model": folder / "model.skops",
        "spec": folder / "spec.json",
        "reference": folder / "reference.csv",
        "entry": folder / "entry.json",
        "dpia": folder / "dpia.md",
    }
