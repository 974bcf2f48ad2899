"""What residents send: reports of sensors missing from the register, and messages relayed to
owners whose address is not public."""
from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from sqlmodel import Session, col, select

import geo
from register.i18n import N_, translator
from register.models import Sensor, SensorMessage, SensorReport, User
from register.models.accounts import utcnow
from register.services import accounts

from .records import SensorInvalid, organisations_for, record

MESSAGE_RETENTION_DAYS = 180


# ---- residents: reports of missing sensors and the relay to owners --------------------------------

def create_report(session: Session, *, lat: Any, lon: Any, description: Any, locale: str = "nl",
                  boundary: geo.Boundary | None = None) -> SensorReport:
    """A resident reports a sensor that is not in the register; only place and description are kept."""
    t = translator(locale)
    errors: dict[str, str] = {}
    text = str(description or "").strip()
    if not text:
        errors["description"] = t(N_("Describe the sensor: what it looks like and where exactly it hangs."))
    elif len(text) > 2000:
        errors["description"] = t(N_("Use at most %(max)d characters.") , max=2000)
    point = None
    try:
        lonlat = geo.to_wgs84(lon, lat)
        point = shapely.Point(lonlat)
    except geo.CoordinateError as problem:
        errors["location"] = geo.message(problem.code, locale, **problem.params)
    except (TypeError, ValueError):
        errors["location"] = t(N_("Give the place as latitude and longitude, e.g. 52.3731 and 4.8926."))
    if point is not None and not (boundary or geo.Boundary.default()).contains(point):
        errors["location"] = geo.message("outside_boundary", locale,
                                         boundary="the municipality" if locale == "en" else "de gemeente")
    if errors:
        raise SensorInvalid(errors)
    report = SensorReport(lon=round(point.x, 7), lat=round(point.y, 7), description=text)
    session.add(report)
    session.commit()
    return report


def reports(session: Session, state: str | None = "open") -> list[SensorReport]:
    query = select(SensorReport).order_by(col(SensorReport.created_at).desc(), col(SensorReport.id).desc())
    if state:
        query = query.where(SensorReport.state == state)
    return list(session.exec(query))


def handle_report(session: Session, *, user: User, report: SensorReport, state: str,
                  note: str | None = None, sensor_id: int | None = None) -> SensorReport:
    """A site administrator closes a report: ``registered`` (optionally with the sensor) or ``rejected``."""
    if not user.is_admin:
        raise accounts.PermissionDenied()
    if state not in ("registered", "rejected", "open"):
        raise ValueError(state)
    if sensor_id is not None and session.get(Sensor, sensor_id) is None:
        raise ValueError("unknown sensor")
    report.state, report.note, report.sensor_id = state, (note or None), sensor_id
    report.handled_by, report.handled_at = user.id, utcnow()
    session.add(report)
    session.commit()
    return report


def relay_available(sensor: Sensor) -> bool:
    """Residents write through the register when the owner's address is not public."""
    return geo.features.public_contact_email(record(sensor)) is None


def send_message(session: Session, *, sensor: Sensor, sender_email: Any, body: Any,
                 locale: str = "nl") -> SensorMessage:
    t = translator(locale)
    errors: dict[str, str] = {}
    try:
        email = geo.values.email(sender_email)
    except geo.values.ValueProblem as problem:
        email = None
        errors["sender_email"] = geo.message(problem.code, locale, **problem.params)
    if not email and "sender_email" not in errors:
        errors["sender_email"] = t(N_("Give your e-mail address, so the owner can answer you."))
    text = str(body or "").strip()
    if not text:
        errors["body"] = t(N_("Write your message."))
    elif len(text) > 4000:
        errors["body"] = t(N_("Use at most %(max)d characters."), max=4000)
    if errors:
        raise SensorInvalid(errors)
    message = SensorMessage(sensor_id=sensor.id, sender_email=email, body=text)
    session.add(message)
    session.commit()
    return message


def messages_for(session: Session, user: User) -> list[tuple[SensorMessage, Sensor]]:
    ids = [o.id for o in organisations_for(session, user)]
    if not ids:
        return []
    return list(session.exec(select(SensorMessage, Sensor).join(Sensor, Sensor.id == SensorMessage.sensor_id)
                             .where(col(Sensor.organisation_id).in_(ids))
                             .order_by(col(SensorMessage.created_at).desc())))


def purge_messages(session: Session, now: dt.datetime | None = None) -> int:
    """Delete relay messages older than the retention period."""
    cutoff = (now or utcnow()) - dt.timedelta(days=MESSAGE_RETENTION_DAYS)
    old = session.exec(select(SensorMessage).where(SensorMessage.created_at < cutoff)).all()
    for message in old:
        session.delete(message)
    session.commit()
    return len(old)
