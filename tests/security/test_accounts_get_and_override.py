"""A GET never changes state, and a site administrator approves only as a member of the
organisation or through an explicit, logged override (issue 12, point 14)."""
from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from sqlmodel import select

from register.models import AlgorithmEvent, SensorMessage
from register.services import accounts
from register.services import sensors as sensor_service
from register.services.model_versions import register_model


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()

ARTEFACTS = Path(__file__).resolve().parents[2] / "sample_models" / "artefacts"
WOZ_CASE = {"wijk": "centrum", "woningtype": "appartement", "woonoppervlak": "120", "perceeloppervlak": "0",
            "bouwjaar": "1930", "energielabel": "C", "onderhoudsstaat": "goed", "parkeerplaats": "nee"}
SENSOR = {"reference": "CAM-1", "sensor_type": "camera", "themes": ["safety-surveillance-camera"],
          "measures": "Beelden van de stoep", "purpose": "Beveiliging", "personal_data": True,
          "legal_ground": "legitimate-interest", "privacy_statement_url": "https://a.example/privacy",
          "retention_days": 28, "lat": 52.3731, "lon": 4.8926,
          "end_date": (dt.date.today() + dt.timedelta(days=300)).isoformat(),
          "contact_name": "Jan Jansen", "contact_email": "jan@amsterdam.example", "contact_phone": "0612345678"}


@pytest.fixture
def world(session):
    return world_module.build(session)


@pytest.fixture
def site(session, app, client, world):
    """A published entry explained by the WOZ model with a receipt, a sensor with an unread message,
    and a GGD entry waiting for approval."""
    entry = world_module.publish(session, world)
    base = ARTEFACTS / "woz"
    register_model(session=session, user=None, algorithm=entry, data_dir=app.config["DATA_DIR"],
                   model=(base / "model.skops").read_bytes(), model_name="model.skops",
                   spec=(base / "spec.json").read_bytes(), spec_name="spec.json",
                   reference=(base / "reference.csv").read_bytes(), publish=True)
    session.commit()
    headers = world_module.token(session, world.registrant_a, world.amsterdam)
    made = client.post(f"/api/v1/algorithms/{entry.code}/decisions", json={"inputs": WOZ_CASE}, headers=headers)
    assert made.status_code == 201, made.get_json()
    sensor = sensor_service.create_sensor(session, user=world.registrant_a, organisation=world.amsterdam,
                                          data=SENSOR, locale="en")
    sensor_service.send_message(session, sensor=sensor, sender_email="bewoner@example.org", body="Hangt hij scheef?")
    pending = world_module.submitted(session, world, "ggd")
    return {"code": entry.code, "token": made.get_json()["url"].rsplit("/d/", 1)[1], "sensor_id": sensor.id,
            "pending": pending, "headers": headers}


def get_urls(app, site):
    """Every GET route of the register, filled in with the site's real codes, ids and tokens."""
    values = {"code": site["code"], "sensor_id": site["sensor_id"], "token": site["token"], "sha256": "a" * 64,
              "resource": "Things", "slug": "gemeente-amsterdam", "area_id": "0" * 16}
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            args = {k: values[k] for k in rule.arguments if k != "fmt"}
            yield url_for(rule.endpoint, **args)


def test_no_get_request_changes_anything_for_anyone(app, client, auth, session, world, site):
    engine = app.extensions["stadsregister.engine"]
    ignore = {"apitoken": {"last_used_at"}}  # the token's last use is what the issue asks to record
    before = world_module.dump(engine, ignore=ignore)
    urls = sorted(set(get_urls(app, site)))
    assert len(urls) > 50
    seen = set()
    for viewer in ("anonymous", "registrant", "admin", "api"):
        if viewer in ("registrant", "admin"):
            auth.login(world.registrant_a.email if viewer == "registrant" else world.admin.email)
        headers = site["headers"] if viewer == "api" else {}
        for url in urls:
            for query in ({}, {"lang": "en"}, WOZ_CASE if "explain" in url else {}):
                response = client.get(url, query_string=query, headers=headers)
                assert response.status_code < 500, (viewer, url, response.status_code)
                seen.add(response.status_code)
        after = world_module.dump(engine, ignore=ignore)
        assert after == before, (viewer, [t for t in before if before[t] != after.get(t)])
        if viewer in ("registrant", "admin"):
            auth.logout()
            before = world_module.dump(engine, ignore=ignore)  # signing out is a POST that ends sessions
    assert 200 in seen


def test_opening_the_messages_page_marks_nothing_read_the_button_does(session, client, auth, world, site):
    auth.login(world.registrant_a.email)
    for _ in range(2):
        page = client.get("/portal/sensors/messages").get_data(as_text=True)
        assert "Hangt hij scheef?" in page and "nieuw" in page
    session.expire_all()
    assert session.exec(select(SensorMessage)).one().read_at is None
    response = auth.post("/portal/sensors/messages", form_url="/portal/sensors/messages")
    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(SensorMessage)).one().read_at is not None
    assert "Alles als gelezen markeren" not in client.get("/portal/sensors/messages").get_data(as_text=True)


def events(session, algorithm):
    session.expire_all()
    return [(e.kind, e.actor_id, e.reason) for e in session.exec(
        select(AlgorithmEvent).where(AlgorithmEvent.algorithm_id == algorithm.id).order_by(AlgorithmEvent.id))]


def test_a_site_administrator_outside_the_organisation_gets_403_without_an_override(app, client, auth, session,
                                                                                   world, site):
    pending = site["pending"]
    engine = app.extensions["stadsregister.engine"]
    before = world_module.dump(engine)
    auth.login(world.admin.email)
    page = client.get(f"/portal/algorithms/{pending.code}").get_data(as_text=True)
    assert 'name="override_reason"' in page and "Goedkeuren en publiceren als beheerder" in page
    for data in ({}, {"override_reason": "   "}, {"reason": "Akkoord"}):
        response = auth.post(f"/portal/algorithms/{pending.code}/approve", data)
        assert response.status_code == 403
        assert "uitdrukkelijke uitzondering" in response.get_data(as_text=True)
    assert world_module.dump(engine) == before


def test_a_site_administrators_override_needs_a_reason_and_is_written_to_the_action_log(client, auth, session,
                                                                                      world, site):
    pending = site["pending"]
    auth.login(world.admin.email)
    response = auth.post(f"/portal/algorithms/{pending.code}/approve",
                         {"override_reason": "Goedkeurder GGD langdurig afwezig; besluit directie 12-11"})
    assert response.status_code == 303
    assert client.get(f"/algorithms/{pending.code}").status_code == 200
    logged = events(session, pending)
    assert ("admin_override", world.admin.id, "Goedkeurder GGD langdurig afwezig; besluit directie 12-11") in logged
    assert logged[-1][:2] == ("published", world.admin.id)
    page = client.get(f"/portal/algorithms/{pending.code}").get_data(as_text=True)
    assert "Goedgekeurd door een sitebeheerder van buiten de organisatie (uitzondering): " \
        "<q>Goedkeurder GGD langdurig afwezig" in page


def test_the_api_asks_a_site_administrator_for_an_override_too(client, session, world, site):
    pending = site["pending"]
    headers = world_module.token(session, world.admin, world.ggd)
    refused = client.post(f"/api/v1/algorithms/{pending.code}/approve", json={"reason": "ok"}, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["ok"] is False
    assert [k for k, _a, _r in events(session, pending)] == ["created", "submitted"]
    approved = client.post(f"/api/v1/algorithms/{pending.code}/approve",
                           json={"override_reason": "Spoedpublicatie op verzoek van de DPO"}, headers=headers)
    assert approved.status_code == 200 and approved.get_json()["public_state"] == "published"
    assert ("admin_override", world.admin.id, "Spoedpublicatie op verzoek van de DPO") in events(session, pending)


def test_members_approve_as_before_and_an_administrator_who_is_an_approver_needs_no_override(client, auth,
                                                                                            session, world, site):
    pending = site["pending"]
    accounts.grant(session=session, user=world.admin, organisation=world.ggd, role="approver")
    session.commit()
    auth.login(world.admin.email)
    page = client.get(f"/portal/algorithms/{pending.code}").get_data(as_text=True)
    assert 'name="override_reason"' not in page
    assert auth.post(f"/portal/algorithms/{pending.code}/approve", {"reason": "Akkoord"}).status_code == 303
    assert "admin_override" not in [k for k, _a, _r in events(session, pending)]


def test_a_registrant_cannot_use_the_override(client, auth, session, world, site):
    pending = site["pending"]
    accounts.grant(session=session, user=world.registrant_a, organisation=world.ggd, role="registrant")
    session.commit()
    auth.login(world.registrant_a.email)
    response = auth.post(f"/portal/algorithms/{pending.code}/approve", {"override_reason": "Ik wil het"})
    assert response.status_code == 403
    assert [k for k, _a, _r in events(session, pending)] == ["created", "submitted"]
