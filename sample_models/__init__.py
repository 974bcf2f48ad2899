"""Realistic municipal sample models for the Stadsregister demo and tests.

Each model comes from a seeded script that generates synthetic data, trains, and writes four
artefacts to ``sample_models/artefacts/<name>/``: ``model.skops``, ``spec.json``,
``reference.csv`` and ``entry.json`` (a register entry in the national publication standard
v1.0.0, plus our extension fields), and a short ``dpia.md``.

Regenerate all of them with ``python -m sample_models.build``.
"""

from pathlib import Path

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
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
