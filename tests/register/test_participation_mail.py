"""The published answer reaches the resident by e-mail, through a real SMTP server (aiosmtpd on
127.0.0.1), in the language they wrote in; a failed e-mail never holds back the answer and waits in
the portal's queue to be sent again; the address is never logged or published (issue 15)."""
from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from register.models.participation import Contribution
from register.services import participation as svc
from tests.register.conftest import free_port

EMAIL = "bewoner@example.net"
NAME = "Aanvragen parkeervergunning beoordelen"


def _answered(session, world, published, *, language="nl", kind="question", email=EMAIL):
    item = svc.submit(session=session, algorithm=published, locale=language, answer_days=10,
                      data={"kind": kind, "field": "supplier" if kind == "error" else "",
                            "body": "Welke gegevens gebruikt u precies?", "email": email})
    svc.moderate(session=session, user=world.registrant_a, item=item, decision="publish")
    svc.write_answer(session=session, user=world.registrant_a, item=item, locale="nl",
                     text="Alleen uw kenteken en uw adres.")
    return item


def _approve(auth, world, item):
    auth.login(world.approver_a.email)
    return auth.post(f"/portal/questions/{item.id}/approve", form_url="/portal/questions", follow_redirects=True)


def _register_log(caplog) -> str:
    """What the register logged (not the local test mail server, which logs whole messages)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("register"))


def _stored(session):
    session.expire_all()
    return session.exec(select(Contribution)).one()


@pytest.mark.parametrize("language, subject, intro, link_text", [
    ("nl", f"Antwoord op uw vraag over {NAME}", "U stelde een vraag over", "Ons antwoord:"),
    ("en", f"Answer to your question about {NAME}", "You asked a question about", "Our answer:"),
])
def test_the_resident_gets_the_published_answer_by_email_in_their_language(app, auth, session, world, published,
                                                                          smtp, caplog, language, subject, intro,
                                                                          link_text):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_FROM="register@stad.example")
    item = _answered(session, world, published, language=language)
    assert smtp.mails == []  # nothing is sent before the answer is approved
    with caplog.at_level(logging.DEBUG):
        page = _approve(auth, world, item).get_data(as_text=True)
    assert "Het antwoord is gepubliceerd en per e-mail naar de afzender gestuurd." in page
    [(to, mail)] = smtp.mails
    text = mail.get_content()
    assert to == [EMAIL] and mail["Subject"] == subject and mail["From"] == "register@stad.example"
    assert intro in text and link_text in text
    assert "Welke gegevens gebruikt u precies?" in text and "Alleen uw kenteken en uw adres." in text
    assert f"http://localhost/algorithms/{published.code}/questions" in text
    assert _stored(session).answer_email_state == "sent"
    assert EMAIL not in _register_log(caplog)
    assert EMAIL not in auth.client.get(f"/algorithms/{published.code}/questions.json").get_data(as_text=True)


def test_a_failed_email_still_publishes_the_answer_and_waits_in_the_queue_to_be_sent_again(
        app, auth, client, session, world, published, smtp, caplog):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nothing listens there
    item = _answered(session, world, published)
    with caplog.at_level(logging.DEBUG):
        page = _approve(auth, world, item).get_data(as_text=True)
    assert "maar de e-mail naar de afzender is mislukt" in page
    assert "De e-mail met het antwoord heeft de afzender niet bereikt" in page
    assert "De mailserver nam de e-mail niet aan." in page
    log = _register_log(caplog)
    assert "not delivered" in log and EMAIL not in log
    public = client.get(f"/algorithms/{published.code}/questions.json").get_json()["items"][0]
    assert public["answer"] == "Alleen uw kenteken en uw adres."  # the answer is public all the same
    assert _stored(session).answer_email_state == "failed"

    app.config["SMTP_PORT"] = smtp.port  # the mail server is back
    page = auth.post(f"/portal/questions/{item.id}/resend", form_url="/portal/questions",
                     follow_redirects=True).get_data(as_text=True)
    assert "Het antwoord is per e-mail naar de afzender gestuurd." in page
    assert [to for to, _mail in smtp.mails] == [[EMAIL]]
    assert "Alleen uw kenteken en uw adres." not in page  # nothing left to do on it
    assert _stored(session).answer_email_state == "sent"


def test_without_a_mail_server_the_queue_says_so(app, auth, session, world, published):
    app.config["SMTP_HOST"] = ""
    item = _answered(session, world, published, language="en", kind="error")
    auth.client.get("/?lang=en")
    page = _approve(auth, world, item).get_data(as_text=True)
    assert "The register has no mail server set up (STADSREGISTER_SMTP_HOST)" in page
    assert _stored(session).answer_email_error == "no_server"


def test_without_an_address_nothing_is_sent_and_nothing_waits(app, auth, session, world, published, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    item = _answered(session, world, published, email="")
    page = _approve(auth, world, item).get_data(as_text=True)
    assert "Het antwoord is gepubliceerd." in page and "Niets te doen." in page
    assert smtp.mails == [] and _stored(session).answer_email_state is None


def test_another_organisation_cannot_send_the_email_again(app, auth, session, world, published, smtp):
    app.config["SMTP_HOST"] = ""
    item = _answered(session, world, published)
    _approve(auth, world, item)
    auth.logout()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    before = _stored(session).model_dump()
    auth.login(world.registrant_b.email)
    assert auth.post(f"/portal/questions/{item.id}/resend", form_url="/portal/questions").status_code == 403
    assert smtp.mails == [] and _stored(session).model_dump() == before


def test_the_address_is_deleted_30_days_after_the_answer_and_leaves_the_queue(app, auth, session, world, published):
    from datetime import timedelta

    from register.models.accounts import utcnow

    app.config["SMTP_HOST"] = ""
    item = _answered(session, world, published)
    _approve(auth, world, item)
    assert "Alleen uw kenteken" in auth.client.get("/portal/questions").get_data(as_text=True)
    svc.purge_emails(session, now=utcnow() + timedelta(days=31))
    assert _stored(session).email is None
    assert "Alleen uw kenteken" not in auth.client.get("/portal/questions").get_data(as_text=True)
