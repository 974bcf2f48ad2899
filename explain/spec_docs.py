"""What every key of a feature spec means, in Dutch and English, with an example per kind.

The help page ``/help/feature-spec``, the served JSON Schema (``schema_document``) and the
README's section all come from, or are tested against, this one list (issue 10).
"""

from __future__ import annotations

import copy

from .spec_schema import SPEC_SCHEMA

SCHEMA_ID = "/schemas/feature-spec.schema.json"

# (place, key, required, Dutch, English). place: top | feature | category | attribute | outcome | class
# fmt: off
KEYS = [
    ("top", "spec_version", True,
     "Altijd 1.",
     "Always 1."),
    ("top", "model", False,
     "Naam van het model, voor uw eigen overzicht.",
     "The model's name, for your own reference."),
    ("top", "features", True,
     "De invoer van het model, één object per kolom die het model gebruikt, met dezelfde naam als in het model.",
     "The model's inputs: one object per column the model uses, named as in the model."),
    ("top", "outcome", True,
     "Wat het model voorspelt en hoe dat heet.",
     "What the model predicts and what it is called."),
    ("top", "fairness_attributes", False,
     "Kenmerken die het model niet gebruikt maar waarop we groepen vergelijken (bijvoorbeeld nationaliteitsgroep). Ze staan in de referentiedata, niet in het formulier.",
     "Attributes the model does not use but that groups are compared on (for example nationality group). They are in the reference data, not in the form."),
    ("feature", "name", True,
     "Kolomnaam, precies zoals het model en de referentiedata hem noemen (letters, cijfers, _).",
     "Column name, exactly as the model and the reference data call it (letters, digits, _)."),
    ("feature", "label", True,
     "Naam voor inwoners, in het Nederlands en Engels: {\"nl\": …, \"en\": …}.",
     "Name for residents, in Dutch and English: {\"nl\": …, \"en\": …}."),
    ("feature", "help", False,
     "Korte uitleg bij het veld in het formulier (nl en en).",
     "A short hint under the form field (nl and en)."),
    ("feature", "phrase", False,
     "Hoe de factor in zinnen heet, met {value} voor de waarde; bij ja/nee een object met yes en no.",
     "How the factor is named in sentences, with {value} for the value; for yes/no an object with yes and no."),
    ("feature", "kind", True,
     "number (getal), category (keuze uit een lijst) of yes_no (ja/nee).",
     "number, category (one of a list) or yes_no."),
    ("feature", "unit", False,
     "Eenheid achter een getal: één tekst (\"m²\", \"EUR\") of per taal.",
     "Unit after a number: one text (\"m²\", \"EUR\") or per language."),
    ("feature", "min", False,
     "Kleinste toegestane waarde (verplicht bij number).",
     "Smallest allowed value (required for number)."),
    ("feature", "max", False,
     "Grootste toegestane waarde (verplicht bij number).",
     "Largest allowed value (required for number)."),
    ("feature", "step", False,
     "Stapgrootte in het formulier en bij voorstellen voor een andere uitkomst; helpt ook kiezen als '1.250' twee dingen kan betekenen.",
     "Step size in the form and in suggested changes; also helps decide when '1.250' could mean two things."),
    ("feature", "integer", False,
     "true als alleen hele getallen kunnen.",
     "true when only whole numbers are possible."),
    ("feature", "grouping", False,
     "false om geen duizendtallen te scheiden (bij jaartallen: 1930, niet 1.930).",
     "false to write no thousands separator (for years: 1930, not 1,930)."),
    ("feature", "decimals", False,
     "Aantal decimalen bij het tonen (0 tot 6).",
     "Number of decimals shown (0 to 6)."),
    ("feature", "categories", False,
     "Bij category: de mogelijke waarden, elk met value (zoals in de data) en label.",
     "For category: the possible values, each with value (as in the data) and label."),
    ("feature", "changeable", False,
     "true als een inwoner dit zelf kan veranderen; alleen zulke invoer komt in voorstellen voor een andere uitkomst.",
     "true when a resident can change it; only such inputs appear in suggested changes."),
    ("feature", "protected", False,
     "true voor een beschermd kenmerk (zoals leeftijd): we vergelijken groepen erop en stellen nooit voor het te veranderen.",
     "true for a protected attribute (such as age): groups are compared on it and it is never suggested as a change."),
    ("feature", "required", False,
     "false als het veld leeg mag blijven (het model moet dan ontbrekende waarden aankunnen).",
     "false when the field may stay empty (the model must then handle missing values)."),
    ("category", "value", True,
     "De waarde zoals die in de data en het model staat.",
     "The value as it is in the data and the model."),
    ("category", "label", True,
     "De waarde voor inwoners (nl en en).",
     "The value for residents (nl and en)."),
    ("attribute", "name", True,
     "Kolomnaam in de referentiedata.",
     "Column name in the reference data."),
    ("attribute", "label", True,
     "Naam voor inwoners (nl en en).",
     "Name for residents (nl and en)."),
    ("attribute", "categories", True,
     "De groepen, elk met value en label.",
     "The groups, each with value and label."),
    ("outcome", "kind", True,
     "regression (een bedrag of getal) of classification (een klasse, zoals wel/geen controle).",
     "regression (an amount or number) or classification (a class, such as check or no check)."),
    ("outcome", "column", False,
     "Kolom in de referentiedata met de echte uitkomsten; dan tonen we hoe goed het model is. Een naam die niet bestaat wordt geweigerd.",
     "Column of the reference data with the true outcomes; then the page shows how well the model does. A name that does not exist is refused."),
    ("outcome", "label", True,
     "Wat het model voorspelt, voor inwoners: \"de WOZ-waarde van uw woning\".",
     "What the model predicts, for residents: \"the WOZ value of your home\"."),
    ("outcome", "short", True,
     "Korte naam in zinnen: \"de waarde\".",
     "Short name used in sentences: \"the value\"."),
    ("outcome", "unit", False,
     "Eenheid van de uitkomst, bijvoorbeeld EUR.",
     "Unit of the outcome, for example EUR."),
    ("outcome", "round_to", False,
     "Afronden in teksten, bijvoorbeeld op 1000.",
     "Rounding in texts, for example to 1000."),
    ("outcome", "classes", False,
     "Bij classification: de klassen zoals het model ze noemt, elk met value en label.",
     "For classification: the classes as the model names them, each with value and label."),
    ("outcome", "flagged_class", False,
     "Bij ja/nee: de klasse die tot actie leidt (zoals extra controle).",
     "For yes/no: the class that leads to action (such as an extra check)."),
    ("outcome", "threshold", False,
     "Bij ja/nee: vanaf deze kans (tussen 0 en 1) valt een geval in flagged_class, zoals het in de praktijk wordt gebruikt.",
     "For yes/no: from this chance (between 0 and 1) a case falls in flagged_class, as used in practice."),
    ("class", "value", True,
     "De klasse zoals het model hem noemt (als tekst: \"0\", \"1\").",
     "The class as the model names it (as text: \"0\", \"1\")."),
    ("class", "label", True,
     "De klasse voor inwoners (nl en en).",
     "The class for residents (nl and en)."),
]
# fmt: on

PLACES = {
    "top": ("Het bestand", "The file"),
    "feature": ("Elke invoer (features[])", "Each input (features[])"),
    "category": ("Elke categorie (categories[])", "Each category (categories[])"),
    "attribute": (
        "Elk eerlijkheidskenmerk (fairness_attributes[])",
        "Each fairness attribute (fairness_attributes[])",
    ),
    "outcome": ("De uitkomst (outcome)", "The outcome (outcome)"),
    "class": ("Elke klasse (outcome.classes[])", "Each class (outcome.classes[])"),
}

# fmt: off
EXAMPLES = {
    "number": {"name": "woonoppervlak", "label": {"nl": "Woonoppervlak", "en": "Floor area"}, "kind": "number", "unit": "m²", "min": 15, "max": 400, "step": 1, "integer": True, "changeable": True, "phrase": {"nl": "Het woonoppervlak ({value})", "en": "The floor area ({value})"}},
    "category": {"name": "wijk", "label": {"nl": "Wijk", "en": "District"}, "kind": "category", "categories": [{"value": "centrum", "label": {"nl": "Centrum", "en": "Centre"}}, {"value": "noord", "label": {"nl": "Noord", "en": "North"}}]},
    "yes_no": {"name": "parkeerplaats", "label": {"nl": "Eigen parkeerplaats", "en": "Own parking space"}, "kind": "yes_no", "changeable": True, "phrase": {"nl": {"yes": "Wel een parkeerplaats", "no": "Geen parkeerplaats"}, "en": {"yes": "A parking space", "no": "No parking space"}}},
    "protected": {"name": "leeftijdsgroep", "label": {"nl": "Leeftijdsgroep", "en": "Age group"}, "kind": "category", "protected": True, "categories": [{"value": "18-26", "label": {"nl": "18-26 jaar", "en": "18-26 years"}}, {"value": "27+", "label": {"nl": "27 jaar of ouder", "en": "27 or older"}}]},
    "fairness_attribute": {"name": "nationaliteitsgroep", "label": {"nl": "Nationaliteitsgroep", "en": "Nationality group"}, "categories": [{"value": "nederlands", "label": {"nl": "Nederlands", "en": "Dutch"}}, {"value": "buiten_eu", "label": {"nl": "buiten de EU", "en": "outside the EU"}}]},
    "outcome_regression": {"kind": "regression", "column": "woz_waarde", "label": {"nl": "de WOZ-waarde van uw woning", "en": "the WOZ value of your home"}, "short": {"nl": "de waarde", "en": "the value"}, "unit": "EUR", "round_to": 1000},
    "outcome_yes_no": {"kind": "classification", "column": "uitkomst_controle", "label": {"nl": "uw risicoscore", "en": "your risk score"}, "short": {"nl": "de score", "en": "the score"}, "classes": [{"value": "0", "label": {"nl": "geen extra controle", "en": "no extra check"}}, {"value": "1", "label": {"nl": "extra controle", "en": "an extra check"}}], "flagged_class": "1", "threshold": 0.4},
}
# fmt: on


def documented_keys() -> dict[str, set[str]]:
    """The keys the schema allows, per place (to check the documentation covers them all)."""
    props = SPEC_SCHEMA["properties"]
    feature = props["features"]["items"]
    outcome = props["outcome"]
    return {
        "top": set(props),
        "feature": set(feature["properties"]),
        "category": set(feature["properties"]["categories"]["items"]["properties"]),
        "attribute": set(props["fairness_attributes"]["items"]["properties"]),
        "outcome": set(outcome["properties"]),
        "class": set(outcome["properties"]["classes"]["items"]["properties"]),
    }


def schema_document(base_url: str = "") -> dict:
    """The JSON Schema as published: SPEC_SCHEMA with its ``$id`` and an English description
    of every key."""
    schema = copy.deepcopy(SPEC_SCHEMA)
    schema["$id"] = base_url.rstrip("/") + SCHEMA_ID
    schema["description"] = (
        "A feature spec: what each model input means and how the outcome is worded. See /help/feature-spec."
    )
    props = schema["properties"]
    feature = props["features"]["items"]
    targets = {
        "top": props,
        "feature": feature["properties"],
        "category": feature["properties"]["categories"]["items"]["properties"],
        "attribute": props["fairness_attributes"]["items"]["properties"],
        "outcome": props["outcome"]["properties"],
        "class": props["outcome"]["properties"]["classes"]["items"]["properties"],
    }
    for place, key, _required, _nl, en in KEYS:
        # Shared sub-schemas (labels, categories) are copied, so a description lands on one key only.
        targets[place][key] = dict(targets[place][key], description=en)
    return schema


def example_spec() -> dict:
    """A complete, valid spec using every kind of input (the help page shows it)."""
    return {
        "spec_version": 1,
        "model": "Voorbeeld / example",
        "features": [
            EXAMPLES["number"],
            EXAMPLES["category"],
            EXAMPLES["yes_no"],
            EXAMPLES["protected"],
        ],
        "outcome": EXAMPLES["outcome_yes_no"],
        "fairness_attributes": [EXAMPLES["fairness_attribute"]],
    }
