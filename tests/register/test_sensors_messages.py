"""Residents' messages reach the owner (issue 14): an e-mail to the owner's contact address
through a real SMTP server (aiosmtpd on 127.0.0.1), the portal's menu counts unread messages, and
the resident is told truthfully what happens next."""
from __future__ import annotations

import datetime as dt
import re
import socket
import time

from register.services import accounts
from register.services import sensors as svc

PASSWORD = "correct horse battery staple"


def _sensor(session, *, with_account: bool, contact_email: str | None = "p.devries@ziggo.nl"):
    org = accounts.get_or_create_organisation(session=session, name="Bakkerij De Korenschoof", kind="company")
    if with_account:
        user = accounts.create_user(session=session, email="eigenaar@korenschoof.example", name="Eigenaar",
                                    password=PASSWORD)
        accounts.grant(session=session, user=user, organisation=org, role="registrant")
    session.commit()
    data = {"reference": "CAM-7", "sensor_type": "camera", "measures": "Beelden van de stoep", "purpose": "Veiligheid",
            "themes": ["safety-surveillance-camera"], "personal_data": "Nee", "lat": "52.3731", "lon": "4.8926",
            "end_date": (dt.date.today() + dt.timedelta(days=300)).isoformat(), "contact_email": contact_email,
            "contact_is_organisational": "Nee"}
    return svc.create_sensor(session, user=None, organisation=org, data=data, check_permission=False)


def _write(client, sensor_id, lang="nl"):
    url = f"/sensors/{sensor_id}/contact?lang={lang}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)
    return client.post(url, data={"sender_email": "bewoner@example.org", "body": "Wat filmt deze camera precies?",
                                  "csrf_token": token})


def test_the_owner_gets_an_email_and_the_resident_is_told_so(app, client, session, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_FROM="sensorregister@stad.example")
    sensor = _sensor(session, with_account=False)
    sent = _write(client, sensor.id)
    assert sent.status_code == 303 and "sent=emailed" in sent.location
    for _ in range(50):
        if smtp.mails:
            break
        time.sleep(0.05)
    [(to, mail)] = smtp.mails
    assert to == ["p.devries@ziggo.nl"] and mail["Reply-To"] == "bewoner@example.org"
    assert "CAM-7" in mail["Subject"] and "Wat filmt deze camera precies?" in mail.get_content()
    assert "/portal/sensors/messages" in mail.get_content()
    page = client.get(sent.location).get_data(as_text=True)
    assert "per e-mail doorgestuurd naar Bakkerij De Korenschoof" in page
    assert "ziggo" not in page  # the owner's address stays private


def test_without_smtp_the_message_waits_in_the_portal_and_the_menu_counts_it(app, client, session, auth):
    sensor = _sensor(session, with_account=True)
    sent = _write(client, sensor.id, lang="en")
    assert "sent=portal" in sent.location
    assert "waiting for Bakkerij De Korenschoof in the register's portal" in client.get(sent.location).get_data(
        as_text=True)
    auth.login("eigenaar@korenschoof.example")
    menu = client.get("/portal/?lang=nl").get_data(as_text=True)
    assert re.search(r'id="portal-menu-messages"[^>]*>Berichten van bewoners <strong>\(1 ongelezen\)</strong>', menu)
    assert "Sensoren (1)" in menu


def test_an_owner_without_account_or_email_is_not_promised_an_answer(app, client, session, smtp):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    sensor = _sensor(session, with_account=False, contact_email=None)
    sent = _write(client, sensor.id, lang="en")
    assert "sent=admins" in sent.location and smtp.mails == []
    assert "We cannot promise an answer" in client.get(sent.location).get_data(as_text=True)


def test_an_unreachable_mail_server_falls_back_to_the_portal(app, client, session):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=closed)
    sensor = _sensor(session, with_account=True)
    assert "sent=portal" in _write(client, sensor.id).location
