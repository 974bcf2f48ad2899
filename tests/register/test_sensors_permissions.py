"""Only the owning organisation (registrants, approvers) and site administrators change a sensor;
organisation B gets 403 on every mutating route and API endpoint, and nothing changes."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlmodel import select

from register.models import Sensor, SensorChange, SensorReport
from register.services import accounts
from register.services import sensors as svc

END = (dt.date.today() + dt.timedelta(days=300)).isoformat()


def sensor_data(**overrides) -> dict:
    data = {"reference": "CAM-1", "sensor_type": "camera", "themes": ["safety-surveillance-camera"],
            "measures": "Beelden van de stoep", "purpose": "Beveiliging", "personal_data": True,
            "legal_ground": "legitimate-interest", "privacy_statement_url": "https://a.example/privacy",
            "retention_days": 28, "lat": 52.3731, "lon": 4.8926, "end_date": END,
            "contact_name": "Jan Jansen", "contact_email": "jan.jansen@gmail.com", "contact_phone": "0612345678"}
    data.update(overrides)
    return data


def stored(session):
    session.expire_all()
    return ([s.model_dump() for s in session.exec(select(Sensor).order_by(Sensor.id))],
            len(session.exec(select(SensorChange)).all()))


@pytest.fixture
def sensor_a(session, world):
    return svc.create_sensor(session, user=world.registrant_a, organisation=world.org_a, data=sensor_data())


def token_for(session, user, organisation) -> dict:
    _token, plain = accounts.create_api_token(session=session, user=user, organisation=organisation, name="t")
    session.commit()
    return {"Authorization": f"Bearer {plain}"}


@pytest.mark.parametrize("who", ["registrant_b", "approver_b"])
def test_portal_refuses_another_organisations_sensor(session, world, sensor_a, auth, client, who):
    assert auth.login(getattr(world, who).email).status_code == 302
    before = stored(session)
    assert client.get(f"/portal/sensors/{sensor_a.id}/edit").status_code == 403
    for url, data in [(f"/portal/sensors/{sensor_a.id}/edit", {"reference": "GEKAAPT", "measures": "x"}),
                      (f"/portal/sensors/{sensor_a.id}/confirm", {})]:
        assert auth.post(url, data).status_code == 403, url
    # Registering a sensor for organisation A is refused too (A is not among B's choices).
    response = auth.post("/portal/sensors/new", sensor_data(reference="B-IN-A", organisation_id=str(world.org_a.id),
                                                            personal_data="ja", lat="52.37", lon="4.89"),
                         form_url="/portal/sensors/new")
    assert response.status_code == 422
    assert stored(session) == before
    assert "Jan Jansen" not in client.get("/portal/sensors").get_data(as_text=True)


@pytest.mark.parametrize("who", ["registrant_a", "approver_a", "admin"])
def test_owners_and_admins_may_edit_and_confirm(session, world, sensor_a, auth, client, who):
    auth.login(getattr(world, who).email)
    form = sensor_data(personal_data="ja", measures="Beelden van de ingang", themes="safety-surveillance-camera")
    response = auth.post(f"/portal/sensors/{sensor_a.id}/edit", form, form_url=f"/portal/sensors/{sensor_a.id}/edit")
    assert response.status_code == 303
    assert auth.post(f"/portal/sensors/{sensor_a.id}/confirm", {}).status_code == 303
    session.expire_all()
    assert session.get(Sensor, sensor_a.id).measures == "Beelden van de ingang"
    actions = [h["action"] for h in svc.history(session, session.get(Sensor, sensor_a.id))]
    assert actions == ["confirmed", "updated", "created"]


def test_portal_form_shows_errors_per_field_and_stores_nothing(session, world, auth):
    auth.login(world.registrant_a.email)
    before = stored(session)
    response = auth.post("/portal/sensors/new", {"organisation_id": str(world.org_a.id), "reference": "X",
                                                 "sensor_type": "Radar", "lat": "52.09", "lon": "5.12"},
                         form_url="/portal/sensors/new")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-sensor_type"' in text and 'aria-describedby="e-sensor_type' in text
    assert 'id="e-end_date"' in text and 'id="e-lat"' in text  # the boundary error sits at the location
    assert stored(session) == before


def test_api_matrix_other_organisation_gets_403_and_nothing_changes(session, world, sensor_a, client):
    headers_b = token_for(session, world.registrant_b, world.org_b)
    before = stored(session)
    assert client.get(f"/api/v1/sensors/{sensor_a.id}", headers=headers_b).status_code == 403
    response = client.patch(f"/api/v1/sensors/{sensor_a.id}", json={"measures": "Gekaapt"}, headers=headers_b)
    assert response.status_code == 403 and response.get_json()["ok"] is False
    assert client.patch(f"/api/v1/sensors/{sensor_a.id}", json={"measures": "x"}).status_code == 401
    assert client.post("/api/v1/sensors", json=sensor_data()).status_code == 401
    assert stored(session) == before
    # B's token creates sensors for B only, whatever the body says about owners.
    created = client.post("/api/v1/sensors", json=sensor_data(owner_name="Gemeente Amsterdam"), headers=headers_b)
    assert created.status_code == 201
    assert created.get_json()["sensor"]["owner_name"] == "Gemeente Zaanstad"
    ids = [s["id"] for s in client.get("/api/v1/sensors", headers=headers_b).get_json()["items"]]
    assert sensor_a.id not in ids and len(ids) == 1


def test_api_owner_updates_and_gets_field_errors(session, world, sensor_a, client):
    headers = token_for(session, world.registrant_a, world.org_a)
    response = client.patch(f"/api/v1/sensors/{sensor_a.id}", json={"lat": "487000", "lon": "121000"},
                            headers=headers)
    assert response.status_code == 200 and response.get_json()["changed"] == ["geometry"]
    before = stored(session)
    bad = client.patch(f"/api/v1/sensors/{sensor_a.id}?lang=en", json={"end_date": "31-02-2027",
                                                                        "sensor_type": "radar"}, headers=headers)
    body = bad.get_json()
    assert bad.status_code == 422 and {e["field"] for e in body["errors"]} == {"end_date", "sensor_type"}
    assert all(e["message"] for e in body["errors"])
    assert stored(session) == before
    duplicate = client.post("/api/v1/sensors", json=sensor_data(), headers=headers)
    assert duplicate.status_code == 422 and duplicate.get_json()["errors"][0]["field"] == "reference"


def test_api_import_for_another_organisations_references_creates_own_sensors(session, world, sensor_a, client):
    headers_b = token_for(session, world.registrant_b, world.org_b)
    csv = ("reference;sensor_type;lat;lon;measures;purpose;themes;personal_data;end_date\n"
           f"CAM-1;camera;52.37;4.89;Iets anders;Doel;Milieu: geluid;Nee;{END}\n").encode()
    response = client.post("/api/v1/sensors/import", headers=headers_b,
                           data={"file": (io.BytesIO(csv), "s.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    session.expire_all()
    assert session.get(Sensor, sensor_a.id).measures == "Beelden van de stoep"  # A's CAM-1 untouched


def test_only_site_admins_moderate_reports(session, world, auth, client):
    report = svc.create_report(session, lat="52.37", lon="4.89", description="Camera aan de gevel")
    auth.login(world.approver_a.email)
    assert client.get("/portal/sensors/reports").status_code == 403
    assert auth.post(f"/portal/sensors/reports/{report.id}", {"state": "rejected"}).status_code == 403
    session.expire_all()
    assert session.get(SensorReport, report.id).state == "open"
    auth.logout()
    auth.login(world.admin.email)
    assert "Camera aan de gevel" in client.get("/portal/sensors/reports").get_data(as_text=True)
    assert auth.post(f"/portal/sensors/reports/{report.id}", {"state": "rejected", "note": "Privé"}).status_code == 303
    session.expire_all()
    assert session.get(SensorReport, report.id).state == "rejected"
