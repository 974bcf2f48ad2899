"""The sample models' artefacts, registered with an entry as a registrant would (shared by the
explanation, receipt and batch tests)."""
from __future__ import annotations

import json
from pathlib import Path

from register.services.model_versions import register_model

ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"
# The WOZ model's inputs, in the order a batch file of cases lists them.
WOZ_COLUMNS = ["wijk", "woningtype", "woonoppervlak", "perceeloppervlak", "bouwjaar", "energielabel",
               "onderhoudsstaat", "parkeerplaats"]


def woz_reference_cases(count: int) -> list[list[str]]:
    """The first ``count`` homes of the WOZ reference data, as rows of WOZ_COLUMNS values."""
    import csv

    with (ARTEFACTS / "woz" / "reference.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:count]
    return [[row[c] for c in WOZ_COLUMNS] for row in rows]
WOZ_CASE = {"wijk": "centrum", "woningtype": "appartement", "woonoppervlak": "120", "perceeloppervlak": "0",
            "bouwjaar": "1930", "energielabel": "C", "onderhoudsstaat": "goed", "parkeerplaats": "nee"}


def register(session, app, algorithm, folder="woz", publish=True, user=None, model=None, spec: dict | None = None):
    """Register the sample model in ``folder`` (optionally another model file or spec) with ``algorithm``."""
    base = ARTEFACTS / folder
    return register_model(session=session, user=user, algorithm=algorithm, data_dir=app.config["DATA_DIR"],
                          model=model or (base / "model.skops").read_bytes(), model_name="model.skops",
                          spec=json.dumps(spec).encode() if spec is not None else (base / "spec.json").read_bytes(),
                          spec_name="spec.json", reference=(base / "reference.csv").read_bytes(), publish=publish)
