"""Advice from a citizens' panel, DPO, audit or ethics committee, with the city's response, and the timeline (issue 15)."""
import pytest
from sqlmodel import select

from register.models.participation import Advice
from register.services import algorithms as algos

PANEL = {"adviser_kind": "citizens_panel", "adviser_name": "Burgerpanel Slimme Check", "given_on": "2023-09-14",
         "summary": "Het panel vindt dat de check te veel persoonlijke gegevens gebruikt.", "link": "",
         "response": "De gemeente is gestopt met de proef.", "outcome": "stopped", "decided_on": "2023-11-01"}


def stored(session):
    session.expire_all()
    return [a.model_dump() for a in session.exec(select(Advice)).all()]


def test_advice_is_public_only_after_a_different_person_approves_it(auth, client, session, world, published):
    auth.login(world.approver_a.email)
    url = f"/portal/algorithms/{published.code}/advice"
    assert auth.post(url, PANEL, form_url=url).status_code == 303
    advice = session.exec(select(Advice)).one()
    assert client.get(f"/algorithms/{published.code}/questions.json").get_json()["advice"] == []
    auth.post(f"/portal/advice/{advice.id}/approve", form_url=url)  # the same person: refused
    assert stored(session)[0]["state"] == "submitted"
    auth.logout()
    auth.login(world.second_approver_a.email)
    assert auth.post(f"/portal/advice/{advice.id}/approve", form_url=url).status_code == 303
    data = client.get(f"/algorithms/{published.code}/questions.json?lang=en").get_json()
    assert data["advice"][0]["adviser"] == "Citizens' panel"
    assert data["advice"][0]["outcome_label"] == "Use of the algorithm stopped"
    said = [m["text"] for m in data["timeline"]]
    assert said[0].startswith("Citizens' panel gave advice: Het panel vindt")
    assert said[1] == "Use of the algorithm stopped. De gemeente is gestopt met de proef."


def test_the_timeline_shows_the_entry_being_stopped_after_the_advice(session, world, published, client):
    from register.services.participation_advice import approve_advice, submit_advice

    advice = submit_advice(session=session, user=world.registrant_a, algorithm=published, data=PANEL, locale="nl")
    approve_advice(session=session, user=world.approver_a, advice=advice)
    algos.set_public_state(session=session, user=world.approver_a, algorithm=published, state="archived",
                           reason="Gestopt na het advies van het burgerpanel.")
    timeline = client.get(f"/algorithms/{published.code}/questions.json").get_json()["timeline"]
    assert [m["who"] for m in timeline] == ["adviser", "city", "city"]
    assert timeline[-1]["kind"] == "archived" and "Gestopt na het advies" in timeline[-1]["text"]
    page = client.get(f"/algorithms/{published.code}/questions").get_data(as_text=True)
    assert "Wat bewoners en adviseurs zeiden, en wat de stad deed" in page


@pytest.mark.parametrize("lang, change, field, message", [
    ("nl", {"adviser_kind": "buurman"}, "adviser_kind", "Kies wie het advies gaf."),
    ("en", {"given_on": "14-09-2023"}, "given_on", "Write the date as YYYY-MM-DD"),
    ("nl", {"summary": "x" * 2001}, "summary", "maximaal 2000 tekens"),
    ("en", {"link": "javascript:alert(1)"}, "link", "starts with https://"),
    ("en", {"decided_on": "2023-01-01"}, "decided_on", "The decision cannot be before the advice."),
    ("nl", {"response": ""}, "response", "Vul dit veld in."),
])
def test_bad_advice_is_refused_field_by_field_and_nothing_is_stored(auth, session, world, published, lang, change,
                                                                   field, message):
    auth.login(world.registrant_a.email)
    url = f"/portal/algorithms/{published.code}/advice?lang={lang}"
    auth.client.get(url)
    response = auth.post(f"/portal/algorithms/{published.code}/advice", PANEL | change, form_url=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#f-{field}"' in page and message.lower() in page.lower()
    assert stored(session) == []


def test_another_organisation_cannot_register_or_approve_advice(auth, session, world, published):
    from register.services.participation_advice import submit_advice

    auth.login(world.registrant_b.email)
    url = f"/portal/algorithms/{published.code}/advice"
    assert auth.client.get(url).status_code == 403
    assert auth.post(url, PANEL).status_code == 403
    assert stored(session) == []
    advice = submit_advice(session=session, user=world.registrant_a, algorithm=published, data=PANEL, locale="nl")
    before = stored(session)
    auth.logout()
    auth.login(world.approver_b.email)
    assert auth.post(f"/portal/advice/{advice.id}/approve").status_code == 403
    assert stored(session) == before


def test_advice_links_its_document_once_both_are_published(app, client, session, world, published):
    from register.services import documents
    from register.services.participation_advice import approve_advice, submit_advice
    from tests.register.test_documents_upload import real_pdf

    pdf = real_pdf("advies burgerpanel")
    fields = {"kind": "advice", "title": "Advies burgerpanel", "assessment_date": "2023-09-14", "version_label": "",
              "language": "nl", "summary": "Het panel adviseert te stoppen.", "supersedes": ""}
    document = documents.attach(session=session, user=world.registrant_a, algorithm=published, data=pdf,
                                filename="advies.pdf", fields=fields, data_dir=app.config["DATA_DIR"],
                                max_bytes=len(pdf) + 1)
    with pytest.raises(algos.ValidationFailed) as refused:
        submit_advice(session=session, user=world.registrant_a, algorithm=published, locale="en",
                      data=PANEL | {"document_id": str(document.id + 99)})
    assert refused.value.errors[0].field == "document_id" and stored(session) == []
    advice = submit_advice(session=session, user=world.registrant_a, algorithm=published, locale="nl",
                           data=PANEL | {"document_id": str(document.id)})
    approve_advice(session=session, user=world.approver_a, advice=advice)
    assert client.get(f"/algorithms/{published.code}/questions.json").get_json()["advice"][0]["document"] is None
    session.expire_all()
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published)
    link = client.get(f"/algorithms/{published.code}/questions.json").get_json()["advice"][0]["document"]
    assert link.endswith(f"/documents/{document.sha256}")
