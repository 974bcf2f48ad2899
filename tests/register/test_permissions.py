"""Nobody of organisation B sees drafts of, or changes anything of, organisation A."""
import pytest
from sqlmodel import select

from register.models import Algorithm, AlgorithmEvent, AlgorithmVersion
from register.services import accounts
from register.services import algorithms as algos

STEPS = ["submit", "approve", "return", "retract", "archive"]


def stored(session):
    """Everything stored about entries, to prove a refused request changed nothing."""
    session.expire_all()
    return ([a.model_dump() for a in session.exec(select(Algorithm).order_by(Algorithm.id))],
            [v.model_dump() for v in session.exec(select(AlgorithmVersion).order_by(AlgorithmVersion.id))],
            len(session.exec(select(AlgorithmEvent)).all()))


@pytest.fixture
def pending(session, world, published):
    """Organisation A's entry: published, with a submitted change waiting for approval."""
    algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                       data={"name": "Geheime nieuwe naam"})
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    return published


def portal_requests(code):
    yield "get", f"/portal/algorithms/{code}", None
    yield "get", f"/portal/algorithms/{code}/edit", None
    yield "post", f"/portal/algorithms/{code}/edit", {"name": "Overgenomen"}
    for step in STEPS:
        yield "post", f"/portal/algorithms/{code}/{step}", {"reason": "Omdat het kan"}


@pytest.mark.parametrize("who", ["registrant_b", "approver_b"])
def test_portal_refuses_every_route_for_another_organisation(session, world, pending, auth, client, who):
    assert auth.login(getattr(world, who).email).status_code == 302
    before = stored(session)
    for method, url, data in portal_requests(pending.code):
        response = client.get(url) if method == "get" else auth.post(url, data)
        assert response.status_code == 403, (who, url)
        assert "Geheime nieuwe naam" not in response.get_data(as_text=True)
    assert stored(session) == before


def test_portal_cannot_create_an_entry_for_another_organisation(session, world, auth, make_entry):
    auth.login(world.registrant_b.email)
    before = stored(session)
    data = make_entry() | {"organisation_id": str(world.org_a.id), "theme": "Verkeer",
                           "decision_kinds": "Besluit parkeervergunning"}
    response = auth.post("/portal/algorithms/new", data, form_url="/portal/algorithms/new")
    assert response.status_code == 422
    assert stored(session) == before


def test_portal_home_lists_only_own_organisations_entries(session, world, pending, auth, client):
    auth.login(world.registrant_b.email)
    assert pending.code not in client.get("/portal/").get_data(as_text=True)
    auth.logout()
    auth.login(world.registrant_a.email)
    assert pending.code in client.get("/portal/").get_data(as_text=True)


def api_requests(code):
    yield "get", f"/api/v1/algorithms/{code}", None
    yield "patch", f"/api/v1/algorithms/{code}", {"name": "Overgenomen"}
    for step in STEPS:
        yield "post", f"/api/v1/algorithms/{code}/{step}", {"reason": "Omdat het kan"}


@pytest.mark.parametrize("who", ["registrant_b", "approver_b"])
def test_api_refuses_every_endpoint_for_another_organisations_token(session, world, pending, client, who):
    user = getattr(world, who)
    _token, plain = accounts.create_api_token(session=session, user=user, organisation=world.org_b, name="b")
    session.commit()
    before = stored(session)
    for method, url, body in api_requests(pending.code):
        response = getattr(client, method)(url, json=body, headers={"Authorization": f"Bearer {plain}"})
        assert response.status_code == 403, (who, url)
        assert response.get_json()["ok"] is False
    listed = client.get("/api/v1/algorithms", headers={"Authorization": f"Bearer {plain}"}).get_json()
    assert pending.code not in {item["code"] for item in listed["items"]}
    assert stored(session) == before


def test_api_without_or_with_a_wrong_token_gets_401(session, world, pending, client):
    before = stored(session)
    for method, url, body in api_requests(pending.code):
        assert getattr(client, method)(url, json=body).status_code == 401
        assert getattr(client, method)(url, json=body, headers={"Authorization": "Bearer srt_wrong"}).status_code == 401
    assert stored(session) == before


def test_a_token_of_organisation_b_creates_only_in_b(session, world, client, make_entry):
    _token, plain = accounts.create_api_token(session=session, user=world.registrant_b, organisation=world.org_b,
                                              name="b")
    session.commit()
    response = client.post("/api/v1/algorithms", json=make_entry(organization="Gemeente Zaanstad"),
                           headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 201
    created = algos.get_by_code(session, response.get_json()["code"])
    assert created.organisation_id == world.org_b.id


def test_an_account_cannot_mint_a_token_for_another_organisation(session, world):
    with pytest.raises(accounts.PermissionDenied):
        accounts.create_api_token(session=session, user=world.registrant_b, organisation=world.org_a, name="x")


def test_site_admin_may_see_every_organisations_drafts(session, world, pending, auth, client):
    auth.login(world.admin.email)
    assert "Geheime nieuwe naam" in client.get(f"/portal/algorithms/{pending.code}").get_data(as_text=True)


def test_api_tokens_are_stored_only_as_hashes(session, world):
    token, plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a,
                                             name="WOZ-systeem")
    session.commit()
    assert plain not in (token.token_hash, token.prefix)
    assert len(token.token_hash) == 64
    assert accounts.user_for_token(session=session, plain=plain)[0].id == world.registrant_a.id
