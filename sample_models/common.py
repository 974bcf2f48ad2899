"""Shared helpers for the sample model scripts: labels and deterministic writing."""

from __future__ import annotations

import json
from pathlib import Path

from explain.intake import save_model


def text(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


def cats(*pairs: tuple[str, str, str]) -> list[dict]:
    """(value, nl, en) triples → spec categories."""
    return [{"value": v, "label": text(nl, en)} for v, nl, en in pairs]


def write_artefacts(out_dir: Path, *, model, spec: dict, reference, entry: dict, dpia: str) -> dict:
    """Write all artefacts byte-for-byte reproducibly; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "model": out_dir / "model.skops",
        "spec": out_dir / "spec.json",
        "reference": out_dir / "reference.csv",
        "entry": out_dir / "entry.json",
        "dpia": out_dir / "dpia.md",
    }
    save_model(model, paths["model"])
    paths["spec"].write_text(
        json.dumps(spec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    reference.to_csv(paths["reference"], index=False, lineterminator="\n", float_format="%.6g")
    paths["entry"].write_text(
        json.dumps(entry, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    paths["dpia"].write_text(dpia.strip() + "\n", encoding="utf-8")
    return paths


EXTENSION_DEFAULTS = {
    "eu_database_ref": None,
    "source_open": True,
    "open_standards": "Model als .skops (scikit-learn), featurespecificatie als JSON, "
    "referentiedata als CSV, registratie volgens Publicatiestandaard 1.0.0.",
}
