"""WOZ property valuation: gradient boosting inside a Pipeline (regression, euros).

Synthetic Amsterdam-like homes: price per m² by district, a floor-area effect that flattens
above 150 m², house type, building year, energy label, upkeep, plot and a parking place.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .common import EXTENSION_DEFAULTS, cats, text, write_artefacts

SEED = 20240101
DISTRICTS = {  # value, nl, en, price per m², share of single-family homes
    "centrum": ("Centrum", "Centre", 9000, 0.05),
    "zuid": ("Zuid", "South", 8200, 0.15),
    "west": ("West", "West", 7200, 0.08),
    "oost": ("Oost", "East", 6600, 0.15),
    "noord": ("Noord", "North", 5200, 0.40),
    "nieuw_west": ("Nieuw-West", "New West", 5000, 0.35),
    "zuidoost": ("Zuidoost", "South-East", 4300, 0.35),
}
TYPES = {"tussenwoning": 0.97, "hoekwoning": 1.0, "twee_onder_een_kap": 1.05, "vrijstaand": 1.12}
LABELS = {"A": 1.06, "B": 1.03, "C": 1.0, "D": 0.98, "E": 0.96, "F": 0.94, "G": 0.92}
UPKEEP = {"slecht": 0.85, "matig": 0.93, "redelijk": 1.0, "goed": 1.04, "uitstekend": 1.08}
NUMERIC = ["woonoppervlak", "perceeloppervlak", "bouwjaar"]
CATEGORICAL = ["wijk", "woningtype", "energielabel", "onderhoudsstaat"]


def generate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    wijk = rng.choice(list(DISTRICTS), size=n, p=[0.1, 0.17, 0.15, 0.17, 0.14, 0.16, 0.11])
    single = rng.random(n) < np.array([DISTRICTS[w][3] for w in wijk])
    woningtype = np.where(
        single, rng.choice(list(TYPES), size=n, p=[0.5, 0.25, 0.17, 0.08]), "appartement"
    )
    base_area = np.where(
        single, rng.lognormal(np.log(125), 0.25, n), rng.lognormal(np.log(68), 0.35, n)
    )
    area = np.clip(np.round(base_area), 18, 400)
    plot_mean = {
        "appartement": 0,
        "tussenwoning": 130,
        "hoekwoning": 190,
        "twee_onder_een_kap": 320,
        "vrijstaand": 650,
    }
    plot = np.array(
        [rng.lognormal(np.log(plot_mean[t]), 0.3) if plot_mean[t] else 0.0 for t in woningtype]
    )
    plot = np.clip(np.round(plot), 0, 2500)
    old = np.isin(wijk, ["centrum", "west", "zuid"])
    year = np.where(
        old & (rng.random(n) < 0.6), rng.integers(1650, 1940, n), rng.integers(1900, 2024, n)
    )
    label_idx = np.clip(np.round((2024 - year) / 25 + rng.normal(0, 1.2, n)), 0, 6).astype(int)
    label = np.array(list(LABELS))[label_idx]
    upkeep = rng.choice(list(UPKEEP), size=n, p=[0.05, 0.15, 0.4, 0.3, 0.1])
    parking = (rng.random(n) < np.where(single, 0.5, 0.12)).astype(int)
    return pd.DataFrame(
        {
            "wijk": wijk,
            "woningtype": woningtype,
            "woonoppervlak": area,
            "perceeloppervlak": plot,
            "bouwjaar": year.astype(float),
            "energielabel": label,
            "onderhoudsstaat": upkeep,
            "parkeerplaats": parking,
        }
    )


def true_value(df: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    price = df.wijk.map(lambda w: DISTRICTS[w][2]).to_numpy(float)
    area = df.woonoppervlak.to_numpy(float)
    effective = np.minimum(area, 150) + 0.35 * np.maximum(area - 150, 0)
    type_mult = df.woningtype.map(lambda t: TYPES.get(t, 1.0)).to_numpy(float)
    year = df.bouwjaar.to_numpy(float)
    year_mult = np.select(
        [year < 1906, year < 1945, year < 1976, year < 2000], [1.08, 1.04, 0.92, 0.97], 1.03
    )
    mult = (
        type_mult
        * year_mult
        * df.energielabel.map(LABELS).to_numpy(float)
        * df.onderhoudsstaat.map(UPKEEP).to_numpy(float)
    )
    value = price * effective * mult + df.perceeloppervlak.to_numpy(float) * 300 * price / 6000
    value += df.parkeerplaats.to_numpy(float) * 25000
    return np.round(value * rng.lognormal(0, 0.07, len(df)) / 1000) * 1000


def make_model() -> Pipeline:
    pre = ColumnTransformer(
        [
            ("categorie", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
            (
                "getal",
                Pipeline(
                    [("ontbrekend", SimpleImputer(strategy="median")), ("schaal", StandardScaler())]
                ),
                NUMERIC,
            ),
            ("janee", "passthrough", ["parkeerplaats"]),
        ]
    )
    gbr = GradientBoostingRegressor(
        n_estimators=200, max_depth=4, learning_rate=0.075, subsample=0.8, random_state=SEED
    )
    return Pipeline([("voorbewerking", pre), ("model", gbr)])


def spec() -> dict:
    return {
        "spec_version": 1,
        "model": "WOZ-waardebepaling woningen",
        "features": [
            {
                "name": "wijk",
                "label": text("Stadsdeel", "District"),
                "kind": "category",
                "categories": cats(*((k, v[0], v[1]) for k, v in DISTRICTS.items())),
                "phrase": text("De ligging in stadsdeel {value}", "The location in {value}"),
            },
            {
                "name": "woningtype",
                "label": text("Soort woning", "Type of home"),
                "kind": "category",
                "categories": cats(
                    ("appartement", "Appartement", "Flat"),
                    ("tussenwoning", "Tussenwoning", "Terraced house"),
                    ("hoekwoning", "Hoekwoning", "End-of-terrace house"),
                    ("twee_onder_een_kap", "Twee-onder-een-kapwoning", "Semi-detached house"),
                    ("vrijstaand", "Vrijstaande woning", "Detached house"),
                ),
                "phrase": text("Het soort woning ({value})", "The type of home ({value})"),
            },
            {
                "name": "woonoppervlak",
                "label": text("Woonoppervlak", "Floor area"),
                "kind": "number",
                "unit": "m²",
                "min": 15,
                "max": 400,
                "step": 1,
                "integer": True,
                "changeable": True,
                "phrase": text("Uw woonoppervlak van {value}", "Your floor area of {value}"),
                "help": text(
                    "De oppervlakte binnen de woning, volgens de meetinstructie NEN 2580.",
                    "The floor area inside the home, measured by standard NEN 2580.",
                ),
            },
            {
                "name": "perceeloppervlak",
                "label": text("Oppervlakte perceel", "Plot size"),
                "kind": "number",
                "unit": "m²",
                "min": 0,
                "max": 2500,
                "step": 1,
                "integer": True,
                "phrase": text("De oppervlakte van uw perceel ({value})", "The size of your plot ({value})"),
            },
            {
                "name": "bouwjaar",
                "label": text("Bouwjaar", "Year built"),
                "kind": "number",
                "min": 1600,
                "max": 2026,
                "step": 1,
                "integer": True,
                "grouping": False,
                "phrase": text("Het bouwjaar {value}", "The year built, {value},"),
            },
            {
                "name": "energielabel",
                "label": text("Energielabel", "Energy label"),
                "kind": "category",
                "categories": cats(*((k, k, k) for k in LABELS)),
                "changeable": True,
                "phrase": text("Energielabel {value}", "Energy label {value}"),
            },
            {
                "name": "onderhoudsstaat",
                "label": text("Onderhoud", "Upkeep"),
                "kind": "category",
                "categories": cats(
                    ("slecht", "slecht", "poor"),
                    ("matig", "matig", "fair"),
                    ("redelijk", "redelijk", "reasonable"),
                    ("goed", "goed", "good"),
                    ("uitstekend", "uitstekend", "excellent"),
                ),
                "changeable": True,
                "phrase": text("Het onderhoud ({value})", "The upkeep ({value})"),
            },
            {
                "name": "parkeerplaats",
                "label": text("Eigen parkeerplaats", "Own parking place"),
                "kind": "yes_no",
                "changeable": True,
                "phrase": {
                    "nl": {"yes": "Een eigen parkeerplaats", "no": "Geen eigen parkeerplaats"},
                    "en": {
                        "yes": "Having your own parking place",
                        "no": "No parking place of your own",
                    },
                },
            },
        ],
        "outcome": {
            "kind": "regression",
            "column": "woz_waarde",
            "unit": "EUR",
            "round_to": 1000,
            "label": text("de WOZ-waarde van uw woning", "the WOZ value of your home"),
            "short": text("de waarde", "the value"),
        },
    }


def entry() -> dict:
    return {
        "name": "WOZ-waarde van woningen bepalen",
        "description_short": "Voorbeeldregistratie (fictief). Dit algoritme schat de WOZ-waarde "
        "van woningen. Een taxateur controleert de schatting voordat de "
        "gemeente de WOZ-beschikking verstuurt.",
        "organization": "Gemeente Amsterdam",
        "theme": ["Belasting", "Wonen"],
        "status": "In gebruik",
        "start_date": "2021-01",
        "contact": "https://stadsregister.example/contact",
        "link": "https://stadsregister.example/woz",
        "publication_category": "Impactvolle algoritmes (Categorie B)",
        "purpose_and_impact": "Elk jaar stelt de gemeente de WOZ-waarde van alle woningen vast. "
        "Het algoritme schat die waarde met gegevens over de woning, zoals stadsdeel, "
        "woonoppervlak en bouwjaar. De waarde bepaalt mee hoeveel onroerendezaakbelasting u "
        "betaalt, en speelt een rol bij huurpunten en inkomstenbelasting.",
        "considerations": "Met het model kan de gemeente ruim 450.000 woningen op dezelfde manier "
        "waarderen. Handmatig taxeren van elke woning is niet haalbaar. Het model is "
        "uitlegbaar: voor elke woning laten we zien welke gegevens de waarde verhogen of "
        "verlagen. Bewoners kunnen bezwaar maken.",
        "human_intervention": "Een taxateur controleert de schattingen steekproefsgewijs en "
        "altijd bij grote verschillen met vorig jaar of met verkoopprijzen. Bij bezwaar kijkt "
        "een andere taxateur opnieuw naar de woning.",
        "risk_management": "We vergelijken de schattingen elk jaar met verkoopprijzen per "
        "stadsdeel en soort woning. Grote afwijkingen leiden tot controle door een "
        "taxateur. De Waarderingskamer houdt toezicht.",
        "legal_basis": "Wet waardering onroerende zaken (Wet WOZ), artikel 17.",
        "legal_basis_link": "https://wetten.overheid.nl/BWBR0007119",
        "legal_basis_title": "Wet waardering onroerende zaken",
        "impact_assessments": "Data Protection Impact Assessment (DPIA)",
        "data": "Gegevens uit de Basisregistratie Adressen en Gebouwen (BAG), de WOZ-"
        "administratie (kenmerken van de woning) en verkoopprijzen van het Kadaster.",
        "technical_operation": "Gradient boosting (200 beslisbomen, scikit-learn) in een pipeline "
        "met one-hot-codering voor stadsdeel, soort woning, energielabel en onderhoud. Elke "
        "schatting wordt uitgelegd met exacte SHAP-waarden per invoergegeven.",
        "supplier": "Gemeente Amsterdam (eigen ontwikkeling)",
        "language": "nld",
        "schema": "1.0.0",
        "search_terms": "WOZ, woning, waarde, belasting, taxatie",
        "decision_kinds": ["WOZ-beschikking"],
        "human_contact": "Belastingen Gemeente Amsterdam, telefoon 14 020, of via het "
        "contactformulier op Mijn Amsterdam.",
        "objection_route": "U kunt binnen 6 weken na de datum van de WOZ-beschikking bezwaar "
        "maken. Dat is gratis. Vermeld waarom u de waarde te hoog of te laag "
        "vindt.",
        "objection_link": "https://stadsregister.example/woz/bezwaar",
        "ai_act_risk_class": "limited",
        "exit_strategy": "De gemeente kan terugvallen op de vergelijkingsmethode met "
        "verkoopprijzen die taxateurs ook handmatig gebruiken.",
        **EXTENSION_DEFAULTS,
    }


DPIA = """
# DPIA (samenvatting, fictief) — WOZ-waarde van woningen bepalen

- **Persoonsgegevens**: adres en kenmerken van de woning; geen bijzondere persoonsgegevens.
- **Doel en grondslag**: wettelijke taak volgens de Wet WOZ (artikel 6 lid 1 sub e AVG).
- **Risico's**: een te hoge waarde leidt tot te hoge belasting. Maatregel: controle door een
  taxateur, uitleg per woning en gratis bezwaar.
- **Bewaartermijn**: zeven jaar na het belastingjaar.
- **Conclusie**: restrisico laag.
"""


def build(out: Path) -> dict:
    rng = np.random.default_rng(SEED)
    train = generate(6000, rng)
    y = true_value(train, rng)
    reference = generate(1000, rng)
    reference["woz_waarde"] = true_value(reference, rng)
    model = make_model().fit(train, y)
    return write_artefacts(
        out, model=model, spec=spec(), reference=reference, entry=entry(), dpia=DPIA
    )
