"""One sensor record, checked field by field, with messages in Dutch and English."""

import pytest

from geo import LEGAL_GROUNDS, OWNER_KINDS, SENSOR_TYPES, STATUSES, THEMES, validate_sensor
from geo.validate import missing_retention


def test_amsterdams_vocabularies_are_complete_with_english_labels():
    assert len(SENSOR_TYPES) == 12  # Amsterdam's 11 plus "Anders, namelijk…"
    assert len(THEMES) == 20 and len(LEGAL_GROUNDS) == 6
    assert len(OWNER_KINDS) == 5 and STATUSES.codes == ("planned", "active", "removed")
    assert SENSOR_TYPES.lookup(" optische / CAMERA sensor ").code == "camera"
    assert THEMES.lookup("Mobility: bicycle").code == "mobility-bicycle"
    assert all(t.en and t.nl for v in (SENSOR_TYPES, THEMES, LEGAL_GROUNDS) for t in v)


def test_a_complete_camera_registration_is_clean(valid_input, boundary):
    clean, errors = validate_sensor(valid_input, boundary=boundary)
    assert errors == {}
    assert clean["sensor_type"] == "camera" and clean["legal_ground"] == "legitimate-interest"
    assert clean["retention_days"] == 28 and clean["mobile"] is False
    assert clean["geometry"] == {"type": "Point", "coordinates": [4.8926, 52.3731]}
    assert clean["field_of_view"]["type"] == "Polygon"
    assert clean["end_date"].isoformat() == "2027-12-31" and clean["status"] == "active"


@pytest.mark.parametrize("missing", ["legal_ground", "privacy_statement_url"])
def test_personal_data_needs_legal_ground_and_privacy_statement(valid_input, missing):
    valid_input.pop(missing)
    _, errors = validate_sensor(valid_input)
    assert list(errors) == [missing]


def test_retention_is_optional_and_its_absence_is_noted_for_a_reminder(valid_input):
    valid_input.pop("retention_days")
    clean, errors = validate_sensor(valid_input)
    assert errors == {} and clean["retention_days"] is None and missing_retention(clean)
    clean["personal_data"] = False
    assert not missing_retention(clean)


@pytest.mark.parametrize("spelling", [
    "Bescherming vitale belangen betrokkene(n) of van een andere natuurlijke persoon)",  # the city's dropdown
    "Bescherming vitale belangen betrokkene(n) of van een andere natuurlijke persoon"])
def test_the_city_workbook_spellings_of_legal_ground_and_type_are_accepted(valid_input, spelling):
    valid_input.update(legal_ground=spelling, sensor_type="Electriciteitssensor", field_of_view=None)
    clean, errors = validate_sensor(valid_input)
    assert errors == {} and clean["legal_ground"] == "vital-interests" and clean["sensor_type"] == "electricity"
    assert SENSOR_TYPES.label("electricity") == "Elektriciteitssensor"


def test_without_personal_data_the_privacy_fields_are_not_asked_or_kept(valid_input):
    valid_input.update(personal_data="Nee", legal_ground=None, privacy_statement_url=None,
                       retention_days=None)
    clean, errors = validate_sensor(valid_input)
    assert errors == {} and clean["legal_ground"] is None


def test_errors_speak_the_registrants_language(valid_input):
    valid_input.update(end_date="", sensor_type="Radar", themes=[])
    _, nl = validate_sensor(valid_input)
    _, en = validate_sensor(valid_input, locale="en")
    assert nl["end_date"] == "Vul in wanneer de sensor wordt verwijderd."
    assert en["end_date"] == "Fill in when the sensor will be removed."
    assert "'Radar' staat niet in de lijst" in nl["sensor_type"]
    assert en["themes"] == "Choose at least one theme."


def test_other_type_needs_a_description(valid_input):
    valid_input.update(sensor_type="Anders, namelijk…", field_of_view=None)
    _, errors = validate_sensor(valid_input, locale="en")
    assert errors == {"sensor_type_other": "You chose 'Other'. Write down what kind of sensor it is."}
    valid_input["sensor_type_other"] = "Lidar"
    assert validate_sensor(valid_input)[1] == {}


def test_a_point_outside_the_city_is_refused(valid_input):
    valid_input.update(lat="52.0907", lon="5.1214", field_of_view=None)  # Utrecht
    _, errors = validate_sensor(valid_input, locale="en")
    assert errors["geometry"] == "This location is outside Amsterdam."


def test_a_mobile_sensor_is_registered_by_its_districts(valid_input):
    valid_input.update(lat=None, lon=None, field_of_view=None, areas="Centrum; Zuid ;")
    clean, errors = validate_sensor(valid_input)
    assert errors == {}
    assert clean["mobile"] is True and clean["area_names"] == ["Centrum", "Zuid"]
    assert clean["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_a_mobile_sensor_without_an_area_and_an_unknown_area_are_explained(valid_input):
    valid_input.update(lat=None, lon=None, field_of_view=None, mobile="Ja")
    assert "gebied" in validate_sensor(valid_input)[1]["areas"]
    valid_input["areas"] = "Rotterdam-Zuid"
    assert "Rotterdam-Zuid" in validate_sensor(valid_input)[1]["areas"]


def test_a_field_of_view_belongs_to_a_camera_near_it(valid_input):
    far = "POLYGON((4.90 52.37, 4.901 52.37, 4.901 52.371, 4.90 52.37))"
    _, errors = validate_sensor({**valid_input, "field_of_view": far}, locale="en")
    assert "more than 100 metres" in errors["field_of_view"]
    _, errors = validate_sensor({**valid_input, "sensor_type": "Geluidsensor"})
    assert "field_of_view" in errors


def test_an_organisational_contact_at_a_free_mail_provider_is_refused(valid_input):
    _, errors = validate_sensor({**valid_input, "contact_is_organisational": "Ja"})
    assert "gmail.com" in errors["contact_email"]


def test_end_date_before_placement_and_bad_dates(valid_input):
    _, errors = validate_sensor({**valid_input, "placed_on": "01-01-2028"})
    assert "end_date" in errors
    _, errors = validate_sensor({**valid_input, "end_date": "31-13-2027"})
    assert "dd-mm-jjjj" in errors["end_date"]


def test_a_sensor_placed_in_the_future_is_planned(valid_input, today):
    clean, _ = validate_sensor({**valid_input, "placed_on": "2026-03-01"}, today=today)
    assert clean["status"] == "planned"
