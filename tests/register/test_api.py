"""The JSON API: token auth, the workflow, field errors and its OpenAPI description."""
import re

import pytest
from sqlmodel import select

from register.models import Algorithm
from register.services import accounts


@pytest.fixture
def tokens(session, world):
    def make(user, org):
        return {"Authorization": f"Bearer {accounts.create_api_token(session=session, user=user, organisation=org, name='t')[1]}"}
    headers = {"registrant": make(world.registrant_a, world.org_a), "approver": make(world.approver_a, world.org_a)}
    session.commit()
    return headers


def test_the_whole_workflow_through_the_api(client, tokens, make_entry):
    created = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["registrant"])
    assert created.status_code == 201
    code = created.get_json()["code"]
    assert created.get_json()["draft_state"] == "draft"
    assert client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["registrant"]).get_json()["draft_state"] == "submitted"
    own = client.post(f"/api/v1/algorithms/{code}/approve", headers=tokens["registrant"])
    assert own.status_code == 403  # a registrant is no approver
    published = client.post(f"/api/v1/algorithms/{code}/approve", json={"reason": "Akkoord"}, headers=tokens["approver"])
    assert published.status_code == 200 and published.get_json()["published_version"] == 1
    assert client.get(f"/algorithms/{code}").status_code == 200
    patched = client.patch(f"/api/v1/algorithms/{code}", json={"supplier": "Nieuw B.V."}, headers=tokens["registrant"])
    assert patched.get_json()["draft"]["supplier"] == "Nieuw B.V." and patched.get_json()["published"]["supplier"] == "Intern ontwikkeld"


def test_the_approver_cannot_approve_their_own_edit(client, tokens, make_entry):
    code = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["approver"]).get_json()["code"]
    client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["approver"])
    response = client.post(f"/api/v1/algorithms/{code}/approve", headers=tokens["approver"])
    assert response.status_code == 409
    assert "andere persoon" in response.get_json()["error"]  # Dutch unless ?lang=en


def test_field_errors_come_field_by_field_in_the_users_language(client, session, tokens, make_entry):
    response = client.post("/api/v1/algorithms?lang=nl", json=make_entry(name="", start_date="2023"),
                           headers=tokens["registrant"])
    assert response.status_code == 422
    body = response.get_json()
    assert body["ok"] is False
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "name": "Vul dit veld in.", "start_date": "Schrijf de maand als JJJJ-MM, bijvoorbeeld 2023-01."}
    assert session.exec(select(Algorithm)).all() == []


def test_a_body_that_is_not_a_json_object_is_refused(client, tokens):
    response = client.post("/api/v1/algorithms", data="name=x", headers=tokens["registrant"])
    assert response.status_code == 400 and response.get_json()["ok"] is False


def test_returning_needs_a_reason(client, tokens, make_entry):
    code = client.post("/api/v1/algorithms", json=make_entry(), headers=tokens["registrant"]).get_json()["code"]
    client.post(f"/api/v1/algorithms/{code}/submit", headers=tokens["registrant"])
    assert client.post(f"/api/v1/algorithms/{code}/return", headers=tokens["approver"]).status_code == 409
    returned = client.post(f"/api/v1/algorithms/{code}/return", json={"reason": "Vul de DPIA aan"}, headers=tokens["approver"])
    assert returned.get_json()["return_reason"] == "Vul de DPIA aan"


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    described = set(document["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule not in ("/api/v1/", "/api/v1/openapi.json"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            if "<any(" in path:
                for step in ("submit", "approve", "return", "retract", "archive"):
                    assert path.split("/<any(")[0] + "/" + step in described
            else:
                assert path in described, path
    assert document["components"]["schemas"]["Entry"]["properties"]["name"]["maxLength"] == 99
