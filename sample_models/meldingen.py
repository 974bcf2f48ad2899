"""Sorting public-space reports (AMS-SIG-001): a text classifier proposes the team.

A synthetic, seeded corpus of Dutch reports (afval, verlichting, groen, wegen, overlast) with
realistic noise: shared filler words, street names, and now and then a word that belongs to
another team ("vuilniszak naast de boom"). The model is a scikit-learn Pipeline of a
TfidfVectorizer (words and word pairs, Dutch stop words) and a LogisticRegression, stored as
``model.skops``; ``spec.json`` is a text spec (see ``explain.methods.text``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from explain.intake import save_model

from .common import text

SEED = 20250402
TEAMS = {  # value: (nl, en, subjects, problems)
    "afval": ("Afval en reiniging", "Waste and cleaning",
              ["vuilniszakken", "een kapotte container", "grofvuil", "zwerfvuil", "een oud matras",
               "een bankstel", "glasbak", "papiercontainer", "kliko", "bouwafval"],
              ["ligt al dagen naast de container", "is vol en wordt niet geleegd", "stinkt enorm",
               "trekt meeuwen en ratten aan", "is niet opgehaald", "waait over de stoep"]),
    "verlichting": ("Openbare verlichting", "Street lighting",
                    ["de lantaarnpaal", "de straatverlichting", "een lamp", "de verlichting",
                     "het licht bij de brug", "de lichtmast"],
                    ["is kapot", "brandt niet meer", "knippert de hele nacht",
                     "is 's avonds helemaal donker", "staat overdag aan", "hangt scheef"]),
    "groen": ("Groen en bomen", "Parks and trees",
              ["een boom", "een grote tak", "de struiken", "het gras", "de heg", "de boomwortels",
               "het onkruid", "een omgewaaide boom"],
              ["is omgewaaid na de storm", "hangt over het fietspad", "moet gemaaid worden",
               "groeit over de stoep", "drukken de tegels omhoog", "ziet er ziek uit"]),
    "wegen": ("Wegen en verkeer", "Roads and traffic",
              ["een gat in de weg", "een losliggende stoeptegel", "het fietspad", "een kuil",
               "het verkeersbord", "de drempel", "het asfalt", "de stoep"],
              ["is verzakt", "is gevaarlijk voor fietsers", "ligt los en je struikelt erover",
               "is scheef gereden", "heeft diepe scheuren", "staat vol water na regen"]),
    "overlast": ("Overlast en handhaving", "Nuisance and enforcement",
                 ["harde muziek", "een fout geparkeerde auto", "een fietswrak", "lawaai van een feest",
                  "een bestelbus", "hangjongeren", "een weesfiets", "geluidsoverlast"],
                 ["houdt de hele buurt wakker", "staat al weken op de stoep",
                  "blokkeert de uitrit", "duurt elke nacht tot laat", "staat op de invalidenplek",
                  "zorgt voor veel overlast"]),
}
OPENINGS = ["", "Goedemorgen, ", "Hallo, ", "Graag aandacht voor dit: ", "Al een week ",
            "Opnieuw een melding: ", "Beste gemeente, "]
PLACES = ["in de Kinkerstraat", "bij de Dapperstraat", "op de hoek van de Van Woustraat",
          "bij het Mercatorplein", "in de Pijp", "naast de school", "bij de bushalte",
          "voor nummer 12", "in Noord bij het pontje", "bij de speeltuin"]
CLOSINGS = ["", " Graag snel oplossen.", " Kunt u hier iets aan doen?", " Bedankt!",
            " Dit is niet de eerste keer.", " Het is echt gevaarlijk."]
DUTCH_STOP = ["de", "het", "een", "en", "van", "in", "op", "bij", "is", "er", "aan", "dit",
              "voor", "naast", "al", "je", "u", "hier", "iets", "niet", "graag", "kunt", "doen"]


def corpus(n: int, rng: np.random.Generator) -> pd.DataFrame:
    teams = list(TEAMS)
    rows = []
    for team in rng.choice(teams, size=n, p=[0.3, 0.15, 0.15, 0.2, 0.2]):
        _, _, subjects, problems = TEAMS[team]
        if rng.random() < 0.2:  # people describe problems in words of other teams too
            problems = TEAMS[rng.choice(teams)][3]
        report = (f"{rng.choice(OPENINGS)}{rng.choice(subjects)} {rng.choice(PLACES)} "
                  f"{rng.choice(problems)}.{rng.choice(CLOSINGS)}")
        if rng.random() < 0.3:  # a word of another team's world, as real reports have
            other = TEAMS[rng.choice([t for t in teams if t != team])][2]
            report += f" Ook {rng.choice(other)} ligt er."
        rows.append((report[0].upper() + report[1:], team))
    return pd.DataFrame(rows, columns=["melding", "team"])


def make_model() -> Pipeline:
    return Pipeline([
        ("woorden", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                                    stop_words=DUTCH_STOP)),
        ("model", LogisticRegression(C=5.0, max_iter=2000)),
    ])


def spec() -> dict:
    return {
        "spec_version": 1, "kind": "text",
        "model": "Meldingen openbare ruimte sorteren (voorbeeld)",
        "text": {"name": "melding", "label": text("Uw melding", "Your report"), "max_length": 2000},
        "outcome": {
            "column": "team", "label": text("de afdeling", "the team"),
            "short": text("de afdeling", "the team"),
            "classes": [{"value": k, "label": text(v[0], v[1])} for k, v in TEAMS.items()],
        },
    }


ENTRY = {
    "name": "Meldingen openbare ruimte sorteren", "organization": "Gemeente Amsterdam",
    "source_id": "AMS-SIG-001", "language": "nld", "schema": "1.0.0",
    "technical_operation": "Een logistisch regressiemodel op woorden en woordparen (TF-IDF) "
    "kiest de afdeling. Per woord van de melding is exact uit te rekenen hoeveel het naar de "
    "gekozen afdeling wees, vergeleken met de afdeling die daarna kwam.",
    "open_standards": "Model als .skops (scikit-learn), tekstspecificatie als JSON.",
}


def build(out: Path) -> dict:
    rng = np.random.default_rng(SEED)
    train = corpus(800, rng)
    reference = corpus(300, rng)
    model = make_model().fit(train.melding, train.team)
    # scikit-learn caches id(stop_words), a memory address, which would change the file's
    # bytes (and SHA-256) on every build; it is only a cache and is recomputed when needed.
    model[0].__dict__.pop("_stop_words_id", None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"model": out / "model.skops", "spec": out / "spec.json",
             "reference": out / "reference.csv", "entry": out / "entry.json"}
    save_model(model, paths["model"])
    for key, doc in (("spec", spec()), ("entry", ENTRY)):
        paths[key].write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    reference.to_csv(paths["reference"], index=False, lineterminator="\n")
    return paths


if __name__ == "__main__":
    build(Path(__file__).resolve().parent / "artefacts" / "meldingen")
