"""Odd requests get a clear 4xx in the user's language, and nothing is stored (issue 12, points 5, 14).

Unicode digits in every numeric query parameter, ids beyond the database's integer range, NUL
bytes in the address, query, form or JSON, JSON nested 50,000 deep, a lone surrogate, an e-mail
address over 254 characters, bare numbers as request bodies, and methods a URL does not have.
"""
from __future__ import annotations

import io
import json

import pytest


@pytest.fixture
def world(session, app, people, entry, sensor, hostile):
    session.commit()
    return {"code": entry.code, "sensor": sensor.id, "before": hostile.snapshot(session, app.config["DATA_DIR"])}


@pytest.fixture
def model_world(woz, world, session, app, hostile):
    """The same, with the entry explained by the sample WOZ model."""
    session.commit()
    return dict(world, before=hostile.snapshot(session, app.config["DATA_DIR"]))


def unchanged(session, app, hostile, world) -> bool:
    return hostile.snapshot(session, app.config["DATA_DIR"]) == world["before"]


def test_unicode_digits_and_out_of_range_numbers_in_query_parameters_are_a_clear_400(client, session, app, hostile,
                                                                                      world):
    for url in hostile.odd_query_urls(world["code"]):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "moet een heel getal zijn" in response.get_data(as_text=True), url  # Dutch by default
    english = client.get("/algorithms.json?page=²&lang=en").get_json()
    assert english == {"ok": False, "errors": [],
                       "error": "page must be a whole number from 1 to 2147483647 (digits 0-9)."}
    assert client.get("/algorithms.json?page=1").status_code == 200  # ordinary numbers still work
    assert unchanged(session, app, hostile, world)


def test_ids_beyond_the_database_range_or_in_other_digits_are_not_found(client, people, hostile, world):
    for url in hostile.missing_ids(world["code"]):
        assert client.get(url).status_code == 404, url
    for method in ("GET", "PATCH"):
        response = client.open(f"/api/v1/sensors/{hostile.BEYOND_INTEGER}", method=method, json={},
                               headers=people["token"])
        assert response.status_code == 404 and response.get_json()["ok"] is False, method
    assert client.get(f"/sensors/{world['sensor']}").status_code == 200


def test_sensorthings_filters_on_ids_beyond_range_match_nothing(client, hostile, world):
    for value in (hostile.BEYOND_INTEGER, "-" + hostile.BEYOND_INTEGER):
        for path in ("@iot.id", "properties/retention_days"):
            response = client.get(f"/sta/v1.1/Things?$filter={path} eq {value}")
            assert response.status_code == 200 and response.get_json()["value"] == [], (path, value)
    refused = client.get("/sta/v1.1/Things?$filter=@iot.id eq ²")
    assert refused.status_code == 400 and refused.is_json
    found = client.get(f"/sta/v1.1/Things?$filter=@iot.id eq {world['sensor']}").get_json()["value"]
    assert [thing["@iot.id"] for thing in found] == [world["sensor"]]


def test_nul_bytes_in_the_address_or_query_are_refused(client, session, app, hostile, world):
    for url in hostile.NUL_URLS:
        response = client.get(url)
        assert response.status_code == 400, url
        assert "NUL-teken" in response.get_data(as_text=True), url
    assert unchanged(session, app, hostile, world)


def test_nul_bytes_in_forms_are_refused_and_nothing_is_stored(client, auth, session, app, hostile, world):
    contact = f"/sensors/{world['sensor']}/contact"
    sent = auth.post(contact, {"sender_email": "bewoner@example.org", "body": "Wat filmt deze\x00 camera precies?"},
                     form_url=contact)
    assert sent.status_code == 400 and "NUL-teken" in sent.get_data(as_text=True)
    report = auth.post("/sensors/report", {"lat": "52.37", "lon": "4.89", "description": "Camera\x00 op de hoek"},
                       form_url="/sensors/report")
    assert report.status_code == 400
    assert unchanged(session, app, hostile, world)


@pytest.mark.parametrize("name", ["deep list", "deep object", "lone surrogate", "NUL in a text", "NUL in a key",
                                  "not UTF-8", "not JSON"])
def test_poisoned_json_bodies_are_refused_everywhere_with_the_reason(client, session, app, people, hostile, world,
                                                                      name):
    body = {"deep list": hostile.deep_json, "deep object": hostile.deep_object,
            "lone surrogate": hostile.lone_surrogate_entry,
            "NUL in a text": lambda: json.dumps(hostile.nul_entry()).encode(),
            "NUL in a key": lambda: json.dumps({"inputs": {"wijk\u0000": "centrum"}}).encode(),
            "not UTF-8": lambda: b'{"name": "\xff\xfe"}', "not JSON": lambda: b'{"name": '}[name]()
    code = world["code"]
    words = {"deep list": "diep genest", "deep object": "diep genest", "lone surrogate": "surrogaat",
             "NUL in a text": "NUL-teken", "NUL in a key": "NUL-teken", "not UTF-8": "UTF-8",
             "not JSON": "geen geldige JSON"}[name]
    for method, url in (("POST", "/api/v1/algorithms"), ("PATCH", f"/api/v1/algorithms/{code}"),
                        ("POST", f"/api/v1/algorithms/{code}/decisions"), ("POST", "/api/v1/sensors"),
                        ("PATCH", f"/api/v1/sensors/{world['sensor']}"), ("POST", f"/api/v1/algorithms/{code}/submit"),
                        ("POST", f"/algorithms/{code}/explain.json")):
        response = client.open(url, method=method, data=body, headers={**people["token"],
                                                                       "Content-Type": "application/json"})
        assert response.status_code == 400, (url, response.get_data(as_text=True)[:200])
        assert words in response.get_json()["error"], url
    assert unchanged(session, app, hostile, world)


@pytest.mark.parametrize("body", [b"5", b"-1.5", b"[]", b'"text"', b"true", b"null"])
def test_a_bare_number_or_other_non_object_is_no_request_body(client, session, app, people, hostile, model_world,
                                                              body):
    world = model_world
    code = world["code"]
    for url in ("/api/v1/algorithms", f"/api/v1/algorithms/{code}/decisions", "/api/v1/sensors",
                f"/api/v1/algorithms/{code}/submit", f"/api/v1/algorithms/{code}/retract",
                f"/algorithms/{code}/explain.json"):
        response = client.post(url, data=body, headers={**people["approver_token"], "Content-Type": "application/json"})
        assert response.status_code == 400, (url, body, response.status_code)
        assert response.get_json()["ok"] is False
    patched = client.patch(f"/api/v1/algorithms/{code}", data=body,
                           headers={**people["token"], "Content-Type": "application/json"})
    assert patched.status_code == 400
    assert unchanged(session, app, hostile, world)


def test_an_email_address_over_254_characters_is_a_field_error(client, auth, session, app, people, hostile, world):
    long_address = "a" * 250 + "@gemeente.example"
    created = client.post("/api/v1/sensors", json=hostile.valid_sensor(reference="CAM-2", contact_email=long_address),
                          headers=people["token"])
    assert created.status_code == 422
    assert [e["field"] for e in created.get_json()["errors"]] == ["contact_email"]
    contact = f"/sensors/{world['sensor']}/contact.json"
    sent = auth.post(contact, {"sender_email": long_address, "body": "Wat filmt deze camera precies?"},
                     form_url=contact.removesuffix(".json"))
    assert sent.status_code == 422 and [e["field"] for e in sent.get_json()["errors"]] == ["sender_email"]
    assert unchanged(session, app, hostile, world)


def test_unknown_methods_answer_405_with_allow(client, people, world):
    for method, url, allowed in (("DELETE", "/api/v1/algorithms", {"GET", "POST"}),
                                 ("PUT", f"/api/v1/algorithms/{world['code']}", {"GET", "PATCH"}),
                                 ("DELETE", f"/api/v1/sensors/{world['sensor']}", {"GET", "PATCH"}),
                                 ("POST", "/sensors/list", {"GET"})):
        response = client.open(url, method=method, headers=people["token"])
        assert response.status_code == 405, url
        assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}, url
        assert "POST" not in response.headers["Allow"] or "POST" in allowed


def test_the_openapi_document_lists_400_answers_and_iso_dates(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)
    metadata = document["paths"]["/algorithms/{code}/documents"]["post"]["requestBody"]["content"][
        "multipart/form-data"]["schema"]["properties"]
    assert metadata["assessment_date"] == {"type": "string", "format": "date"}


def test_a_nul_byte_inside_an_imported_file_is_a_row_error(client, session, app, people, hostile, world):
    csv = ("reference;sensor_type;lat;lon;measures;purpose;themes;personal_data;end_date\n"
           f"CAM-7;camera;52.37;4.89;Beel\x00den;Doel;Milieu: geluid;Nee;{hostile.END}\n").encode()
    response = client.post("/api/v1/sensors/import", headers=people["token"], content_type="multipart/form-data",
                           data={"file": (io.BytesIO(csv), "sensoren.csv")})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert [(e["field"], "NUL-teken" in e["message"]) for e in errors] == [("measures", True)]
    assert unchanged(session, app, hostile, world)
