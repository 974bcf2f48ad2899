"""Keeping the register true: owners confirm a sensor is still there, sensors past their end date
are marked expired, and owners are reminded of sensors ending soon or long unconfirmed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

from register.models import Membership, Organisation, Sensor, User
from register.models.accounts import utcnow

from .records import require_edit
from .register import _actor_organisation, _record_change

REMINDER_DAYS = 30
UNCONFIRMED_DAYS = 365


def confirm_sensor(session: Session, *, user: User | None, sensor: Sensor, channel: str = "portal",
                   today: dt.date | None = None) -> None:
    """The owner confirms the sensor is still there (sets ``last_confirmed`` to today)."""
    require_edit(session, user, sensor.organisation_id)
    today = today or dt.date.today()
    old = sensor.last_confirmed
    sensor.last_confirmed = today
    sensor.updated_at = utcnow()
    session.add(sensor)
    _record_change(session, sensor, "confirmed", channel, user,
                   {"last_confirmed": [old.isoformat() if old else None, today.isoformat()]},
                   _actor_organisation(session, user, sensor))
    session.commit()



# ---- keeping the register true --------------------------------------------------------------------

def mark_expired(session: Session, today: dt.date | None = None) -> int:
    """Note in the public history of each sensor whose end date has passed that it has; the map
    leaves them off by default.  Returns how many were newly marked."""
    today = today or dt.date.today()
    rows = session.exec(select(Sensor).where(Sensor.end_date < today, col(Sensor.expired_marked_on).is_(None),
                                             Sensor.status != "removed")).all()
    for sensor in rows:
        sensor.expired_marked_on = today
        session.add(sensor)
        _record_change(session, sensor, "expired", "system", None,
                       {"expired": [False, True]}, "Stadsregister")
    session.commit()
    return len(rows)


def reminders(session: Session, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Owners to remind: sensors ending within 30 days, not confirmed for a year, or processing
    personal data without a retention period (imported from the city's workbook, which has no
    column for it)."""
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=REMINDER_DAYS)
    stale = today - dt.timedelta(days=UNCONFIRMED_DAYS)
    confirmed = func.coalesce(Sensor.last_confirmed, Sensor.placed_on)
    rows = session.exec(select(Sensor).where(Sensor.status != "removed", or_(
        and_(Sensor.end_date >= today, Sensor.end_date <= soon),
        and_(Sensor.end_date >= today, or_(confirmed < stale, confirmed.is_(None))),
        and_(Sensor.end_date >= today, Sensor.personal_data == true(), col(Sensor.retention_days).is_(None))))
        .order_by(Sensor.organisation_id, Sensor.end_date, Sensor.reference)).all()
    by_org: dict[int, dict[str, Any]] = {}
    for sensor in rows:
        entry = by_org.get(sensor.organisation_id)
        if entry is None:
            organisation = session.get(Organisation, sensor.organisation_id)
            members = session.exec(select(User.email).join(Membership, Membership.user_id == User.id)
                                   .where(Membership.organisation_id == organisation.id, User.active == true())
                                   .distinct()).all()
            entry = by_org[sensor.organisation_id] = {"organisation": organisation.name, "accounts": sorted(members),
                                                      "sensors": []}
        reasons = []
        if sensor.end_date <= soon:
            reasons.append("ends")
        last = sensor.last_confirmed or sensor.placed_on
        if last is None or last < stale:
            reasons.append("unconfirmed")
        if sensor.personal_data and sensor.retention_days is None:
            reasons.append("retention")
        entry["sensors"].append({"id": sensor.id, "reference": sensor.reference, "end_date": sensor.end_date,
                                 "last_confirmed": sensor.last_confirmed, "reasons": reasons})
    return list(by_org.values())
