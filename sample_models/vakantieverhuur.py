"""Holiday-rental fraud signal: a random forest in a Pipeline (classification).

Synthetic listings: advertised nights above the 30-night limit, reviews, neighbour reports,
a missing registration number and several listings at one address raise the signal.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from .common import EXTENSION_DEFAULTS, cats, text, write_artefacts
from .woz import DISTRICTS

SEED = 20220701
NUMBERS = ["nachten_geadverteerd", "reviews_12_maanden", "meldingen_buren", "advertenties_op_adres"]
YES_NO = ["registratienummer", "hele_woning"]


def generate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    wijk = rng.choice(list(DISTRICTS), size=n, p=[0.3, 0.15, 0.18, 0.14, 0.08, 0.08, 0.07])
    nights = np.clip(np.round(rng.gamma(1.4, 35, n)), 0, 365)
    return pd.DataFrame(
        {
            "wijk": wijk,
            "nachten_geadverteerd": nights,
            "reviews_12_maanden": np.clip(np.round(nights * rng.uniform(0.05, 0.5, n)), 0, 300),
            "meldingen_buren": np.minimum(
                rng.poisson(0.4 + (wijk == "centrum") * 0.5, n), 20
            ).astype(float),
            "advertenties_op_adres": np.minimum(1 + rng.poisson(0.2, n), 10).astype(float),
            "registratienummer": (rng.random(n) < 0.8).astype(int),
            "hele_woning": (rng.random(n) < 0.75).astype(int),
        }
    )


def true_outcome(df: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    logit = (
        -3.2
        + 0.025 * np.maximum(df.nachten_geadverteerd - 30, 0)
        + 0.01 * df.reviews_12_maanden
        + 0.6 * df.meldingen_buren
        + 1.6 * (1 - df.registratienummer)
        + 0.6 * (df.advertenties_op_adres - 1)
        + 0.4 * df.hele_woning
        + 0.5 * (df.wijk == "centrum")
    )
    return (rng.random(len(df)) < 1 / (1 + np.exp(-logit.to_numpy(float)))).astype(int)


def make_model() -> Pipeline:
    pre = ColumnTransformer(
        [
            ("categorie", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["wijk"]),
            ("rest", "passthrough", NUMBERS + YES_NO),
        ]
    )
    forest = RandomForestClassifier(
        n_estimators=100, max_depth=8, min_samples_leaf=20, random_state=SEED, n_jobs=1
    )
    return Pipeline([("voorbewerking", pre), ("model", forest)])


def spec() -> dict:
    def number(name, nl, en, lo, hi, phr_nl, phr_en, unit=None, changeable=False):
        return {
            "name": name,
            "label": text(nl, en),
            "kind": "number",
            "min": lo,
            "max": hi,
            "step": 1,
            "integer": True,
            "unit": unit,
            "changeable": changeable,
            "phrase": text(phr_nl, phr_en),
        }

    return {
        "spec_version": 1,
        "model": "Signaal illegale vakantieverhuur",
        "features": [
            {
                "name": "wijk",
                "label": text("Stadsdeel", "District"),
                "kind": "category",
                "categories": cats(*((k, v[0], v[1]) for k, v in DISTRICTS.items())),
                "phrase": text("De ligging in stadsdeel {value}", "The location in {value}"),
            },
            number(
                "nachten_geadverteerd",
                "Nachten te huur per jaar (advertentie)",
                "Nights offered per year (advert)",
                0,
                365,
                "Een advertentie voor {value}",
                "An advert for {value}",
                unit=text("nachten", "nights"),
                changeable=True,
            ),
            number(
                "reviews_12_maanden",
                "Reviews in de laatste 12 maanden",
                "Reviews in the last 12 months",
                0,
                300,
                "Het aantal reviews ({value})",
                "The number of reviews ({value})",
            ),
            number(
                "meldingen_buren",
                "Meldingen van buren",
                "Reports by neighbours",
                0,
                20,
                "Het aantal meldingen van buren ({value})",
                "The number of neighbour reports ({value})",
            ),
            number(
                "advertenties_op_adres",
                "Advertenties op hetzelfde adres",
                "Adverts at the same address",
                1,
                10,
                "Het aantal advertenties op dit adres ({value})",
                "The number of adverts at this address ({value})",
                changeable=True,
            ),
            {
                "name": "registratienummer",
                "label": text("Registratienummer in advertentie", "Registration number in advert"),
                "kind": "yes_no",
                "changeable": True,
                "phrase": {
                    "nl": {
                        "yes": "Een registratienummer in de advertentie",
                        "no": "Geen registratienummer in de advertentie",
                    },
                    "en": {
                        "yes": "A registration number in the advert",
                        "no": "No registration number in the advert",
                    },
                },
            },
            {
                "name": "hele_woning",
                "label": text("Hele woning verhuurd", "Whole home rented out"),
                "kind": "yes_no",
                "phrase": {
                    "nl": {"yes": "Verhuur van de hele woning", "no": "Verhuur van een kamer"},
                    "en": {"yes": "Renting out the whole home", "no": "Renting out a room"},
                },
            },
        ],
        "outcome": {
            "kind": "classification",
            "column": "overtreding_vastgesteld",
            "label": text("de signaalscore", "the signal score"),
            "short": text("de score", "the score"),
            "classes": [
                {"value": "0", "label": text("geen signaal", "no signal")},
                {
                    "value": "1",
                    "label": text(
                        "een signaal voor onderzoek door een handhaver",
                        "a signal for inspection by an enforcement officer",
                    ),
                },
            ],
            "flagged_class": "1",
            "threshold": 0.5,
        },
    }


def entry() -> dict:
    return {
        "name": "Signalen van illegale vakantieverhuur voorspellen",
        "description_short": "Voorbeeldregistratie (fictief). Dit algoritme geeft advertenties voor "
        "vakantieverhuur een signaalscore. Bij een hoge score onderzoekt een "
        "handhaver of de verhuur volgens de regels is.",
        "organization": "Gemeente Amsterdam",
        "theme": ["Wonen", "Openbare orde en veiligheid"],
        "status": "In gebruik",
        "start_date": "2022-07",
        "contact": "https://stadsregister.example/contact",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "purpose_and_impact": "Woningen zijn schaars. Verhuur aan toeristen mag maximaal 30 nachten "
        "per jaar, met een registratienummer. Het algoritme helpt handhavers kiezen welke "
        "adressen ze eerst onderzoeken. Een signaal is geen boete: een handhaver onderzoekt "
        "eerst.",
        "considerations": "Zonder algoritme kiezen handhavers op basis van meldingen. Dat mist "
        "adressen zonder klachten van buren. Het algoritme gebruikt alleen gegevens over de "
        "advertentie en het adres, geen gegevens over de verhuurder als persoon.",
        "human_intervention": "Een handhaver beoordeelt elk signaal en beslist zelf over een "
        "onderzoek. Een boete volgt alleen na eigen onderzoek ter plaatse.",
        "risk_management": "We meten elk kwartaal hoeveel signalen tot een overtreding leiden, per "
        "stadsdeel. Bij grote verschillen passen we het model aan.",
        "legal_basis": "Huisvestingswet 2014 en de Huisvestingsverordening Amsterdam.",
        "legal_basis_link": "https://wetten.overheid.nl/BWBR0035303",
        "legal_basis_title": "Huisvestingswet 2014",
        "impact_assessments": "Data Protection Impact Assessment (DPIA)",
        "data": "Openbare advertenties van verhuurplatforms, het register van "
        "registratienummers en meldingen van buren.",
        "technical_operation": "Random forest (100 beslisbomen, scikit-learn) in een pipeline met "
        "one-hot-codering voor stadsdeel. Elke score wordt uitgelegd met exacte TreeSHAP-"
        "waarden per invoergegeven.",
        "supplier": "Gemeente Amsterdam (eigen ontwikkeling)",
        "language": "nld",
        "schema": "1.0.0",
        "search_terms": "vakantieverhuur, toeristische verhuur, handhaving, woningen",
        "decision_kinds": ["Last onder dwangsom", "Bestuurlijke boete vakantieverhuur"],
        "human_contact": "Team Vakantieverhuur, telefoon 14 020.",
        "objection_route": "Tegen een boete of last onder dwangsom kunt u binnen 6 weken bezwaar "
        "maken. Het signaal zelf is geen besluit.",
        "objection_link": "https://stadsregister.example/vakantieverhuur/bezwaar",
        "ai_act_risk_class": "limited",
        "exit_strategy": "Handhavers kiezen adressen weer op basis van meldingen en steekproeven.",
        **EXTENSION_DEFAULTS,
    }


DPIA = """
# DPIA (samenvatting, fictief) — Signaal illegale vakantieverhuur

- **Persoonsgegevens**: adres en advertentiegegevens; indirect te herleiden tot de verhuurder.
- **Risico's**: onterecht onderzoek. Maatregel: een handhaver beslist altijd zelf.
- **Bewaartermijn**: twee jaar na afsluiten van het onderzoek.
- **Conclusie**: restrisico laag.
"""


def build(out: Path) -> dict:
    rng = np.random.default_rng(SEED)
    train = generate(6000, rng)
    y = true_outcome(train, rng)
    reference = generate(1000, rng)
    reference["overtreding_vastgesteld"] = true_outcome(reference, rng)
    model = make_model().fit(train, y.astype(str))
    return write_artefacts(
        out, model=model, spec=spec(), reference=reference, entry=entry(), dpia=DPIA
    )
