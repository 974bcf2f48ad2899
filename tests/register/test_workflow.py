"""Publishing with four eyes: draft → submitted → published, or returned with a reason."""
import pytest

from register.services import algorithms as algos
from register.services import search


def test_a_published_entry_is_version_one_and_public(session, world, published, client):
    assert published.public_state == "published"
    assert algos.published_version(session, published).number == 1
    page = client.get(f"/algorithms/{published.code}")
    assert page.status_code == 200
    assert "Aanvragen parkeervergunning beoordelen" in page.get_data(as_text=True)


def test_the_last_editor_cannot_approve_their_own_change(session, world, make_entry):
    algorithm = algos.create_entry(session=session, user=world.approver_a, organisation=world.org_a, data=make_entry())
    algos.submit(session=session, user=world.approver_a, algorithm=algorithm)
    with pytest.raises(algos.WorkflowError, match="different person"):
        algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    algos.approve(session=session, user=world.second_approver_a, algorithm=algorithm)
    assert algorithm.public_state == "published"


def test_a_registrant_cannot_approve(session, world, make_entry):
    from register.services.accounts import PermissionDenied

    algorithm = algos.create_entry(session=session, user=world.approver_a, organisation=world.org_a, data=make_entry())
    algos.submit(session=session, user=world.approver_a, algorithm=algorithm)
    with pytest.raises(PermissionDenied):
        algos.approve(session=session, user=world.registrant_a, algorithm=algorithm)


def test_returned_draft_carries_the_reason_and_can_be_resubmitted(session, world, make_entry):
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=make_entry())
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    with pytest.raises(algos.WorkflowError):
        algos.return_draft(session=session, user=world.approver_a, algorithm=algorithm, reason="  ")
    draft = algos.return_draft(session=session, user=world.approver_a, algorithm=algorithm, reason="Vul de DPIA aan.")
    assert (draft.state, draft.return_reason) == ("returned", "Vul de DPIA aan.")
    algos.update_entry(session=session, user=world.registrant_a, algorithm=algorithm, partial=True,
                       data={"impact_assessments": "DPIA (2024)"})
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    assert algos.published_version(session, algorithm).impact_assessments == "DPIA (2024)"


def test_editing_a_published_entry_keeps_the_public_version_until_approval(session, world, published, client):
    algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                       data={"name": "Nieuwe naam voor de vergunningcheck"})
    page = client.get(f"/algorithms/{published.code}.json").get_json()
    assert page["algorithm"]["entry"]["name"] == "Aanvragen parkeervergunning beoordelen"
    assert page["algorithm"]["version"] == 1
    with pytest.raises(algos.WorkflowError):  # a submitted draft is frozen until it is returned
        algos.submit(session=session, user=world.registrant_a, algorithm=published)
        algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                           data={"name": "Nog een naam"})
    algos.approve(session=session, user=world.approver_a, algorithm=published, note="Duidelijkere naam")
    page = client.get(f"/algorithms/{published.code}.json").get_json()
    assert (page["algorithm"]["entry"]["name"], page["algorithm"]["version"]) == ("Nieuwe naam voor de vergunningcheck", 2)


def test_history_lists_versions_with_a_field_by_field_diff(session, world, published, client):
    algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                       data={"supplier": "Leverancier B.V.", "theme": ["Verkeer", "Economie"]})
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published, note="Nieuwe leverancier")
    history = client.get(f"/algorithms/{published.code}/history.json").get_json()["history"]
    newest, first = history["versions"]
    assert (newest["version"], first["version"]) == (2, 1)
    assert newest["change_note"] == "Nieuwe leverancier"
    changes = {c["field"]: (c["before"], c["after"]) for c in newest["changes"]}
    assert changes == {"supplier": ("Intern ontwikkeld", "Leverancier B.V."),
                       "theme": (["Verkeer"], ["Verkeer", "Economie"])}
    html = client.get(f"/algorithms/{published.code}/history").get_data(as_text=True)
    assert "Leverancier B.V." in html and "Intern ontwikkeld" in html


def test_published_versions_are_immutable(session, world, published):
    version = algos.published_version(session, published)
    version.name = "Stiekem veranderd"
    session.add(version)
    with pytest.raises(algos.WorkflowError):
        session.commit()
    session.rollback()
    assert algos.published_version(session, published).name == "Aanvragen parkeervergunning beoordelen"


def test_retracted_entry_answers_410_leaves_search_and_keeps_history(session, world, published, client):
    algos.set_public_state(session=session, user=world.approver_a, algorithm=published, state="retracted",
                           reason="Per vergissing gepubliceerd.")
    page = client.get(f"/algorithms/{published.code}")
    assert page.status_code == 410
    assert "Per vergissing gepubliceerd." in page.get_data(as_text=True)
    assert search.search(session, q="parkeervergunning")["total"] == 0
    assert client.get("/algorithms.json").get_json()["total"] == 0
    history = client.get(f"/algorithms/{published.code}/history.json").get_json()["history"]
    assert history["events"][0]["kind"] == "retracted" and len(history["versions"]) == 1


def test_archived_entry_stays_visible_and_cannot_be_edited(session, world, published, client):
    algos.set_public_state(session=session, user=world.approver_a, algorithm=published, state="archived",
                           reason="Buiten gebruik sinds 2025.")
    assert client.get(f"/algorithms/{published.code}").status_code == 200
    assert client.get("/algorithms.json").get_json()["results"][0]["public_state"] == "archived"
    with pytest.raises(algos.WorkflowError):
        algos.update_entry(session=session, user=world.registrant_a, algorithm=published, partial=True,
                           data={"name": "Nieuw"})


def test_public_codes_are_short_unambiguous_and_unique(session, world, make_entry):
    codes = {algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                data=make_entry()).code for _ in range(25)}
    assert len(codes) == 25
    for code in codes:
        assert code.startswith("A-") and len(code) == 6
        assert not set(code[2:]) & set("01OIL")


def test_a_draft_is_not_public(session, world, make_entry, client):
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=make_entry())
    assert client.get(f"/algorithms/{algorithm.code}").status_code == 404
    assert client.get(f"/algorithms/{algorithm.code}.json").get_json()["ok"] is False
