"""The entry model follows the national publication standard v1.0.0 field by field."""
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from register.models import AlgorithmVersion
from register.services.standard import ACCEPTED_LIMITS, SCHEMA, STORED_STANDARD_FIELDS, validate_entry

SHARED_SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "reference" / \
    "algoritmeregister-publicatiestandaard-v1.0.0.schema.json"


def test_committed_schema_is_the_national_one():
    if not SHARED_SCHEMA.exists():
        pytest.skip("../shared is not beside this checkout")
    assert json.loads(SHARED_SCHEMA.read_text(encoding="utf-8")) == SCHEMA


def test_every_field_of_the_standard_is_a_column_with_its_limit():
    """Same limits as the standard, except where the national register deliberately accepts more."""
    assert ACCEPTED_LIMITS == {"name": 100, "organization": 100, "legal_basis_title": 100}  # issue #17
    columns = AlgorithmVersion.__table__.columns
    for name in STORED_STANDARD_FIELDS:
        assert name in columns, name
        limit = ACCEPTED_LIMITS.get(name, SCHEMA["properties"][name].get("maxLength"))
        column_type = columns[name].type
        if limit is not None:
            assert getattr(column_type, "length", None) == limit, name
        elif SCHEMA["properties"][name].get("type") == "array":
            assert isinstance(column_type, sa.JSON), name
    for constant in ("language", "schema"):
        assert SCHEMA["properties"][constant].get("const")  # added on export, not stored


def test_enums_of_the_standard_are_the_models():
    from register.models.algorithm import PUBLICATION_CATEGORIES, STATUSES

    assert list(STATUSES) == SCHEMA["properties"]["status"]["enum"]
    assert list(PUBLICATION_CATEGORIES) == SCHEMA["properties"]["publication_category"]["enum"]


def messages(entry, locale="nl", strict=True):
    return {e.field: e.message for e in validate_entry(entry, locale=locale, strict=strict)}


def test_valid_entry_has_no_errors(make_entry):
    assert messages(make_entry()) == {}


def test_over_long_name_is_refused_in_plain_dutch_and_english(make_entry):
    assert "name" not in messages(make_entry(name="x" * 100))  # what the national register accepts
    entry = make_entry(name="x" * 101)
    assert messages(entry)["name"] == "Deze tekst is te lang: maximaal 100 tekens, u gebruikte er 101."
    assert messages(entry, "en")["name"] == "This text is too long: at most 100 characters, you used 101."


def test_empty_mandatory_field_is_reported(make_entry):
    assert messages(make_entry(purpose_and_impact=""))["purpose_and_impact"] == "Vul dit veld in."
    assert messages(make_entry(purpose_and_impact=None), "en")["purpose_and_impact"] == "Please fill in this field."


def test_month_must_follow_the_date_pattern(make_entry):
    assert "JJJJ-MM" in messages(make_entry(start_date="01-2023"))["start_date"]
    assert "YYYY-MM" in messages(make_entry(end_date="2023/4"), "en")["end_date"]


def test_status_must_be_one_of_the_standards_values(make_entry):
    assert "In gebruik" in messages(make_entry(status="Actief"))["status"]


def test_strict_validation_finds_odd_whitespace_which_imports_normalise_with_a_note(make_entry):
    assert "status" not in messages(make_entry(name=" Naam met spatie "))
    assert "name" in messages(make_entry(name=" Naam met spatie "))
    assert "name" in messages(make_entry(name="Naam\u200bmet verborgen teken"))


def test_forms_clean_what_people_type_before_validating(make_entry):
    from register.services.standard import normalise_form

    form = {k: v for k, v in make_entry().items()}
    form.update(name="  Naam\u00a0met spatie  ", decision_kinds="WOZ-beschikking\r\n\r\n  Aanslag OZB ", end_date="")
    clean = normalise_form(form)
    assert clean["name"] == "Naam met spatie"
    assert clean["decision_kinds"] == ["WOZ-beschikking", "Aanslag OZB"]
    assert clean["end_date"] is None
    assert messages(clean) == {}


def test_links_must_be_full_web_addresses(make_entry):
    assert "https://" in messages(make_entry(link="www.amsterdam.nl"))["link"]


def test_contact_must_be_email_or_website(make_entry):
    assert "contact" in messages(make_entry(contact="bel de gemeente"))
    assert "contact" not in messages(make_entry(contact="https://www.amsterdam.nl/contact"))


def test_high_risk_ai_needs_its_eu_database_reference(make_entry):
    assert "eu_database_ref" in messages(make_entry(ai_act_risk_class="high"))
    assert "eu_database_ref" not in messages(make_entry(ai_act_risk_class="high", eu_database_ref="EU-1"))


def test_unknown_fields_are_named(make_entry):
    assert "naam" in messages(make_entry(naam="typo"))
