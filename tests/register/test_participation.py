"""Residents ask, report errors and give views on an entry; the organisation answers with four eyes (issue 15)."""
from datetime import date, timedelta

import pytest
from sqlmodel import select

from register.models.accounts import utcnow
from register.models.participation import Contribution, ContributionFlag
from register.services import participation as svc
from tests.conftest import csrf_token

EMAIL = "bewoner@example.net"


def ask(client, code, **fields):
    url = f"/algorithms/{code}/questions"
    data = {"kind": "question", "body": "Welke gegevens gebruikt u precies?", "email": "", "website": ""} | fields
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def rows(session, model=Contribution):
    session.expire_all()
    return session.exec(select(model)).all()


def dump(session):
    return [c.model_dump() for c in rows(session)] + [f.model_dump() for f in rows(session, ContributionFlag)]


def test_a_resident_asks_without_an_account_and_nothing_is_public_before_moderation(client, session, published):
    response = ask(client, published.code, email=EMAIL)
    assert response.status_code == 303
    item = rows(session)[0]
    assert item.state == "received" and item.email == EMAIL
    assert item.due_on == svc.working_days_after(item.received_at.date(), 10)
    page = client.get(f"/algorithms/{published.code}/questions").get_data(as_text=True)
    assert "Welke gegevens gebruikt u precies?" not in page
    assert "1 bericht wordt nog gecontroleerd" in page
    data = client.get(f"/algorithms/{published.code}/questions.json").get_json()
    assert data["items"] == [] and data["in_moderation"]["count"] == 1 and data["answer_days"] == 10


@pytest.mark.parametrize("start, days, due, why", [
    (date(2026, 11, 27), 10, date(2026, 12, 11), "a Friday: two weeks later"),
    (date(2026, 11, 28), 1, date(2026, 11, 30), "Saturday: the Monday"),
    (date(2026, 12, 24), 1, date(2026, 12, 28), "Christmas Day (Friday 25th) is skipped"),
    (date(2026, 12, 31), 1, date(2027, 1, 4), "Nieuwjaarsdag (Friday 1st) is skipped"),
    (date(2027, 3, 25), 1, date(2027, 3, 30), "Goede Vrijdag and Tweede Paasdag are skipped"),
    (date(2027, 4, 26), 1, date(2027, 4, 28), "Koningsdag (Tuesday 27 April) is skipped"),
    (date(2025, 4, 25), 1, date(2025, 4, 28), "Koningsdag 2025 fell on a Sunday: the Saturday, no weekday lost"),
    (date(2026, 5, 13), 1, date(2026, 5, 15), "Hemelvaartsdag (Thursday) is skipped"),
    (date(2026, 5, 22), 1, date(2026, 5, 26), "Tweede Pinksterdag (Monday) is skipped"),
    (date(2025, 5, 2), 1, date(2025, 5, 6), "Bevrijdingsdag is a day off in a lustrum year (2025)"),
    (date(2026, 5, 4), 1, date(2026, 5, 5), "… and not in other years (2026)"),
    (date(2026, 12, 18), 10, date(2027, 1, 5), "ten working days over Christmas and New Year"),
])
def test_working_days_skip_weekends_and_dutch_public_holidays(start, days, due, why):
    assert svc.working_days_after(start, days) == due, why


@pytest.mark.parametrize("lang, fields, field, message", [
    ("nl", {"kind": "error", "field": ""}, "field", "Kies het deel van de registratie dat niet klopt."),
    ("en", {"kind": "error", "field": "password"}, "field", "Choose the part of the registration that is wrong."),
    ("nl", {"body": "   "}, "body", "Schrijf uw vraag, mening of melding."),
    ("en", {"body": "x" * 2001}, "body", "at most 2000 characters, you used 2001"),
    ("nl", {"email": "geen-adres"}, "email", "Dit is geen e-mailadres."),
    ("en", {"email": "me@example.net,someone-else.nl"}, "email", "This is not an e-mail address."),
    ("en", {"email": "other@example.org<me@example.net"}, "email", "This is not an e-mail address."),
    ("en", {"kind": "complaint"}, "kind", "Choose whether you ask a question"),
])
def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(client, session, published, lang, fields,
                                                                   field, message):
    client.get(f"/?lang={lang}")
    response = ask(client, published.code, **fields)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#f-{field}"' in page and message in page and 'aria-invalid="true"' in page
    assert rows(session) == []


def test_the_honeypot_and_the_limit_per_address_store_nothing(app, client, session, published):
    app.config["CONTRIBUTIONS_PER_HOUR"] = 3
    assert ask(client, published.code, website="http://spam.example").status_code == 303  # looks sent to a robot
    assert rows(session) == []
    assert [ask(client, published.code).status_code for _ in range(3)] == [303, 303, 429]
    assert len(rows(session)) == 2
    limited = ask(client, published.code)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Probeer het over 60 minuten opnieuw" in limited.get_data(as_text=True)
    assert len(rows(session)) == 2


def _publish_question(session, world, published, **fields):
    item = svc.submit(session=session, algorithm=published, locale="nl", answer_days=10,
                      data={"kind": "error", "field": "supplier", "body": "De leverancier klopt niet.",
                            "email": EMAIL} | fields)
    svc.moderate(session=session, user=world.registrant_a, item=item, decision="publish")
    return item


def test_an_answer_is_public_only_after_a_second_person_approves_it(auth, client, session, world, published):
    item = _publish_question(session, world, published)
    auth.login(world.registrant_a.email)
    response = auth.post(f"/portal/questions/{item.id}/answer", {"answer": "Dank u, we passen het aan."},
                         form_url="/portal/questions")
    assert response.status_code == 303
    public = client.get(f"/algorithms/{published.code}/questions.json").get_json()["items"][0]
    assert public["body"] == "De leverancier klopt niet." and public["field"] == "supplier"
    assert public["answer"] is None and "email" not in public
    page = auth.post(f"/portal/questions/{item.id}/approve", form_url="/portal/questions")
    assert page.status_code == 403  # a registrant without the approver role cannot publish answers
    assert rows(session)[0].answer_state == "submitted"
    auth.logout()
    auth.login(world.approver_a.email)
    auth.post(f"/portal/questions/{item.id}/approve", form_url="/portal/questions")
    public = client.get(f"/algorithms/{published.code}/questions.json").get_json()
    assert public["items"][0]["answer"] == "Dank u, we passen het aan."
    assert public["counts"] == {"total": 1, "answered": 1, "open": 0, "overdue": 0}
    assert EMAIL not in client.get(f"/algorithms/{published.code}/questions").get_data(as_text=True)


def test_the_writer_of_an_answer_cannot_approve_it(session, world, published):
    item = _publish_question(session, world, published)
    svc.write_answer(session=session, user=world.approver_a, item=item, text="Antwoord.", locale="nl")
    with pytest.raises(svc.WorkflowError):
        svc.approve_answer(session=session, user=world.approver_a, item=item)
    assert rows(session)[0].answer_state == "submitted"


@pytest.mark.parametrize("step, data", [("publish", {}), ("reject", {"reason": "spam"}),
                                        ("answer", {"answer": "Niet van u."}), ("approve", {}),
                                        ("hide", {"reason": "weg"})])
def test_another_organisations_registrant_gets_403_and_nothing_changes(auth, session, world, published, step, data):
    item = svc.submit(session=session, algorithm=published, locale="nl", answer_days=10,
                      data={"kind": "question", "body": "Vraag?"})
    if step not in ("publish", "reject"):
        svc.moderate(session=session, user=world.registrant_a, item=item, decision="publish")
    if step == "approve":
        svc.write_answer(session=session, user=world.registrant_a, item=item, text="Antwoord.", locale="nl")
    before = dump(session)
    auth.login(world.registrant_b.email)
    assert auth.post(f"/portal/questions/{item.id}/{step}", data, form_url="/portal/questions").status_code == 403
    assert dump(session) == before
    assert "Vraag?" not in auth.client.get("/portal/questions").get_data(as_text=True)


def test_overdue_questions_show_publicly_as_late(client, session, world, published):
    item = _publish_question(session, world, published)
    item.due_on = date.today() - timedelta(days=1)
    session.add(item)
    session.commit()
    data = client.get(f"/algorithms/{published.code}/questions.json").get_json()
    assert data["items"][0]["overdue"] is True and data["counts"]["overdue"] == 1
    page = client.get(f"/algorithms/{published.code}/questions?lang=en").get_data(as_text=True)
    assert "Late:" in page and "1 answer is late" in page
    entry = client.get(f"/algorithms/{published.code}.json").get_json()
    assert entry["participation"]["overdue"] == 1 and entry["links"]["questions"].endswith("/questions")


def test_purge_deletes_the_email_30_days_after_the_answer(runner, session, world, published):
    item = _publish_question(session, world, published)
    svc.write_answer(session=session, user=world.registrant_a, item=item, text="Antwoord.", locale="nl")
    svc.approve_answer(session=session, user=world.approver_a, item=item)
    assert "Deleted 0 e-mail addresses" in runner.invoke(args=["purge"]).output
    item.answered_at = utcnow() - timedelta(days=31)
    session.add(item)
    session.commit()
    assert "Deleted 1 e-mail addresses" in runner.invoke(args=["purge"]).output
    stored = rows(session)[0]
    assert stored.email is None and stored.email_deleted_at is not None and stored.answer == "Antwoord."


def test_a_flagged_item_can_be_hidden_with_a_public_reason(auth, client, session, world, published):
    item = _publish_question(session, world, published)
    url = f"/algorithms/{published.code}/questions/{item.id}/flag"
    empty = client.post(url, data={"reason": " ", "csrf_token": csrf_token(client, f"/algorithms/{published.code}/questions")})
    assert empty.status_code == 422 and rows(session, ContributionFlag) == []
    assert client.post(url, data={"reason": "Er staat een naam in.", "csrf_token": csrf_token(client, f"/algorithms/{published.code}/questions")}).status_code == 303
    auth.login(world.registrant_a.email)
    assert "Er staat een naam in." in auth.client.get("/portal/questions").get_data(as_text=True)
    auth.post(f"/portal/questions/{item.id}/hide", {"reason": "Bevatte persoonsgegevens."}, form_url="/portal/questions")
    public = client.get(f"/algorithms/{published.code}/questions.json").get_json()["items"][0]
    assert public["state"] == "hidden" and public["body"] is None
    assert public["removed_reason"] == "Bevatte persoonsgegevens."
    assert rows(session, ContributionFlag)[0].outcome == "hidden"


def test_published_questions_are_open_data_and_the_list_filters_entries_with_open_questions(client, session, world,
                                                                                          published):
    _publish_question(session, world, published)
    data = client.get("/questions.json").get_json()["items"]
    assert data[0]["algorithm"] == published.code and "email" not in data[0]
    csv_text = client.get("/questions.csv").get_data(as_text=True)
    assert "De leverancier klopt niet." in csv_text and EMAIL not in csv_text
    listed = client.get("/algorithms.json?open_questions=yes").get_json()
    assert [r["code"] for r in listed["results"]] == [published.code]
    assert listed["facets"]["open_questions"] == [{"value": "yes", "count": 1, "selected": True}]
