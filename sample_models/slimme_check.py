"""Review-risk score for benefit applications, modelled on Amsterdam's stopped "Slimme Check".

Logistic regression in a Pipeline with one-hot features (classification). The synthetic truth
does not depend on nationality, but moving house often does, among people from outside the
EU, because of the housing shortage. The model sees the moves, not the reason, and so flags
one group more often: the disparity the fairness report must show. Age group is a protected
model input; nationality group is kept in the reference data for fairness checks only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .common import EXTENSION_DEFAULTS, cats, text, write_artefacts

SEED = 20230501
AGES = ["18-26", "27-40", "41-55", "56-66", "67+"]
NATIONALITY = ["nederlands", "eu", "buiten_eu", "onbekend"]
HOUSING = ["alleenstaand", "samenwonend", "bij_ouders", "briefadres"]
MOVES_BY_GROUP = {"nederlands": 0.6, "eu": 1.4, "buiten_eu": 2.4, "onbekend": 1.5}


def generate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    nat = rng.choice(NATIONALITY, size=n, p=[0.55, 0.15, 0.28, 0.02])
    age = rng.choice(AGES, size=n, p=[0.22, 0.35, 0.27, 0.145, 0.015])
    moves = np.minimum(rng.poisson([MOVES_BY_GROUP[g] for g in nat]), 10)
    years = np.where(nat == "nederlands", rng.integers(5, 60, n), rng.integers(0, 25, n))
    return pd.DataFrame(
        {
            "leeftijdsgroep": age,
            "woonsituatie": rng.choice(HOUSING, size=n, p=[0.55, 0.2, 0.15, 0.1]),
            "aantal_adreswijzigingen": moves.astype(float),
            "jaren_in_amsterdam": years.astype(float),
            "eerdere_aanvragen": np.minimum(rng.poisson(1.0, n), 10).astype(float),
            "inkomen_uit_werk": (rng.random(n) < 0.3).astype(int),
            "schulden_bekend": (rng.random(n) < 0.25).astype(int),
            "aanvraag_volledig": (rng.random(n) < 0.7).astype(int),
            "nationaliteitsgroep": nat,
        }
    )


def true_outcome(df: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """1 = the application later turned out to be incorrect. Moves only count above the
    usual number for the person's group: moving is not in itself a sign of error."""
    usual = df.nationaliteitsgroep.map(MOVES_BY_GROUP).to_numpy(float)
    logit = (
        -2.0
        + 0.45 * (df.aantal_adreswijzigingen - usual)
        + 0.9 * (df.woonsituatie == "briefadres")
        + 1.0 * (1 - df.aanvraag_volledig)
        + 0.5 * df.schulden_bekend
        + 0.6 * df.inkomen_uit_werk
        + 0.15 * df.eerdere_aanvragen
        + 0.3 * (df.leeftijdsgroep == "18-26")
    )
    return (rng.random(len(df)) < 1 / (1 + np.exp(-logit.to_numpy(float)))).astype(int)


FEATURES = [
    "leeftijdsgroep",
    "woonsituatie",
    "aantal_adreswijzigingen",
    "jaren_in_amsterdam",
    "eerdere_aanvragen",
    "inkomen_uit_werk",
    "schulden_bekend",
    "aanvraag_volledig",
]


def make_model() -> Pipeline:
    pre = ColumnTransformer(
        [
            (
                "categorie",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ["leeftijdsgroep", "woonsituatie"],
            ),
            (
                "getal",
                StandardScaler(),
                ["aantal_adreswijzigingen", "jaren_in_amsterdam", "eerdere_aanvragen"],
            ),
            ("janee", "passthrough", ["inkomen_uit_werk", "schulden_bekend", "aanvraag_volledig"]),
        ]
    )
    return Pipeline([("voorbewerking", pre), ("model", LogisticRegression(C=1.0, max_iter=1000))])


def spec() -> dict:
    def yes_no(name, nl, en, phr_nl, phr_en, changeable=False):
        return {
            "name": name,
            "label": text(nl, en),
            "kind": "yes_no",
            "changeable": changeable,
            "phrase": {
                "nl": {"yes": phr_nl[0], "no": phr_nl[1]},
                "en": {"yes": phr_en[0], "no": phr_en[1]},
            },
        }

    return {
        "spec_version": 1,
        "model": "Slimme Check levensonderhoud (voorbeeld)",
        "features": [
            {
                "name": "leeftijdsgroep",
                "label": text("Leeftijdsgroep", "Age group"),
                "kind": "category",
                "categories": cats(*((a, f"{a} jaar", f"{a} years") for a in AGES)),
                "protected": True,
                "phrase": text("Uw leeftijdsgroep ({value})", "Your age group ({value})"),
            },
            {
                "name": "woonsituatie",
                "label": text("Woonsituatie", "Living situation"),
                "kind": "category",
                "categories": cats(
                    ("alleenstaand", "alleenstaand", "living alone"),
                    ("samenwonend", "samenwonend", "living together"),
                    ("bij_ouders", "bij ouders", "with parents"),
                    ("briefadres", "briefadres", "postal address only"),
                ),
                "phrase": text("Uw woonsituatie ({value})", "Your living situation ({value})"),
            },
            {
                "name": "aantal_adreswijzigingen",
                "label": text("Verhuizingen in de laatste 2 jaar", "Moves in the last 2 years"),
                "kind": "number",
                "min": 0,
                "max": 10,
                "step": 1,
                "integer": True,
                "phrase": text(
                    "Het aantal verhuizingen ({value})", "The number of moves ({value})"
                ),
            },
            {
                "name": "jaren_in_amsterdam",
                "label": text("Jaren in Amsterdam", "Years in Amsterdam"),
                "kind": "number",
                "unit": text("jaar", "years"),
                "min": 0,
                "max": 80,
                "step": 1,
                "integer": True,
                "phrase": text("Uw {value} in Amsterdam", "Your {value} in Amsterdam"),
            },
            {
                "name": "eerdere_aanvragen",
                "label": text("Eerdere aanvragen", "Earlier applications"),
                "kind": "number",
                "min": 0,
                "max": 10,
                "step": 1,
                "integer": True,
                "phrase": text(
                    "Het aantal eerdere aanvragen ({value})",
                    "The number of earlier applications ({value})",
                ),
            },
            yes_no(
                "inkomen_uit_werk",
                "Inkomen uit werk",
                "Income from work",
                ("Inkomen uit werk", "Geen inkomen uit werk"),
                ("Income from work", "No income from work"),
            ),
            yes_no(
                "schulden_bekend",
                "Schulden bekend",
                "Known debts",
                ("Bekende schulden", "Geen bekende schulden"),
                ("Known debts", "No known debts"),
            ),
            yes_no(
                "aanvraag_volledig",
                "Alle bewijsstukken meegestuurd",
                "All documents supplied",
                ("Een volledige aanvraag", "Ontbrekende bewijsstukken"),
                ("A complete application", "Missing documents"),
                changeable=True,
            ),
        ],
        "outcome": {
            "kind": "classification",
            "column": "uitkomst_controle",
            "label": text("uw risicoscore", "your risk score"),
            "short": text("de score", "the score"),
            "classes": [
                {"value": "0", "label": text("geen extra controle", "no extra check")},
                {
                    "value": "1",
                    "label": text(
                        "extra controle door een medewerker", "an extra check by a staff member"
                    ),
                },
            ],
            "flagged_class": "1",
            "threshold": 0.4,
        },
        "fairness_attributes": [
            {
                "name": "nationaliteitsgroep",
                "label": text("Nationaliteitsgroep", "Nationality group"),
                "categories": cats(
                    ("nederlands", "Nederlands", "Dutch"),
                    ("eu", "EU", "EU"),
                    ("buiten_eu", "buiten de EU", "outside the EU"),
                    ("onbekend", "onbekend", "unknown"),
                ),
            },
        ],
    }


def entry() -> dict:
    return {
        "name": "Aanvragen levensonderhoud beoordelen (Slimme Check)",
        "description_short": "Voorbeeldregistratie (fictief), naar het voorbeeld van de gestopte "
        "Slimme Check. Het algoritme gaf aanvragen voor een bijstandsuitkering "
        "een risicoscore. Bij een hoge score keek een medewerker extra.",
        "organization": "Gemeente Amsterdam",
        "theme": ["Sociale zekerheid", "Werk"],
        "status": "Buiten gebruik",
        "start_date": "2023-04",
        "end_date": "2023-11",
        "contact": "https://stadsregister.example/contact",
        "publication_category": "Hoog-risico AI-systeem (Categorie A)",
        "purpose_and_impact": "Het doel was om aanvragen die waarschijnlijk niet kloppen eerder te "
        "herkennen, zodat mensen geen uitkering krijgen die ze later moeten terugbetalen. "
        "Aanvragers met een hoge score kregen een extra gesprek of moesten meer bewijsstukken "
        "sturen. De gemeente besliste nooit alleen op basis van de score.",
        "considerations": "Een extra controle kost de aanvrager tijd en kan als wantrouwen voelen. "
        "Uit de toets op eerlijkheid bleek dat mensen met een nationaliteit van buiten de EU "
        "vaker een hoge score kregen, vooral door het aantal verhuizingen. Daarom is het "
        "algoritme gestopt.",
        "human_intervention": "Een medewerker besliste altijd zelf over de aanvraag. De score "
        "bepaalde alleen of er een extra controle kwam.",
        "risk_management": "Elke drie maanden controleerden we of de score voor alle groepen even "
        "vaak tot een extra controle leidde (selectiepercentages, vals-positieven, vier-"
        "vijfderegel). Groepen kleiner dan 30 personen rapporteren we niet.",
        "legal_basis": "Participatiewet, artikel 53a (onderzoek naar de juistheid van gegevens).",
        "legal_basis_link": "https://wetten.overheid.nl/BWBR0015703",
        "legal_basis_title": "Participatiewet",
        "impact_assessments": "DPIA, IAMA",
        "data": "Gegevens uit de aanvraag en uit de Basisregistratie Personen (aantal "
        "verhuizingen, jaren in Amsterdam). Leeftijdsgroep en nationaliteitsgroep zijn "
        "alleen gebruikt om de eerlijkheid te toetsen; nationaliteit is geen invoer.",
        "technical_operation": "Logistische regressie (scikit-learn) in een pipeline met one-hot-"
        "codering en schaling. Elke score wordt uitgelegd met exacte lineaire SHAP-waarden.",
        "supplier": "Gemeente Amsterdam (eigen ontwikkeling)",
        "language": "nld",
        "schema": "1.0.0",
        "search_terms": "bijstand, uitkering, risicoscore, Slimme Check, eerlijkheid",
        "decision_kinds": ["Beschikking bijstandsuitkering"],
        "human_contact": "Werk, Participatie en Inkomen, telefoon 14 020.",
        "objection_route": "U kunt binnen 6 weken bezwaar maken tegen het besluit over uw "
        "uitkering. Een extra controle is geen besluit, maar u mag altijd vragen "
        "waarom die er was.",
        "objection_link": "https://stadsregister.example/bijstand/bezwaar",
        "ai_act_risk_class": "high",
        "exit_strategy": "Aanvragen worden weer zonder score behandeld, zoals voor 2023.",
        **EXTENSION_DEFAULTS,
    }


DPIA = """
# DPIA (samenvatting, fictief) — Slimme Check levensonderhoud

- **Persoonsgegevens**: gegevens uit de aanvraag en de BRP. Leeftijd en nationaliteit zijn
  gevoelig: ze zijn alleen gebruikt om te toetsen of het model eerlijk is.
- **Risico's**: ongelijke behandeling via indirecte kenmerken (verhuizingen). Gevonden: een
  hoger selectiepercentage voor mensen van buiten de EU.
- **Maatregelen**: geen automatische besluiten; eerlijkheidstoets per kwartaal.
- **Conclusie**: het restrisico bleek te hoog; het algoritme is in 2023 gestopt.
"""


def build(out: Path) -> dict:
    rng = np.random.default_rng(SEED)
    train = generate(8000, rng)
    y = true_outcome(train, rng)
    reference = generate(1000, rng)
    reference["uitkomst_controle"] = true_outcome(reference, rng)
    model = make_model().fit(train[FEATURES], y.astype(str))
    return write_artefacts(
        out, model=model, spec=spec(), reference=reference, entry=entry(), dpia=DPIA
    )
