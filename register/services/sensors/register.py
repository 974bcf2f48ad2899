"""The register itself: create and update a sensor with per-field validation, and the public
change history every create and update writes."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

import geo
from register.i18n import N_, translator
from register.models import Organisation, Sensor, SensorChange, User
from register.models.accounts import utcnow
from register.services import accounts

from .records import (
    LOCATION_KEYS,
    PRIVATE_FIELDS,
    SensorInvalid,
    _apply,
    diff,
    owner_kind,
    record,
    require_edit,
)

# ---- create / update ----------------------------------------------------------------------------

def validate(data: Mapping[str, Any], *, organisation: Organisation, locale: str = "nl",
             boundary: geo.Boundary | None = None, today: dt.date | None = None) -> tuple[dict, dict]:
    """geo.validate_sensor with the owner taken from the organisation."""
    merged = {k: v for k, v in data.items() if k not in ("owner_name", "owner_kind")}
    merged.update(owner_name=organisation.name, owner_kind=owner_kind(organisation))
    return geo.validate_sensor(merged, boundary=boundary, locale=locale, today=today)


def _reference_taken(session: Session, organisation_id: int, reference: str, except_id: int | None) -> bool:
    query = select(Sensor.id).where(Sensor.organisation_id == organisation_id,
                                    func.lower(Sensor.reference) == reference.casefold())
    if except_id is not None:
        query = query.where(Sensor.id != except_id)
    return session.exec(query).first() is not None


def _duplicate_message(locale: str, reference: str) -> str:
    return translator(locale)(N_("Your organisation already has a sensor with reference %(reference)s."),
                              reference=reference)


def _record_change(session: Session, sensor: Sensor, action: str, channel: str, user: User | None,
                   changes: dict, organisation_name: str | None = None) -> SensorChange:
    change = SensorChange(sensor_id=sensor.id, action=action, channel=channel, changes=changes,
                          user_id=user.id if user else None,
                          actor_organisation=organisation_name or sensor.owner_name)
    session.add(change)
    return change


def _actor_organisation(session: Session, user: User | None, sensor: Sensor) -> str:
    if user is not None and user.is_admin and not accounts.roles_of(session=session, user=user).get(
            sensor.organisation_id):
        return "Stadsregister"
    return sensor.owner_name


def create_sensor(session: Session, *, user: User | None, organisation: Organisation, data: Mapping[str, Any],
                  locale: str = "nl", channel: str = "portal", boundary: geo.Boundary | None = None,
                  commit: bool = True, check_permission: bool = True) -> Sensor:
    """Register a sensor for ``organisation``; raises SensorInvalid or PermissionDenied."""
    if check_permission:
        require_edit(session, user, organisation.id)
    clean, errors = validate(data, organisation=organisation, locale=locale, boundary=boundary)
    if clean.get("reference") and "reference" not in errors and \
            _reference_taken(session, organisation.id, clean["reference"], None):
        errors["reference"] = _duplicate_message(locale, clean["reference"])
    if errors:
        raise SensorInvalid(errors)
    sensor = Sensor(organisation_id=organisation.id, **_placeholder())
    _apply(sensor, clean)
    session.add(sensor)
    session.flush()
    _record_change(session, sensor, "created", channel, user, diff(None, clean),
                   _actor_organisation(session, user, sensor))
    if commit:
        session.commit()
    return sensor


def _placeholder() -> dict[str, Any]:
    return {"reference": "", "owner_name": "", "owner_kind": "", "sensor_type": "", "measures": "",
            "purpose": "", "geometry": {}, "lon": 0.0, "lat": 0.0, "mx": 0.0, "my": 0.0, "min_lon": 0.0,
            "min_lat": 0.0, "max_lon": 0.0, "max_lat": 0.0, "end_date": dt.date.today()}


def merged_input(sensor: Sensor, data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored record with ``data`` laid over it, for a partial update.  A new location in
    ``data`` replaces the stored one as a whole (point, area and district names)."""
    base = record(sensor)
    for key in ("lon", "lat", "bbox"):
        base.pop(key, None)
    if any(k in data for k in LOCATION_KEYS):
        base.pop("geometry", None)
        base.pop("area_names", None)
        if "mobile" not in data:
            base.pop("mobile", None)
    base.update({k: v for k, v in data.items() if k not in ("id", "owner_name", "owner_kind")})
    return base


def update_sensor(session: Session, *, user: User | None, sensor: Sensor, data: Mapping[str, Any],
                  locale: str = "nl", channel: str = "portal", partial: bool = True,
                  boundary: geo.Boundary | None = None, commit: bool = True,
                  check_permission: bool = True) -> dict[str, list]:
    """Change a sensor; returns the recorded changes ({} when nothing changed)."""
    if check_permission:
        require_edit(session, user, sensor.organisation_id)
    organisation = session.get(Organisation, sensor.organisation_id)
    before = record(sensor)
    clean, errors = validate(merged_input(sensor, data) if partial else dict(data), organisation=organisation,
                             locale=locale, boundary=boundary)
    if clean.get("reference") and "reference" not in errors and \
            _reference_taken(session, organisation.id, clean["reference"], sensor.id):
        errors["reference"] = _duplicate_message(locale, clean["reference"])
    if errors:
        raise SensorInvalid(errors)
    changes = diff(before, clean)
    if not changes:
        return {}
    _apply(sensor, clean)
    if sensor.expired_marked_on and not geo.is_expired(clean):
        sensor.expired_marked_on = None
    sensor.updated_at = utcnow()
    session.add(sensor)
    _record_change(session, sensor, "updated", channel, user, changes, _actor_organisation(session, user, sensor))
    if commit:
        session.commit()
    return changes



def get_sensor(session: Session, sensor_id: int) -> Sensor | None:
    return session.get(Sensor, sensor_id)


def by_reference(session: Session, organisation_id: int, reference: str) -> Sensor | None:
    return session.exec(select(Sensor).where(Sensor.organisation_id == organisation_id,
                                             func.lower(Sensor.reference) == reference.casefold())).first()


def history(session: Session, sensor: Sensor) -> list[dict[str, Any]]:
    """The public change history, newest first: when, which organisation, how, which fields."""
    rows = session.exec(select(SensorChange).where(SensorChange.sensor_id == sensor.id)
                        .order_by(col(SensorChange.at).desc(), col(SensorChange.id).desc()))
    return [{"at": c.at, "action": c.action, "channel": c.channel, "organisation": c.actor_organisation,
             "changes": [{"field": k, "old": None if k in PRIVATE_FIELDS else v[0],
                          "new": None if k in PRIVATE_FIELDS else v[1], "private": k in PRIVATE_FIELDS}
                         for k, v in (c.changes or {}).items()]} for c in rows]
