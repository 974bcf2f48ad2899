"""A read-only OGC SensorThings API v1.1 view of the sensor register (shapes from ``geo.sta``).

One register sensor is one Thing, Location, Sensor, ObservedProperty and Datastream, all with
the sensor's id; Observations, FeaturesOfInterest and HistoricalLocations are there and empty.
Also at ``/sta/v1.0/``.  Supported: the eight entity sets, ``$select``, ``$orderby`` (on
``@iot.id``, ``name``, ``description`` and ``properties/<register column>``),
``$resultFormat=GeoJSON``, single entities ``Things(1)``, navigation
``Things(1)/Locations``, ``$top``, ``$skip``, ``$count``, ``@iot.nextLink``, ``$expand`` (one or
two levels, e.g. ``Datastreams/Sensor``) and ``$filter`` with ``eq`` on ``@iot.id``, ``name`` and
``properties/<public field>`` joined by ``and``, and ``geo.intersects(location, geography'…')``.
Conditions that map onto register columns, and the intersection on PostgreSQL, run in SQL; the
rest is checked on the entities.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import shape
from sqlalchemy import false, true
from sqlmodel import Session, col, func, select

from geo import sta as shapes
from geo import sta_options
from geo.features import PUBLIC_FIELDS
from register.models import Sensor
from register.services import sensors as svc

ONE, MANY = "one", "many"
NAVIGATION: dict[str, dict[str, tuple[str | None, str]]] = {
    "Things": {"Locations": ("Locations", MANY), "Datastreams": ("Datastreams", MANY),
               "HistoricalLocations": (None, MANY)},
    "Locations": {"Things": ("Things", MANY), "HistoricalLocations": (None, MANY)},
    "Sensors": {"Datastreams": ("Datastreams", MANY)},
    "ObservedProperties": {"Datastreams": ("Datastreams", MANY)},
    "Datastreams": {"Thing": ("Things", ONE), "Sensor": ("Sensors", ONE),
                    "ObservedProperty": ("ObservedProperties", ONE), "Observations": (None, MANY)},
}
_RESOURCE = re.compile(r"^(?P<set>[A-Za-z]+)(?:\((?P<id>[0-9]+)\))?(?:/(?P<nav>[A-Za-z]+))?/?$")
MAX_INT = 2**31 - 1  # the database's integer columns (PostgreSQL); larger ids exist nowhere
_BOOLEAN = {"personal_data", "processed_on_device", "anonymised", "aggregated", "open_data", "mobile"}
_DATES = {"placed_on", "end_date", "last_confirmed"}
_COLUMNS = {"id", "reference", "owner_name", "owner_kind", "sensor_type", "sensor_type_other", "measures",
            "purpose", "personal_data", "legal_ground", "privacy_statement_url", "retention_days",
            "processed_on_device", "anonymised", "aggregated", "open_data", "open_data_url", "mobile",
            "location_description", "placed_on", "end_date", "last_confirmed", "status", "remarks", "project"}


#: What ``name`` and ``description`` of each entity set are made of, for ``$orderby``.
_NAME_COLUMN = {"Things": "reference", "Locations": "reference", "Sensors": "sensor_type",
                "ObservedProperties": "measures", "Datastreams": "reference"}
_DESCRIPTION_COLUMN = {"Things": "purpose", "Locations": "location_description", "Sensors": "sensor_type",
                       "ObservedProperties": "measures", "Datastreams": "purpose"}


class StaError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def root(base_url: str) -> dict[str, Any]:
    return {"value": [{"name": name, "url": f"{base_url}/{name}"} for name in shapes.ENTITY_SETS],
            "serverSettings": {"conformance": [
                "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
                "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"]}}


def _field_for(path: str, entity_set: str) -> str | None:
    if path in ("@iot.id", "id"):
        return "id"
    if path == "name" and entity_set in ("Things", "Locations"):
        return "reference"
    if path.startswith("properties/") and path[11:] in PUBLIC_FIELDS:
        return path[11:]
    return None


def _sql_condition(fld: str, value: Any, today: dt.date):
    """An SQL condition for ``field eq value``, or None when it must be checked on the entity."""
    if fld == "expired" and isinstance(value, bool):
        return Sensor.end_date < today if value else Sensor.end_date >= today
    if fld not in _COLUMNS:
        return None
    column = getattr(Sensor, fld)
    if value is None:
        return col(column).is_(None)
    if fld in _BOOLEAN:
        if not isinstance(value, bool):
            raise StaError(400, f"properties/{fld} is true or false")
        return column == (true() if value else false())
    if fld in _DATES:
        try:
            return column == dt.date.fromisoformat(str(value))
        except ValueError:
            raise StaError(400, f"properties/{fld} is a date like '2026-12-31'") from None
    if fld in ("id", "retention_days"):
        if not isinstance(value, int) or isinstance(value, bool) or not -MAX_INT <= value <= MAX_INT:
            return false()
        return column == value
    return column == str(value)


def _order(entity_set: str, args: Mapping[str, str]) -> list:
    """SQL ORDER BY for ``$orderby`` (always ending on the id, so pages are stable)."""
    try:
        criteria = sta_options.parse_orderby(args.get("$orderby"))
    except shapes.FilterError as error:
        raise StaError(400, str(error)) from None
    out = []
    for path, descending in criteria:
        if path in ("@iot.id", "id"):
            fld = "id"
        elif path == "name":
            fld = _NAME_COLUMN[entity_set]
        elif path == "description":
            fld = _DESCRIPTION_COLUMN[entity_set]
        elif path.startswith("properties/") and path[11:] in _COLUMNS and entity_set == "Things":
            fld = path[11:]
        else:
            raise StaError(400, f"$orderby: {entity_set} cannot be ordered by {path!r}; use @iot.id, name, "
                                "description or properties/<field>")
        column = col(getattr(Sensor, fld))
        out.append(column.desc() if descending else column.asc())
    return [*out, col(Sensor.id).asc()]


def _select(args: Mapping[str, str]) -> list[str] | None:
    try:
        return sta_options.parse_select(args.get("$select"))
    except shapes.FilterError as error:
        raise StaError(400, str(error)) from None


def _result_format(args: Mapping[str, str]) -> str | None:
    fmt = args.get("$resultFormat")
    if fmt is not None and fmt.lower() != "geojson":
        raise StaError(400, "$resultFormat: the register answers GeoJSON, or JSON when it is left out")
    return fmt and "GeoJSON"


def _query_parts(session: Session, entity_set: str, args: Mapping[str, str], today: dt.date):
    try:
        flt = shapes.parse_filter(args.get("$filter"))
    except shapes.FilterError as error:
        raise StaError(400, str(error)) from None
    where, rest = [], shapes.Filter()
    for path, value in flt.equals.items():
        fld = _field_for(path, entity_set)
        condition = _sql_condition(fld, value, today) if fld else None
        if condition is None:
            rest.equals[path] = value
        else:
            where.append(condition)
    exact = None
    if flt.intersects is not None:
        if flt.intersects.is_empty or not flt.intersects.is_valid:
            raise StaError(400, "geo.intersects needs a valid geography")
        where.append(svc.intersects_condition(session, flt.intersects))
        if not svc.is_postgres(session):
            exact = flt.intersects
    return where, rest, exact


def _build(entity_set: str, sensor: Sensor | dict, base_url: str, site_url: str, expand: list[str],
           today: dt.date) -> dict[str, Any]:
    rec = sensor if isinstance(sensor, dict) else svc.record(sensor)
    out = shapes.entity(entity_set, rec, base_url, site_url)
    if entity_set == "Things":
        out["properties"]["expired"] = shapes.public_properties(rec, today=today)["expired"]
    for item in expand:
        head, _, tail = item.partition("/")
        target = NAVIGATION.get(entity_set, {}).get(head)
        if target is None:
            raise StaError(400, f"{entity_set} cannot $expand {head!r}")
        target_set, many = target
        if target_set is None:
            out[head] = []
            continue
        child = _build(target_set, rec, base_url, site_url, [tail] if tail else [], today)
        out[head] = [child] if many == MANY else child
    return out


def _expand(args: Mapping[str, str]) -> list[str]:
    text = re.sub(r"\([^)]*\)", "", args.get("$expand", "") or "")
    return [part.strip() for part in text.split(",") if part.strip()]


def _matches(rest: shapes.Filter, exact, entity_json: dict, sensor: Sensor) -> bool:
    if rest.equals and not rest.matches(entity_json):
        return False
    if exact is not None and not shapely.intersects(shape(sensor.geometry), exact):
        return False
    return True


def resolve(session: Session, resource: str, args: Mapping[str, str], *, base_url: str, site_url: str = "",
            today: dt.date | None = None) -> dict[str, Any]:
    """The JSON for ``/sta/v1.1/<resource>?<args>``; raises StaError (400/404)."""
    today = today or dt.date.today()
    resource = resource.strip("/")
    if not resource:
        return root(base_url)
    m = _RESOURCE.match(resource)
    if not m or m.group("set") not in shapes.ENTITY_SETS:
        raise StaError(404, f"unknown resource {resource!r}; entity sets: {', '.join(shapes.ENTITY_SETS)}")
    entity_set, ident, nav = m.group("set"), m.group("id"), m.group("nav")
    expand = _expand(args)
    if entity_set in shapes.EMPTY_SETS:
        if ident is not None:
            raise StaError(404, f"{entity_set}({ident}) does not exist: the register holds no {entity_set}")
        return _empty(args, f"{base_url}/{entity_set}")
    if ident is None:
        if nav:
            raise StaError(404, "navigate from one entity, e.g. Things(1)/Locations")
        return collection(session, entity_set, args, base_url=base_url, site_url=site_url, today=today,
                          url=f"{base_url}/{entity_set}")
    sensor = session.get(Sensor, int(ident)) if len(ident) <= 10 and int(ident) <= MAX_INT else None
    if sensor is None:
        raise StaError(404, f"{entity_set}({ident}) does not exist")
    if not nav:
        return _build(entity_set, sensor, base_url, site_url, expand, today)
    target = NAVIGATION[entity_set].get(nav)
    if target is None:
        raise StaError(404, f"{entity_set} has no navigation property {nav!r}")
    target_set, many = target
    if target_set is None:
        return _empty(args, f"{base_url}/{resource}")
    if many == ONE:
        return _build(target_set, sensor, base_url, site_url, expand, today)
    return collection(session, target_set, args, base_url=base_url, site_url=site_url, today=today,
                      url=f"{base_url}/{resource}", only_id=sensor.id)


def _empty(args: Mapping[str, str], url: str) -> dict[str, Any]:
    try:
        paging = shapes.paging(args)
    except shapes.FilterError as error:
        raise StaError(400, str(error)) from None
    _select(args)
    body = shapes.page([], 0, paging, url, dict(args))
    return sta_options.geojson(body) if _result_format(args) else body


def collection(session: Session, entity_set: str, args: Mapping[str, str], *, base_url: str, site_url: str,
               today: dt.date, url: str, only_id: int | None = None) -> dict[str, Any]:
    try:
        paging = shapes.paging(args)
    except shapes.FilterError as error:
        raise StaError(400, str(error)) from None
    where, rest, exact = _query_parts(session, entity_set, args, today)
    if only_id is not None:
        where.append(Sensor.id == only_id)
    expand, order, names, fmt = _expand(args), _order(entity_set, args), _select(args), _result_format(args)
    if not rest.equals and exact is None:  # everything in SQL: count and page there
        total = session.exec(select(func.count()).select_from(Sensor).where(*where)).one()  # for nextLink
        rows = session.exec(select(Sensor).where(*where).order_by(*order)
                            .offset(paging.skip).limit(paging.top)).all()
        pairs = [(_build(entity_set, s, base_url, site_url, expand, today), s) for s in rows]
    else:  # some conditions are checked on the entities: filter all candidates, then page
        matched = []
        for sensor in session.exec(select(Sensor).where(*where).order_by(*order)):
            built = _build(entity_set, sensor, base_url, site_url, expand, today)
            if _matches(rest, exact, built, sensor):
                matched.append((built, sensor))
        total = len(matched)
        pairs = matched[paging.skip:paging.skip + paging.top]
    body = shapes.page([sta_options.select(built, names) for built, _ in pairs], total, paging, url, dict(args))
    return sta_options.geojson(body, [s.geometry for _, s in pairs]) if fmt else body
