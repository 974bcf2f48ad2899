"""Sensor records: a table row as the plain dict of ``geo`` (``geo.SENSOR_FIELDS`` plus ``id``),
its public view, the columns derived from a clean record, the change diff, and who may edit."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

from sqlmodel import Session, col, select

import geo
from geo.places import Places
from register.models import Membership, Organisation, Sensor, User
from register.services import accounts

#: Organisation.kind (the register's organisations) → the sensor vocabulary's owner kind.
OWNER_KIND = {"municipality": "municipality", "government": "other-government", "company": "company",
              "research": "research", "citizen": "citizen-initiative"}
#: Fields that identify a person: stored, never published, listed in the history without values.
PRIVATE_FIELDS = set(geo.CONTACT_FIELDS)
#: Fields an owner may set (the organisation decides owner_name and owner_kind).
EDITABLE_FIELDS = tuple(f for f in geo.SENSOR_FIELDS if f not in ("owner_name", "owner_kind", "lon", "lat",
                                                                   "bbox", "area_names"))
LOCATION_KEYS = ("geometry", "lat", "lon", "x", "y", "areas", "area_names", "crs")


class SensorInvalid(Exception):
    """Field errors ({field: message}) in the user's language; nothing was stored."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

    def as_list(self) -> list[dict[str, str]]:
        return [{"field": k, "message": v} for k, v in self.errors.items()]


# ---- records ------------------------------------------------------------------------------------

def owner_kind(organisation: Organisation) -> str:
    kind = organisation.kind or "municipality"
    return OWNER_KIND.get(kind, kind if kind in geo.OWNER_KINDS else "company")


def record(sensor: Sensor) -> dict[str, Any]:
    """The sensor as a geo record (``geo.SENSOR_FIELDS`` + ``id``)."""
    out = {f: getattr(sensor, f, None) for f in geo.SENSOR_FIELDS if f != "bbox"}
    out["id"] = sensor.id
    out["bbox"] = [sensor.min_lon, sensor.min_lat, sensor.max_lon, sensor.max_lat]
    out["themes"] = list(sensor.themes or [])
    out["area_names"] = list(sensor.area_names or [])
    return out


def public_record(sensor: Sensor, today: dt.date | None = None) -> dict[str, Any]:
    """What anyone may see of a sensor (no contact person, phone or private e-mail)."""
    out = geo.public_properties(record(sensor), today=today)
    out.update(geometry=sensor.geometry, field_of_view=sensor.field_of_view, lon=sensor.lon, lat=sensor.lat,
               district=sensor.district, neighbourhood=sensor.neighbourhood)
    return out


def theme_bits(themes: Iterable[str]) -> int:
    codes = geo.THEMES.codes
    return sum(1 << codes.index(t) for t in themes if t in codes)


_COLUMN_FIELDS = tuple(f for f in geo.SENSOR_FIELDS if f not in ("bbox",))
_FLAGS = ("contact_is_organisational", "personal_data", "processed_on_device", "anonymised", "aggregated",
          "open_data", "mobile")


def column_values(clean: Mapping[str, Any]) -> dict[str, Any]:
    """The table's columns for a clean record (derived bbox, Web Mercator and theme bits)."""
    out = {name: clean.get(name) for name in _COLUMN_FIELDS}
    out["themes"] = list(clean.get("themes") or [])
    out["area_names"] = list(clean.get("area_names") or [])
    out["theme_bits"] = theme_bits(out["themes"])
    out["min_lon"], out["min_lat"], out["max_lon"], out["max_lat"] = clean["bbox"]
    lon, lat = float(clean["lon"]), max(-85.05112878, min(85.05112878, float(clean["lat"])))
    out["mx"] = round(math.radians(lon) * 6378137.0, 2)
    out["my"] = round(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * 6378137.0, 2)
    for flag in _FLAGS:
        out[flag] = bool(clean.get(flag))
    out["district"], out["neighbourhood"] = place_columns(clean)
    return out


def place_columns(clean: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """District and neighbourhood for the list: a fixed sensor's from its point, a mobile one's
    district from the first area it was registered by."""
    if clean.get("mobile"):
        names = list(clean.get("area_names") or [])
        return (names[0] if names else Places.default().district_of(clean["lon"], clean["lat"])), None
    return Places.default().place_of(float(clean["lon"]), float(clean["lat"]))


def _apply(sensor: Sensor, clean: Mapping[str, Any]) -> None:
    for name, value in column_values(clean).items():
        setattr(sensor, name, value)


def _comparable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> dict[str, list]:
    """Changed fields as {field: [old, new]}; contact fields without their values."""
    out: dict[str, list] = {}
    for name in geo.SENSOR_FIELDS:
        if name in ("lon", "lat", "bbox"):
            continue
        old = _comparable((before or {}).get(name))
        new = _comparable(after.get(name))
        if name in _FLAGS:
            old, new = (bool(old) if before is not None else None), bool(new)
        if old in ("", []):
            old = None
        if new in ("", []):
            new = None
        if old != new:
            out[name] = [None, None] if name in PRIVATE_FIELDS else [old, new]
    return out


# ---- permissions --------------------------------------------------------------------------------

def can_edit(session: Session, user: User | None, organisation_id: int) -> bool:
    """Registrants and approvers of the owning organisation, and site administrators."""
    return user is not None and accounts.has_role(session=session, user=user, organisation_id=organisation_id)


def require_edit(session: Session, user: User | None, organisation_id: int) -> None:
    if not can_edit(session, user, organisation_id):
        raise accounts.PermissionDenied()


def organisations_for(session: Session, user: User) -> list[Organisation]:
    """The organisations whose sensors the account may register (all of them for an admin)."""
    if user.is_admin:
        return list(session.exec(select(Organisation).order_by(Organisation.name)))
    ids = {m.organisation_id for m in session.exec(select(Membership).where(Membership.user_id == user.id))}
    return list(session.exec(select(Organisation).where(col(Organisation.id).in_(ids)).order_by(Organisation.name))) \
        if ids else []
