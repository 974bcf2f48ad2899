"""Demo: the sample models and rules registered with their demo entries (idempotent)."""
from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlmodel import Session, select

from register.models import Algorithm
from register.models.explanation import ModelVersion
from register.services.model_versions import register_model

ARTEFACTS = Path(__file__).resolve().parent.parent.parent / "sample_models" / "artefacts"
# sample model → the demo entry (source_id) it explains decisions for
DEMO_MODELS = {"woz": "AMS-WOZ-001", "slimme_check": "AMS-BIJ-001", "vakantieverhuur": "AMS-VV-001",
               # issue 11: the parking fine as DMN rules, the reports sorter as a text classifier,
               # the childcare inspections as a LightGBM model after a .skops preprocessing step
               "parkeerscan": "AMS-PARK-001", "meldingen": "AMS-SIG-001", "kinderopvang": "GGD-KO-001"}
MODEL_FILES = {"parkeerscan": "rules.dmn", "kinderopvang": "model.txt"}
EXTRA_FILES = {"kinderopvang": "preprocessing.skops"}


def load_demo_models(session: Session) -> list[str]:
    data_dir = current_app.config["DATA_DIR"]
    lines = []
    for folder, source_id in DEMO_MODELS.items():
        algorithm = session.exec(select(Algorithm).where(Algorithm.source_id == source_id)).first()
        if algorithm is None:
            continue
        if session.exec(select(ModelVersion).where(ModelVersion.algorithm_id == algorithm.id)).first():
            continue
        base = ARTEFACTS / folder
        model_file = MODEL_FILES.get(folder, "model.skops")
        extra = base / EXTRA_FILES[folder] if folder in EXTRA_FILES else None
        version = register_model(session=session, user=None, algorithm=algorithm, data_dir=data_dir,
                                 model=(base / model_file).read_bytes(), model_name=model_file,
                                 extra=extra.read_bytes() if extra else None,
                                 spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                                 reference=(base / "reference.csv").read_bytes(), publish=True,
                                 note="Demo: voorbeeldmodel geregistreerd")
        lines.append(f"Registered the {folder} {version.kind} model with {algorithm.code} (SHA-256 {version.sha256[:12]}…).")
    return lines or ["Demo models are already registered."]
