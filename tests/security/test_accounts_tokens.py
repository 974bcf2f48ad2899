"""API tokens follow their owner's membership, expire, record their last use and can be revoked
(issue 12, point 3) — the permission matrix extended to tokens of removed members."""
from __future__ import annotations

import importlib.util
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from register.models import ApiToken
from register.models.accounts import utcnow
from register.services import accounts
from register.services import algorithms as algos


def _load_world():
    """``accounts_world.py`` beside this file (importlib mode keeps neighbours from importing each other)."""
    spec = importlib.util.spec_from_file_location("accounts_world", Path(__file__).with_name("accounts_world.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


world_module = _load_world()


@pytest.fixture
def world(session):
    return world_module.build(session)


@pytest.fixture
def pending(session, world):
    """Amsterdam's published entry with a submitted change (a draft only Amsterdam may read)."""
    algorithm = world_module.publish(session, world)
    algos.update_entry(session=session, user=world.registrant_a, algorithm=algorithm, partial=True,
                       data={"name": "Geheime nieuwe naam"})
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    return algorithm


def every_api_request(code: str):
    """Every API endpoint that needs a token, with a body that would succeed for a member."""
    yield "get", "/api/v1/algorithms", None
    yield "post", "/api/v1/algorithms", world_module.valid_entry()
    yield "get", f"/api/v1/algorithms/{code}", None
    yield "patch", f"/api/v1/algorithms/{code}", {"name": "Overgenomen"}
    for step in ("submit", "approve", "return", "retract", "archive"):
        yield "post", f"/api/v1/algorithms/{code}/{step}", {"reason": "Omdat het kan"}
    yield "get", f"/api/v1/algorithms/{code}/documents", None
    yield "post", f"/api/v1/algorithms/{code}/documents", None
    yield "post", f"/api/v1/algorithms/{code}/models", None
    yield "post", f"/api/v1/algorithms/{code}/decisions", {"inputs": {}, "case_ref": "2026-1"}
    yield "get", "/api/v1/sensors", None
    yield "post", "/api/v1/sensors", {"reference": "X-1"}
    yield "get", "/api/v1/sensors/1", None
    yield "patch", "/api/v1/sensors/1", {"reference": "X-2"}
    yield "post", "/api/v1/sensors/import", None


WHY = {"revoked": "Dit API-token is ingetrokken.", "expired": "Dit API-token is verlopen.",
       "no-membership": "werkt niet meer voor de organisatie van het token"}


def assert_refused_everywhere(client, app, headers, code, why="no-membership"):
    engine = app.extensions["stadsregister.engine"]
    before = world_module.dump(engine, ignore={"apitoken": {"last_used_at"}})
    for method, url, body in every_api_request(code):
        response = getattr(client, method)(url, json=body, headers=headers)
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.get_json()["ok"] is False
        assert WHY[why] in response.get_json()["error"], (url, response.get_json())
        assert "Geheime nieuwe naam" not in response.get_data(as_text=True)
    assert world_module.dump(engine, ignore={"apitoken": {"last_used_at"}}) == before


@pytest.mark.parametrize("how", ["every role removed", "the only role removed", "account deactivated"])
def test_a_removed_members_token_is_refused_by_every_endpoint_and_changes_nothing(session, app, client, world,
                                                                                 pending, how):
    headers = world_module.token(session, world.approver_a, world.amsterdam)
    assert client.get(f"/api/v1/algorithms/{pending.code}", headers=headers).status_code == 200
    if how == "account deactivated":
        world.approver_a.active = False
        session.add(world.approver_a)
    else:
        role = "approver" if how == "the only role removed" else None
        assert accounts.remove_membership(session=session, user=world.approver_a, organisation=world.amsterdam,
                                          role=role) == 1
    session.commit()
    assert_refused_everywhere(client, app, headers, pending.code)


def test_a_removed_members_token_no_longer_reads_draft_documents_or_makes_receipts(session, app, client, world,
                                                                                  pending):
    headers = world_module.token(session, world.registrant_a, world.amsterdam)
    accounts.remove_membership(session=session, user=world.registrant_a, organisation=world.amsterdam)
    session.commit()
    response = client.post(f"/api/v1/algorithms/{pending.code}/decisions", json={"inputs": {}}, headers=headers)
    assert response.status_code == 401
    # A draft document's page answers a token as if it were anonymous: the same 404 as for no document.
    assert client.get("/documents/" + "a" * 64, headers=headers).status_code == 404


def test_a_member_of_another_organisation_keeps_only_their_own_organisations_token(session, client, world,
                                                                                   pending):
    accounts.grant(session=session, user=world.registrant_g, organisation=world.amsterdam, role="registrant")
    session.commit()
    for_amsterdam = world_module.token(session, world.registrant_g, world.amsterdam)
    for_ggd = world_module.token(session, world.registrant_g, world.ggd)
    assert client.get(f"/api/v1/algorithms/{pending.code}", headers=for_amsterdam).status_code == 200
    accounts.remove_membership(session=session, user=world.registrant_g, organisation=world.amsterdam)
    session.commit()
    assert client.get(f"/api/v1/algorithms/{pending.code}", headers=for_amsterdam).status_code == 401
    assert client.get("/api/v1/algorithms", headers=for_ggd).status_code == 200


def test_an_expired_token_is_refused_and_the_portal_says_it_expired(session, app, client, auth, world, pending):
    headers = world_module.token(session, world.registrant_a, world.amsterdam, days=30)
    row = session.exec(select(ApiToken)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert_refused_everywhere(client, app, headers, pending.code, why="expired")
    auth.login(world.registrant_a.email)
    page = client.get("/portal/tokens").get_data(as_text=True)
    assert "verlopen" in page


def test_a_token_records_its_last_use_and_expiry_shown_in_the_portal(session, client, auth, world):
    auth.login(world.registrant_a.email)
    page = auth.post("/portal/tokens", {"name": "Zaaksysteem", "organisation_id": str(world.amsterdam.id),
                                        "days": "30"}, form_url="/portal/tokens").get_data(as_text=True)
    plain = re.search(r"srt_[A-Za-z0-9_\-]+", page).group(0)
    session.expire_all()
    row = session.exec(select(ApiToken)).one()
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    assert row.last_used_at is None
    assert "nooit" in client.get("/portal/tokens").get_data(as_text=True)
    assert client.get("/api/v1/algorithms", headers={"Authorization": f"Bearer {plain}"}).status_code == 200
    session.expire_all()
    used = session.exec(select(ApiToken)).one().last_used_at
    assert used is not None and utcnow() - used < timedelta(minutes=1)
    page = client.get("/portal/tokens").get_data(as_text=True)
    from babel.dates import format_date
    def written(day):  # dates written out, never broken across lines (issue 13)
        return format_date(day, "d MMMM y", locale="nl").replace(" ", "\u00a0")
    assert written(used) in page and written(row.expires_at) in page
    assert plain not in page  # shown once, never again


def test_the_token_form_refuses_an_unknown_lifetime_field_by_field(session, client, auth, world):
    auth.login(world.registrant_a.email)
    response = auth.post("/portal/tokens", {"name": "", "organisation_id": str(world.ggd.id), "days": "99999"},
                         form_url="/portal/tokens")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for message in ("Geef het token een naam.", "Kies een organisatie.", "Kies hoe lang het token gebruikt mag worden."):
        assert message in page
    assert session.exec(select(ApiToken)).all() == []


def test_revoking_in_the_portal_stops_the_token_at_once(session, app, client, auth, world, pending):
    headers = world_module.token(session, world.registrant_a, world.amsterdam)
    row = session.exec(select(ApiToken)).one()
    auth.login(world.registrant_a.email)
    response = auth.post(f"/portal/tokens/{row.id}/revoke", form_url="/portal/tokens")
    assert response.status_code == 303
    assert "ingetrokken" in client.get("/portal/tokens").get_data(as_text=True)
    assert_refused_everywhere(client, app, headers, pending.code, why="revoked")


def test_nobody_revokes_another_accounts_token_but_a_site_administrator(session, client, auth, world):
    world_module.token(session, world.registrant_a, world.amsterdam)
    row = session.exec(select(ApiToken)).one()
    auth.login(world.registrant_g.email)
    assert auth.post(f"/portal/tokens/{row.id}/revoke", form_url="/portal/tokens").status_code == 404
    session.expire_all()
    assert session.get(ApiToken, row.id).revoked_at is None
    auth.logout()
    auth.login(world.admin.email)
    assert auth.post(f"/portal/tokens/{row.id}/revoke", form_url="/portal/tokens").status_code == 303
    session.expire_all()
    assert session.get(ApiToken, row.id).revoked_at is not None


def test_the_command_line_lists_and_revokes_tokens(session, runner, client, world):
    headers = world_module.token(session, world.registrant_a, world.amsterdam)
    world_module.token(session, world.registrant_g, world.ggd)
    client.get("/api/v1/algorithms", headers=headers)
    listing = runner.invoke(args=["tokens", "list"])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.strip().splitlines()
    assert len(lines) == 3
    first = lines[1].split("\t")
    assert first[1] == "active" and first[3] == "reg-a@example.org" and first[4] == "Gemeente Amsterdam"
    assert first[7] != "-" and first[8] != "-"  # last used and expiry are shown
    assert runner.invoke(args=["tokens", "revoke", "999"]).exit_code != 0
    revoked = runner.invoke(args=["tokens", "revoke", first[0]])
    assert revoked.exit_code == 0 and "Revoked 1" in revoked.output
    assert client.get("/api/v1/algorithms", headers=headers).status_code == 401
    assert "\trevoked\t" in runner.invoke(args=["tokens", "list", "--user", "reg-a@example.org"]).output
    everything = runner.invoke(args=["tokens", "revoke", "--user", "reg-g@example.org"])
    assert "Revoked 1" in everything.output
