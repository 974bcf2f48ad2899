"""Feature specs and the parsing of a resident's form values."""

from __future__ import annotations

import json

import pytest
import yaml

from explain import SpecError, load_spec, parse_number, parse_spec


def test_a_broken_spec_lists_every_problem_at_once(tmp_path, toys):
    raw = json.loads(json.dumps(toys.SPEC))
    raw["features"][2]["min"] = 20  # min above max
    raw["features"][1]["changeable"] = True  # protected and changeable
    raw["features"].append(dict(raw["features"][0]))  # duplicate name
    raw["outcome"] = {
        "kind": "classification",
        "label": {"nl": "x", "en": "x"},
        "short": {"nl": "x", "en": "x"},
        "classes": [
            {"value": "0", "label": {"nl": "nee", "en": "no"}},
            {"value": "1", "label": {"nl": "ja", "en": "yes"}},
        ],
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(SpecError) as err:
        load_spec(path)
    problems = " | ".join(err.value.problems)
    assert len(err.value.problems) >= 4, problems
    for fragment in (
        "'min' must be below 'max'",
        "protected attribute cannot be changeable",
        "used more than once",
        "flagged_class",
        "threshold",
    ):
        assert fragment in problems


def test_schema_errors_name_the_field(toys):
    raw = json.loads(json.dumps(toys.SPEC))
    raw["features"][0]["kind"] = "colour"
    raw["features"][2]["label"] = {"nl": "alleen Nederlands"}
    with pytest.raises(SpecError) as err:
        parse_spec({**raw, "outcome": {"kind": "regression"}})
    joined = " | ".join(err.value.problems)
    assert "features/0/kind" in joined and "features/2/label" in joined and "outcome" in joined


def test_a_yaml_spec_loads(tmp_path, toys):
    spec = toys.spec("regression")
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec.to_dict(), allow_unicode=True))
    assert load_spec(path).names == ["buurt", "leeftijd", "x1", "x2", "vlag"]


@pytest.mark.parametrize(
    "text,value",
    [
        ("120", 120.0),
        ("120,5", 120.5),
        ("1.250", 1250.0),
        ("1.250,75", 1250.75),
        ("1,250.75", 1250.75),
        ("€ 41.000", 41000.0),
        ("120 m²", 120.0),
        ("  7 ", 7.0),
        ("-3,5", -3.5),
        ("0.5", 0.5),
        ("abc", None),
        ("", None),
    ],
)
def test_numbers_in_dutch_and_english_notation(text, value):
    assert parse_number(text) == value


def test_form_strings_become_clean_values_with_plain_errors(toys):
    spec = toys.spec("regression")
    clean, errors = spec.validate_inputs(
        {"buurt": "B", "leeftijd": "jong", "x1": "7,5", "x2": "", "vlag": "ja"}, "nl"
    )
    assert errors == {}
    assert clean["buurt"] == "b" and clean["x1"] == 7.5 and clean["vlag"] is True
    assert clean["x2"] != clean["x2"]  # optional and empty → NaN for the imputer

    clean, errors = spec.validate_inputs({"buurt": "z", "x1": "11", "vlag": "misschien"}, "nl")
    assert errors["buurt"] == "Kies een van de mogelijkheden."
    assert errors["leeftijd"] == "Vul dit veld in."
    assert errors["x1"] == "Vul een getal in van 0 tot en met 10."
    assert errors["vlag"] == "Kies ja of nee."
    _, errors_en = spec.validate_inputs({"x1": "tien"}, "en")
    assert errors_en["x1"].startswith("Please enter a number")
    assert errors_en["leeftijd"] == "Please fill in this field."


def test_integer_fields_refuse_fractions(sample):
    spec = sample("woz").spec
    _, errors = spec.validate_inputs({"woonoppervlak": "120,5"}, "nl")
    assert errors["woonoppervlak"] == "Vul een heel getal in, zonder komma."
    _, errors = spec.validate_inputs({"woonoppervlak": "1.200"}, "nl")
    assert "15 m²" in errors["woonoppervlak"] and "400 m²" in errors["woonoppervlak"]
