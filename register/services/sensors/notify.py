"""Telling a sensor's owner that a resident wrote (issue 14): an e-mail to the owner's contact
address (or, without one, to the organisation's accounts) through the configured SMTP server,
and an honest answer to the resident about what happens next.

The SMTP settings and the sender are in ``register.services.mail``.  Without a host nothing is
sent and the message waits in the portal.  The message text is never logged; a failed delivery is
logged without it.
"""
from __future__ import annotations

import logging
from email.message import EmailMessage

from sqlalchemy import func, true
from sqlmodel import Session, col, select

from register.i18n import N_, translator
from register.models import Membership, Sensor, SensorMessage, User
from register.models.accounts import utcnow
from register.services.mail import SEND_ERRORS, Mailer

log = logging.getLogger(__name__)

#: What the resident is told, by what the register could do.
EMAILED, IN_PORTAL, WITH_ADMINS = "emailed", "portal", "admins"
OUTCOMES = (EMAILED, IN_PORTAL, WITH_ADMINS)


def recipients(session: Session, sensor: Sensor) -> list[str]:
    """The owner's contact address; without one, the active accounts of the organisation."""
    if sensor.contact_email:
        return [sensor.contact_email]
    return sorted(session.exec(select(User.email).join(Membership, Membership.user_id == User.id)
                               .where(Membership.organisation_id == sensor.organisation_id, User.active == true())
                               .distinct()).all())


def _email(mailer: Mailer, to: list[str], sensor: Sensor, message: SensorMessage, portal_url: str) -> EmailMessage:
    nl, en = translator("nl"), translator("en")
    mail = EmailMessage()
    mail["From"] = mailer.sender
    mail["To"] = ", ".join(to)
    mail["Reply-To"] = message.sender_email
    mail["Subject"] = f"{nl(N_('Message about your sensor %(reference)s'), reference=sensor.reference)} / " \
                      f"{en(N_('Message about your sensor %(reference)s'), reference=sensor.reference)}"
    parts = []
    for t in (nl, en):
        parts.append(t(N_("A resident wrote to %(owner)s about sensor %(reference)s through the city's sensor "
                          "register. Answer by replying to this e-mail; it goes to %(sender)s."),
                       owner=sensor.owner_name, reference=sensor.reference, sender=message.sender_email))
        parts.append(t(N_("You can also read the message in the portal: %(url)s"), url=portal_url))
    mail.set_content("\n\n".join(parts[:1]) + "\n\n" + message.body + "\n\n" + parts[1] + "\n\n---\n\n"
                     + parts[2] + "\n\n" + message.body + "\n\n" + parts[3] + "\n")
    return mail


def notify_owner(session: Session, *, message: SensorMessage, sensor: Sensor, mailer: Mailer | None,
                 portal_url: str) -> str:
    """E-mail the owner about ``message``; returns what the resident should be told: ``emailed``,
    ``portal`` (the organisation has accounts and reads it there) or ``admins`` (nobody to tell
    yet: the register's administrators see it and contact the owner)."""
    to = recipients(session, sensor)
    if mailer is not None and to:
        try:
            mailer.send(_email(mailer, to, sensor, message, portal_url))
        except SEND_ERRORS as error:
            log.error("e-mail about relay message %s for sensor %s not delivered: %s", message.id, sensor.id,
                      type(error).__name__)
        else:
            message.emailed_at = utcnow()
            session.add(message)
            session.commit()
            return EMAILED
    has_accounts = session.exec(select(User.id).join(Membership, Membership.user_id == User.id)
                                .where(Membership.organisation_id == sensor.organisation_id,
                                       User.active == true())).first() is not None
    return IN_PORTAL if has_accounts else WITH_ADMINS


def unread_count(session: Session, organisation_ids: list[int]) -> int:
    """Messages to these organisations that nobody has read yet (for the portal's menu)."""
    if not organisation_ids:
        return 0
    return session.exec(select(func.count()).select_from(SensorMessage)
                        .join(Sensor, Sensor.id == SensorMessage.sensor_id)
                        .where(col(Sensor.organisation_id).in_(organisation_ids),
                               col(SensorMessage.read_at).is_(None))).one()
