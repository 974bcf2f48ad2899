"""OGC SensorThings API v1.1 shapes for the register, read-only.

Mapping (one register sensor is one of each, all sharing the sensor's id):
Thing = the registered sensor (register fields in ``properties``); Location = its point or
mobile area; Sensor = the device type; ObservedProperty = what it measures; Datastream = the
link between them.  The register holds no Observations, FeaturesOfInterest or
HistoricalLocations: those sets exist and are empty, as clients expect all eight.

``parse_filter`` understands the subset of ``$filter`` the register supports: ``eq`` on common
properties joined by ``and``, and ``geo.intersects(location, geography'POLYGON(...)')``.
``paging`` and ``page`` implement ``$top``, ``$skip``, ``$count`` and ``@iot.nextLink``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .features import public_properties
from .vocab import SENSOR_TYPES

OBSERVATION_TYPE = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation"
ENTITY_SETS = ("Things", "Locations", "HistoricalLocations", "Sensors", "ObservedProperties",
               "Datastreams", "Observations", "FeaturesOfInterest")
#: Sets of the Sensing core the register answers empty: it holds no observations and sensors
#: do not move in its records (a mobile sensor has an area, not a track).
EMPTY_SETS = ("HistoricalLocations", "Observations", "FeaturesOfInterest")
DEFAULT_TOP, MAX_TOP = 100, 1000


def _links(base: str, entity_set: str, ident: Any, navigation: Sequence[str]) -> dict[str, str]:
    self_link = f"{base}/{entity_set}({ident})"
    out = {"@iot.id": ident, "@iot.selfLink": self_link}
    out.update({f"{nav}@iot.navigationLink": f"{self_link}/{nav}" for nav in navigation})
    return out


def thing(sensor: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    props = public_properties(sensor)
    props.pop("id", None)
    return {**_links(base_url, "Things", sensor["id"], ("Locations", "Datastreams",
                                                        "HistoricalLocations")),
            "name": sensor.get("reference"),
            "description": sensor.get("purpose") or "", "properties": props}


def location(sensor: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    return {**_links(base_url, "Locations", sensor["id"], ("Things", "HistoricalLocations")),
            "name": sensor.get("reference"),
            "description": sensor.get("location_description") or
            ("Gebied van een mobiele sensor" if sensor.get("mobile") else "Plaats van de sensor"),
            "encodingType": "application/geo+json", "location": sensor.get("geometry")}


def sensor_entity(sensor: Mapping[str, Any], base_url: str, site_url: str = "") -> dict[str, Any]:
    code = sensor.get("sensor_type")
    name = sensor.get("sensor_type_other") or (SENSOR_TYPES.label(code) if code in SENSOR_TYPES
                                                 else code)
    return {**_links(base_url, "Sensors", sensor["id"], ("Datastreams",)),
            "name": name, "description": name, "encodingType": "text/html",
            "metadata": f"{site_url}/sensors/{sensor['id']}"}


def observed_property(sensor: Mapping[str, Any], base_url: str, site_url: str = "") -> dict:
    return {**_links(base_url, "ObservedProperties", sensor["id"], ("Datastreams",)),
            "name": sensor.get("measures"), "description": sensor.get("measures"),
            "definition": f"{site_url}/sensors/{sensor['id']}#measures"}


def datastream(sensor: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    return {**_links(base_url, "Datastreams", sensor["id"], ("Thing", "Sensor",
                                                             "ObservedProperty", "Observations")),
            "name": f"{sensor.get('reference')}: {sensor.get('measures')}",
            "description": sensor.get("purpose") or "", "observationType": OBSERVATION_TYPE,
            "unitOfMeasurement": {"name": None, "symbol": None, "definition": None},
            "observedArea": sensor.get("geometry"),
            "properties": {"open_data_url": sensor.get("open_data_url")}}


def entity(entity_set: str, sensor: Mapping[str, Any], base_url: str,
           site_url: str = "") -> dict[str, Any]:
    """The ``entity_set`` shape (one of ENTITY_SETS) of a register sensor."""
    return {"Things": lambda: thing(sensor, base_url),
            "Locations": lambda: location(sensor, base_url),
            "Sensors": lambda: sensor_entity(sensor, base_url, site_url),
            "ObservedProperties": lambda: observed_property(sensor, base_url, site_url),
            "Datastreams": lambda: datastream(sensor, base_url)}[entity_set]()


# ---- $filter --------------------------------------------------------------------------------

class FilterError(ValueError):
    """A $filter the register does not understand; the message says what and where."""


@dataclass
class Filter:
    """Equality conditions on property paths plus an optional area to intersect."""

    equals: dict[str, Any] = field(default_factory=dict)
    intersects: BaseGeometry | None = None

    def matches(self, entity_json: Mapping[str, Any]) -> bool:
        for path, expected in self.equals.items():
            if _resolve(entity_json, path) != expected:
                return False
        if self.intersects is not None:
            geom = entity_json.get("location") or entity_json.get("observedArea") or \
                _resolve(entity_json, "Locations/0/location")
            if not geom or not shapely.intersects(shape(geom), self.intersects):
                return False
        return True


#: $filter paths that map onto register fields, for pushing a filter down into a query.
COMMON_PATHS = {"@iot.id": "id", "id": "id", "name": "reference"}


def sensor_conditions(flt: Filter) -> dict[str, Any]:
    """The equality conditions as register fields ({'sensor_type': 'camera', ...}).

    Understands ``name``, ``@iot.id`` and ``properties/<public field>``; raises FilterError for
    other paths, so the caller can answer 400 instead of silently ignoring a condition.
    """
    from .features import PUBLIC_FIELDS

    out: dict[str, Any] = {}
    for path, value in flt.equals.items():
        fld = COMMON_PATHS.get(path)
        if fld is None and path.startswith("properties/") and path[11:] in PUBLIC_FIELDS:
            fld = path[11:]
        if fld is None:
            raise FilterError(f"cannot filter on {path!r}")
        out[fld] = value
    return out


def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("/"):
        if isinstance(obj, list):
            obj = obj[int(part)] if part.isdigit() and int(part) < len(obj) else None
        elif isinstance(obj, Mapping):
            obj = obj.get(part)
        else:
            return None
    return obj


_TOKEN = re.compile(r"""\s*(?:
    (?P<geo>geo\.intersects\s*\(\s*(?P<geofield>[A-Za-z/]+)\s*,\s*geography\s*'(?P<wkt>[^']*)'\s*\))
  | (?P<path>[@A-Za-z_][\w./@]*)\s+eq\s+(?P<value>'(?:[^']|'')*'|-?[0-9]+(?:\.[0-9]+)?|true|false|null)
  | (?P<and>and)\b
)""", re.VERBOSE | re.IGNORECASE)


def parse_filter(text: str | None) -> Filter:
    """Parse ``name eq 'x' and properties/personal_data eq true and geo.intersects(location,
    geography'POLYGON((...))')``.  Anything else raises FilterError."""
    result = Filter()
    if not text or not text.strip():
        return result
    pos, expect_condition = 0, True
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if not m or bool(m.group("and")) == expect_condition:
            raise FilterError(f"unsupported $filter at position {pos}: {text[pos:pos + 30]!r}; "
                              "supported: <property> eq <value>, geo.intersects(location, "
                              "geography'POLYGON(...)'), joined by 'and'")
        if m.group("geo"):
            if m.group("geofield").lower() not in ("location", "observedarea",
                                                   "locations/location"):
                raise FilterError("geo.intersects works on location only")
            try:
                result.intersects = shapely.from_wkt(m.group("wkt"))
            except Exception:  # noqa: BLE001 - the parsing libraries raise many kinds
                raise FilterError(f"not a valid WKT geography: {m.group('wkt')[:40]!r}") from None
        elif m.group("path"):
            result.equals[m.group("path")] = _literal(m.group("value"))
        expect_condition = bool(m.group("and"))
        pos = m.end()
    if expect_condition:
        raise FilterError("$filter ends with 'and'")
    return result


def _literal(token: str) -> Any:
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    lowered = token.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    return float(token) if "." in token else int(token)


# ---- paging ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paging:
    top: int = DEFAULT_TOP
    skip: int = 0
    count: bool = False


def paging(args: Mapping[str, str]) -> Paging:
    """$top (capped at MAX_TOP), $skip and $count from query arguments."""
    try:
        top, skip = (str(args.get(k, default)).strip() for k, default in (("$top", DEFAULT_TOP), ("$skip", 0)))
        if not (top.isascii() and skip.isascii()):  # int() reads other scripts' digits too
            raise ValueError
        top, skip = int(top), int(skip)
    except ValueError:
        raise FilterError("$top and $skip must be whole numbers") from None
    if top < 0 or skip < 0:
        raise FilterError("$top and $skip must not be negative")
    count = str(args.get("$count", "false")).lower()
    if count not in ("true", "false"):
        raise FilterError("$count must be true or false")
    return Paging(min(top, MAX_TOP), skip, count == "true")


def page(values: list[Any], total: int, paging_: Paging, url: str,
         args: Mapping[str, str]) -> dict[str, Any]:
    """A collection response: ``value``, ``@iot.count`` if asked, ``@iot.nextLink`` if more."""
    out: dict[str, Any] = {}
    if paging_.count:
        out["@iot.count"] = total
    if paging_.skip + paging_.top < total:
        query = {k: v for k, v in args.items() if k not in ("$top", "$skip")}
        query.update({"$top": paging_.top, "$skip": paging_.skip + paging_.top})
        out["@iot.nextLink"] = f"{url}?{urlencode(query, safe='$/,()')}"
    out["value"] = values
    return out
