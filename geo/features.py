"""Public shapes of a sensor: the fields anyone may see, as flat records and GeoJSON features.

Everything public goes through ``public_properties``, an allowlist.  A contact e-mail address is
public only when the owner marked it as an organisational address; a contact person's name and
phone number never are (residents reach the owner through the relay form instead).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .validate import is_expired
from .vocab import LEGAL_GROUNDS, OWNER_KINDS, SENSOR_TYPES, STATUSES, THEMES

#: Register fields published in exports and on the map, in this order.
PUBLIC_FIELDS = (
    "id", "reference", "owner_name", "owner_kind", "public_contact_email", "sensor_type",
    "sensor_type_other", "themes", "measures", "purpose", "personal_data", "legal_ground",
    "privacy_statement_url", "retention_days", "processed_on_device", "anonymised",
    "aggregated", "open_data", "open_data_url", "mobile", "area_names", "location_description",
    "placed_on", "end_date", "last_confirmed", "status", "expired", "remarks", "project",
)

#: The small set of properties the map needs to draw a marker and its popup (filters are applied
#: by the server; every other field is in the exports and on the sensor's own page).
MAP_FIELDS = ("reference", "owner_name", "sensor_type", "personal_data", "expired")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def public_contact_email(sensor: Mapping[str, Any]) -> str | None:
    """The contact address if, and only if, it is an organisation's address."""
    if sensor.get("contact_is_organisational") and sensor.get("contact_email"):
        return sensor["contact_email"]
    return None


def public_properties(sensor: Mapping[str, Any], *, fields: Iterable[str] = PUBLIC_FIELDS,
                      today: dt.date | None = None) -> dict[str, Any]:
    """The sensor's public fields only, JSON-ready (dates as ISO text)."""
    out: dict[str, Any] = {}
    for field in fields:
        if field == "public_contact_email":
            out[field] = public_contact_email(sensor)
        elif field == "expired":
            out[field] = is_expired(sensor, today)
        else:
            value = sensor.get(field)
            out[field] = list(value) if isinstance(value, (list, tuple)) else _iso(value)
    return out


def labels(props: Mapping[str, Any], locale: str = "nl") -> dict[str, Any]:
    """Human labels for the coded properties, for popups and CSV columns people read."""
    out: dict[str, Any] = {}
    for field, vocab in (("sensor_type", SENSOR_TYPES), ("owner_kind", OWNER_KINDS),
                         ("legal_ground", LEGAL_GROUNDS), ("status", STATUSES)):
        code = props.get(field)
        out[f"{field}_label"] = vocab.label(code, locale) if code in vocab else None
    out["theme_labels"] = [THEMES.label(c, locale) for c in props.get("themes") or []
                           if c in THEMES]
    return out


def sensor_feature(sensor: Mapping[str, Any], *, fields: Iterable[str] = PUBLIC_FIELDS,
                   locale: str | None = None, url: str | None = None,
                   today: dt.date | None = None) -> dict[str, Any]:
    """A GeoJSON Feature: the point or mobile area, public properties, optional labels and URL.

    A camera's field of view is carried as ``properties.field_of_view`` (a GeoJSON geometry),
    since a Feature has one geometry.
    """
    props = public_properties(sensor, fields=fields, today=today)
    if locale:
        props.update(labels(props, locale))
    if sensor.get("field_of_view"):
        props["field_of_view"] = sensor["field_of_view"]
    if url:
        props["url"] = url
    return {"type": "Feature", "id": sensor.get("id"), "geometry": sensor.get("geometry"),
            "properties": props}


def area_key(geometry: Mapping[str, Any]) -> str:
    """A mobile sensor's area by its content: the same area (several scan cars in one district)
    has the same key, a changed area a new one."""
    canonical = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def map_feature(sensor: Mapping[str, Any], *, today: dt.date | None = None,
                url_template: str = "/sensors/{id}") -> dict[str, Any]:
    """A compact Feature for the map: the marker point; the field of view as a property, a mobile
    sensor's area by its ``area_id`` only (the map fetches each area once, see ``area_key``)."""
    props = public_properties(sensor, fields=MAP_FIELDS, today=today)
    props["url"] = url_template.format(id=sensor.get("id"))
    if sensor.get("mobile") and sensor.get("geometry"):
        props["area_id"] = sensor.get("area_id") or area_key(sensor["geometry"])
    if sensor.get("field_of_view"):
        props["field_of_view"] = sensor["field_of_view"]
    return {"type": "Feature", "id": sensor.get("id"),
            "geometry": {"type": "Point", "coordinates": [sensor["lon"], sensor["lat"]]},
            "properties": props}


def feature_collection(features: Iterable[Mapping[str, Any]], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **members}
