"""Childcare inspections (GGD-KO-001): which locations get an earlier inspection.

A LightGBM yes/no model in its own text format (``model.txt``), after a preprocessing step
stored as ``preprocessing.skops`` (one-hot type of care, numbers passed through). Synthetic
locations: the chance of shortcomings at the next inspection rises with earlier shortcomings,
complaints, staff turnover, a new operator and time since the last visit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder

from explain.intake import save_model

from .common import EXTENSION_DEFAULTS, cats, text

SEED = 20250311
TYPES = {"dagopvang": ("dagopvang", "day care", 0.0), "bso": ("buitenschoolse opvang",
         "out-of-school care", -0.2), "peuteropvang": ("peuteropvang", "pre-school", -0.3),
         "gastouder": ("gastouderopvang", "childminder", 0.3)}
NUMBERS = ["kindplaatsen", "tekortkomingen_vorige", "klachten_12m", "personeelsverloop",
           "maanden_sinds_inspectie"]
FEATURES = ["soort_opvang", *NUMBERS, "nieuwe_houder"]
PARAMS = {"objective": "binary", "num_leaves": 15, "learning_rate": 0.08, "min_data_in_leaf": 30,
          "seed": SEED, "deterministic": True, "num_threads": 1, "verbose": -1}


def generate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    soort = rng.choice(list(TYPES), size=n, p=[0.4, 0.3, 0.15, 0.15])
    places = np.where(soort == "gastouder", rng.integers(1, 7, n), rng.integers(12, 160, n))
    return pd.DataFrame({
        "soort_opvang": soort,
        "kindplaatsen": places.astype(float),
        "tekortkomingen_vorige": np.minimum(rng.poisson(1.2, n), 15).astype(float),
        "klachten_12m": np.minimum(rng.poisson(0.6, n), 20).astype(float),
        "personeelsverloop": np.round(np.clip(rng.gamma(2.0, 9.0, n), 0, 100)),
        "maanden_sinds_inspectie": rng.integers(1, 31, n).astype(float),
        "nieuwe_houder": (rng.random(n) < 0.15).astype(int),
    })


def true_outcome(df: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """1 = the next inspection found one or more shortcomings."""
    logit = (-1.6 + df.soort_opvang.map(lambda s: TYPES[s][2])
             + 0.45 * df.tekortkomingen_vorige + 0.5 * np.minimum(df.klachten_12m, 4)
             + 0.035 * df.personeelsverloop + 0.8 * df.nieuwe_houder
             + 0.04 * np.maximum(df.maanden_sinds_inspectie - 12, 0))
    return (rng.random(len(df)) < 1 / (1 + np.exp(-logit.to_numpy(float)))).astype(int)


def make_preprocessing() -> ColumnTransformer:
    return ColumnTransformer([
        ("soort", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["soort_opvang"]),
        ("getal", "passthrough", [*NUMBERS, "nieuwe_houder"]),
    ])


def spec() -> dict:
    def number(name, nl, en, lo, hi, unit=None, changeable=False):
        return {"name": name, "label": text(nl, en), "kind": "number", "min": lo, "max": hi,
                "step": 1, "integer": True, "changeable": changeable,
                **({"unit": unit} if unit else {})}

    return {
        "spec_version": 1,
        "model": "Prioritering inspecties kinderopvang (voorbeeld, LightGBM)",
        "features": [
            {"name": "soort_opvang", "label": text("Soort opvang", "Type of childcare"),
             "kind": "category", "categories": cats(*((k, v[0], v[1]) for k, v in TYPES.items()))},
            number("kindplaatsen", "Aantal kindplaatsen", "Number of places", 1, 200),
            number("tekortkomingen_vorige", "Tekortkomingen bij de vorige inspectie",
                   "Shortcomings at the last inspection", 0, 15, changeable=True),
            number("klachten_12m", "Klachten in de laatste 12 maanden",
                   "Complaints in the last 12 months", 0, 20),
            number("personeelsverloop", "Personeelsverloop in het laatste jaar",
                   "Staff turnover in the last year", 0, 100, unit="%", changeable=True),
            number("maanden_sinds_inspectie", "Maanden sinds de vorige inspectie",
                   "Months since the last inspection", 0, 36, unit=text("maanden", "months")),
            {"name": "nieuwe_houder", "label": text("Nieuwe houder (korter dan 2 jaar)",
                                                     "New operator (less than 2 years)"),
             "kind": "yes_no"},
        ],
        "outcome": {
            "kind": "classification", "column": "tekortkoming",
            "label": text("de kans op tekortkomingen", "the chance of shortcomings"),
            "short": text("de kans", "the chance"),
            "classes": [
                {"value": "0", "label": text("inspectie volgens het gewone rooster",
                                             "inspection on the usual schedule")},
                {"value": "1", "label": text("eerder een inspectie", "an earlier inspection")},
            ],
            "flagged_class": "1", "threshold": 0.5,
        },
    }


def entry() -> dict:
    return {
        "name": "Prioritering inspecties kinderopvang",
        "description_short": "De GGD bepaalt met een risicomodel welke kinderopvanglocaties eerder "
        "een inspectie krijgen. Alle locaties worden nog steeds minstens eens per jaar bezocht.",
        "organization": "GGD Amsterdam", "theme": ["Zorg en gezondheid", "Onderwijs en wetenschap"],
        "status": "In gebruik", "source_id": "GGD-KO-001", "language": "nld", "schema": "1.0.0",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "technical_operation": "Een LightGBM-model (beslisbomen na elkaar) schat de kans op "
        "tekortkomingen bij de volgende inspectie. Elke kans wordt uitgelegd met exacte "
        "TreeSHAP-waarden in procentpunten van die kans.",
        "data": "Uitkomsten van eerdere inspecties, klachten, personeelsverloop, het aantal "
        "kindplaatsen en of de houder nieuw is. Geen gegevens over ouders of kinderen.",
        **EXTENSION_DEFAULTS,
        "open_standards": "Model als LightGBM-tekstbestand, voorbewerking als .skops, "
        "featurespecificatie als JSON, referentiedata als CSV.",
    }


DPIA = """
# DPIA (samenvatting, fictief) — prioritering inspecties kinderopvang

- **Persoonsgegevens**: geen gegevens over ouders of kinderen; wel gegevens over de houder
  (een organisatie of een gastouder, dan wel een persoon).
- **Risico's**: een locatie krijgt vaker bezoek door fouten in eerdere gegevens.
- **Maatregelen**: inspecteurs stellen het rooster vast; elke locatie minstens eens per jaar.
"""


def build(out: Path) -> dict:
    import lightgbm as lgb

    rng = np.random.default_rng(SEED)
    train = generate(4000, rng)
    y = true_outcome(train, rng)
    reference = generate(1000, rng)
    reference["tekortkoming"] = true_outcome(reference, rng)
    pre = make_preprocessing().fit(train[FEATURES])
    booster = lgb.train(PARAMS, lgb.Dataset(pre.transform(train[FEATURES]), label=y), 120)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / v for k, v in {"model": "model.txt", "preprocessing": "preprocessing.skops",
             "spec": "spec.json", "reference": "reference.csv", "entry": "entry.json",
             "dpia": "dpia.md"}.items()}
    paths["model"].write_text(booster.model_to_string(), encoding="utf-8")
    save_model(pre, paths["preprocessing"])
    for key, doc in (("spec", spec()), ("entry", entry())):
        paths[key].write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    reference.to_csv(paths["reference"], index=False, lineterminator="\n", float_format="%.6g")
    paths["dpia"].write_text(DPIA.strip() + "\n", encoding="utf-8")
    return paths


if __name__ == "__main__":
    build(Path(__file__).resolve().parent / "artefacts" / "kinderopvang")
