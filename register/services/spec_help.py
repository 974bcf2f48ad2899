"""What the feature-spec help page shows, as plain data (the page and its `.json` twin share it)."""
from __future__ import annotations

import json

from explain.allowlist import accepted_parts
from explain.spec_docs import EXAMPLES, KEYS, PLACES, SCHEMA_ID, example_spec, schema_document

__all__ = ["feature_spec_help", "schema_document"]

EXAMPLE_TITLES = {
    "number": ("Een getal", "A number"),
    "category": ("Een keuze uit een lijst", "One of a list"),
    "yes_no": ("Ja of nee", "Yes or no"),
    "protected": ("Een beschermd kenmerk", "A protected attribute"),
    "fairness_attribute": ("Een kenmerk alleen voor de eerlijkheidscontrole", "An attribute for the fairness check only"),
    "outcome_regression": ("Uitkomst: een bedrag", "Outcome: an amount"),
    "outcome_yes_no": ("Uitkomst: ja of nee, met drempel", "Outcome: yes or no, with threshold"),
}
PART_TITLES = {
    "pipeline": ("Pijplijnen en kolommen", "Pipelines and columns"),
    "preprocessing": ("Voorbewerking", "Preprocessing"),
    "model": ("Modellen", "Models"),
    "function": ("numpy-functies in een FunctionTransformer", "numpy functions in a FunctionTransformer"),
}


def _pick(pair: tuple[str, str], locale: str) -> str:
    return pair[0] if locale == "nl" else pair[1]


def feature_spec_help(locale: str) -> dict:
    """Keys per place, an example per kind, the accepted model parts, in ``locale`` ('nl'/'en')."""
    lang = "en" if locale == "en" else "nl"
    places = []
    for place, titles in PLACES.items():
        keys = [{"key": key, "required": required, "text": nl if lang == "nl" else en}
                for where, key, required, nl, en in KEYS if where == place]
        places.append({"place": place, "title": _pick(titles, lang), "keys": keys})
    examples = [{"kind": kind, "title": _pick(EXAMPLE_TITLES[kind], lang),
                 "json": json.dumps(EXAMPLES[kind], ensure_ascii=False, indent=2)} for kind in EXAMPLE_TITLES]
    parts = [{"group": group, "title": _pick(PART_TITLES[group], lang), "names": names}
             for group, names in accepted_parts().items()]
    return {"places": places, "examples": examples, "parts": parts, "schema_url": SCHEMA_ID,
            "example_spec": json.dumps(example_spec(), ensure_ascii=False, indent=2),
            "spec_init": "stadsregister models spec-init model.skops reference.csv --out spec.json"}
