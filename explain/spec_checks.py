"""Consistency rules of a feature spec beyond its JSON Schema, and schema errors a registrant can
act on (a misspelt key names the keys it could be). Problems are worded in English and Dutch."""

from __future__ import annotations

import difflib

from .errors import Problem as P


def semantic_problems(raw: dict) -> list[str]:
    problems = []
    names = [f["name"] for f in raw["features"]] + [
        a["name"] for a in raw.get("fairness_attributes", [])
    ]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(
            P(
                f"feature name '{dup}' is used more than once",
                f"de naam '{dup}' komt meer dan eens voor",
            )
        )
    for i, f in enumerate(raw["features"]):
        where = f"features[{i}] ({f['name']})"
        if f["kind"] == "number":
            if "min" not in f or "max" not in f:
                problems.append(
                    P(
                        f"{where}: a number needs 'min' and 'max'",
                        f"{where}: een getal heeft 'min' en 'max' nodig",
                    )
                )
            elif f["min"] >= f["max"]:
                problems.append(
                    P(
                        f"{where}: 'min' must be below 'max'",
                        f"{where}: 'min' moet kleiner zijn dan 'max'",
                    )
                )
            if f.get("categories"):
                problems.append(
                    P(
                        f"{where}: a number cannot have categories",
                        f"{where}: een getal heeft geen categorieën",
                    )
                )
        if f["kind"] == "category":
            values = [c["value"] for c in f.get("categories", [])]
            if not values:
                problems.append(
                    P(
                        f"{where}: a category feature needs 'categories'",
                        f"{where}: een categorie-invoer heeft 'categories' nodig",
                    )
                )
            if len(set(values)) != len(values):
                problems.append(
                    P(
                        f"{where}: category values must be unique",
                        f"{where}: elke categoriewaarde mag maar één keer voorkomen",
                    )
                )
        if f.get("protected") and f.get("changeable"):
            problems.append(
                P(
                    f"{where}: a protected attribute cannot be changeable",
                    f"{where}: een beschermd kenmerk kan niet 'changeable' zijn",
                )
            )
        phrase = f.get("phrase") or {}
        for lang, p in phrase.items():
            if f["kind"] == "yes_no" and not isinstance(p, dict):
                problems.append(
                    P(
                        f"{where}: phrase.{lang} for yes/no needs 'yes' and 'no'",
                        f"{where}: phrase.{lang} van een ja/nee-invoer heeft 'yes' en 'no' nodig",
                    )
                )
            if f["kind"] != "yes_no" and isinstance(p, str) and "{value}" not in p:
                problems.append(
                    P(
                        f"{where}: phrase.{lang} must contain {{value}}",
                        f"{where}: phrase.{lang} moet {{value}} bevatten",
                    )
                )
    out = raw["outcome"]
    if out["kind"] == "classification":
        classes = [c["value"] for c in out.get("classes", [])]
        if len(classes) < 2:
            problems.append(
                P(
                    "outcome: classification needs at least two 'classes'",
                    "outcome: een classificatie heeft minstens twee 'classes' nodig",
                )
            )
        if len(classes) == 2:
            if out.get("flagged_class") not in classes:
                problems.append(
                    P(
                        f"outcome: 'flagged_class' must be one of the classes {classes}",
                        f"outcome: 'flagged_class' moet een van de klassen {classes} zijn",
                    )
                )
            if "threshold" not in out:
                problems.append(
                    P(
                        "outcome: a yes/no classification needs the 'threshold' used in practice",
                        "outcome: een ja/nee-classificatie heeft de 'threshold' nodig die in de "
                        "praktijk wordt gebruikt",
                    )
                )
    return problems


def schema_problem(err) -> str:
    """A schema error with where it is, and for a misspelt key the keys it could be."""
    where = "/".join(str(p) for p in err.absolute_path) or "(top)"
    text = f"{where}: {err.message}"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = list(err.schema.get("properties", {}))
        for key in sorted(set(err.instance) - set(known)):
            close = difflib.get_close_matches(key, known, n=2, cutoff=0.6)
            if close:
                text += f"; did you mean {' or '.join(repr(c) for c in close)} instead of {key!r}?"
        text += f" Allowed keys here: {', '.join(known)}."
    return text
