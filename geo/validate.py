"""Validating one sensor record, field by field, with messages a registrant understands.

``validate_sensor`` takes what a form, the API or an import row gives (loose types, Dutch or
English vocabulary labels, coordinates in WGS84 or RD New) and returns a clean record plus
errors keyed by field name.  The same function serves the portal form, the API and every
import format, so a mistake gets the same message wherever it is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import shapely
from shapely.geometry import Point

from . import values as v
from .boundary import Boundary, Districts
from .crs import CoordinateError, to_wgs84, wgs84_to_rd
from .geometry import (
    GeometryError,
    clean_polygonal,
    ensure_wgs84,
    parse_areas,
    parse_geometry,
    rounded,
    to_geojson,
)
from .messages import message
from .vocab import (
    LEGAL_GROUNDS,
    MAX_THEMES,
    OTHER_TYPE,
    OWNER_KINDS,
    SENSOR_TYPES,
    STATUSES,
    THEMES,
)

#: Fields of a clean sensor record, in display order.
SENSOR_FIELDS = (
    "reference", "owner_name", "owner_kind", "contact_name", "contact_email", "contact_phone",
    "contact_is_organisational", "sensor_type", "sensor_type_other", "themes", "measures",
    "purpose", "personal_data", "legal_ground", "privacy_statement_url", "retention_days",
    "processed_on_device", "anonymised", "aggregated", "open_data", "open_data_url", "mobile",
    "geometry", "lon", "lat", "bbox", "area_names", "location_description", "field_of_view",
    "placed_on", "end_date", "last_confirmed", "status", "remarks", "project",
)

#: Fields that identify a person and never leave the register publicly (see features.py).
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")

MAX_LENGTH = {"reference": 100, "owner_name": 200, "contact_name": 200, "contact_phone": 40,
              "sensor_type_other": 200, "measures": 500, "purpose": 1000,
              "location_description": 500, "remarks": 2000, "project": 200}

#: How far (metres) a camera's field of view may start from the camera itself.
FOV_MAX_DISTANCE_M = 100


class _Collector:
    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.errors: dict[str, str] = {}

    def add(self, field: str, code: str, **params: Any) -> None:
        self.errors.setdefault(field, message(code, self.locale, **params))


def _choice(vocab, raw, field, err) -> str | None:
    if v.is_blank(raw):
        return None
    term = vocab.lookup(str(raw))
    if term is None:
        err.add(field, "unknown_choice", value=str(raw).strip())
        return None
    return term.code


def _convert(func, raw, field, err):
    try:
        return func(raw)
    except (v.ValueProblem, CoordinateError, GeometryError) as problem:
        err.add(field, problem.code, **problem.params)
        return None


def _themes(raw, err) -> list[str]:
    items = raw if isinstance(raw, (list, tuple)) else ([] if v.is_blank(raw) else
                                                        str(raw).split(";"))
    codes: list[str] = []
    for item in items:
        code = _choice(THEMES, item, "themes", err)
        if code and code not in codes:
            codes.append(code)
    if not codes and "themes" not in err.errors:
        err.add("themes", "themes_required")
    elif len(codes) > MAX_THEMES:
        err.add("themes", "too_many_themes", max=MAX_THEMES)
    return codes


def _location(data: Mapping, clean: dict, err: _Collector, boundary: Boundary,
              districts: Districts) -> None:
    mobile = _convert(v.yes_no, data.get("mobile"), "mobile", err)
    point = area = None
    geom = _convert(parse_geometry, data.get("geometry"), "geometry", err)
    if geom is not None:
        geom = _convert(lambda g: ensure_wgs84(g, data.get("crs")), geom, "geometry", err)
    if geom is not None and geom.geom_type == "Point":
        point = geom
    elif geom is not None:
        area = _convert(clean_polygonal, geom, "geometry", err)
    lat_raw = data.get("lat", data.get("y"))
    lon_raw = data.get("lon", data.get("x"))
    if point is None and not (v.is_blank(lat_raw) and v.is_blank(lon_raw)):
        lonlat = _convert(lambda _: to_wgs84(lon_raw, lat_raw, data.get("crs")), None,
                          "geometry", err)
        point = Point(lonlat) if lonlat else None
    names: list[str] = []
    areas_raw = data.get("areas")
    if v.is_blank(areas_raw) or areas_raw == []:
        areas_raw = data.get("area_names")  # our own exports call the district names so
    if area is None and not (v.is_blank(areas_raw) or areas_raw == []):
        found = _convert(lambda a: parse_areas(a, districts), areas_raw, "areas", err)
        if found:
            area, names = found
    if mobile is None:
        mobile = area is not None and point is None
    if "geometry" in err.errors or "areas" in err.errors:
        return
    if mobile and area is None:
        return err.add("areas", "area_required")
    if not mobile and point is None:
        return err.add("geometry", "fixed_needs_point" if area is not None else
                       "location_required")
    shape = area if mobile else point
    if not boundary.contains(shape):
        return err.add("geometry", "outside_boundary", boundary=boundary.name or (
                       "the municipality" if err.locale == "en" else "de gemeente"))
    shape = rounded(shape)
    rep = shape if shape.geom_type == "Point" else shapely.point_on_surface(shape)
    clean.update(mobile=mobile, geometry=to_geojson(shape), lon=round(rep.x, 7),
                 lat=round(rep.y, 7), bbox=[round(c, 7) for c in shape.bounds],
                 area_names=names)
    _field_of_view(data.get("field_of_view"), clean, err, point if not mobile else None)


def _field_of_view(raw, clean: dict, err: _Collector, point: Point | None) -> None:
    fov = _convert(parse_geometry, raw, "field_of_view", err)
    if fov is None:
        return
    if clean.get("sensor_type") != "camera" or point is None:
        return err.add("field_of_view", "fov_not_camera")
    fov = _convert(lambda g: clean_polygonal(ensure_wgs84(g)), fov, "field_of_view", err)
    if fov is None:
        return
    x, y = wgs84_to_rd(point.x, point.y)
    fx, fy = wgs84_to_rd(*shapely.get_coordinates(fov).T)
    rd_fov = shapely.polygons(shapely.linearrings(list(zip(fx, fy)))) if \
        fov.geom_type == "Polygon" else shapely.convex_hull(shapely.multipoints(list(zip(fx, fy))))
    if rd_fov.distance(Point(x, y)) > FOV_MAX_DISTANCE_M:
        return err.add("field_of_view", "fov_far", max=FOV_MAX_DISTANCE_M)
    clean["field_of_view"] = to_geojson(rounded(fov))


def validate_sensor(data: Mapping[str, Any], *, boundary: Boundary | None = None,
                    locale: str = "nl", districts: Districts | None = None,
                    today: dt.date | None = None) -> tuple[dict, dict[str, str]]:
    """Check one sensor record; return (clean record, {field: message}).

    ``data`` may use vocabulary codes or their Dutch or English labels, 'Ja'/'Nee', dates as
    dd-mm-jjjj, themes as a list or ';'-separated text, and the location as ``geometry``
    (GeoJSON/WKT Point, or a (multi)polygon for a mobile sensor), ``lat``/``lon`` (WGS84 or RD
    New, detected), or ``areas`` (district names and/or WKT separated by ';').  The clean record
    has the keys of ``SENSOR_FIELDS``; it is meaningful only when the errors are empty.
    """
    boundary = boundary or Boundary.default()
    districts = districts or Districts.default()
    today = today or dt.date.today()
    err = _Collector(locale)
    clean: dict[str, Any] = dict.fromkeys(SENSOR_FIELDS)
    if data.get("id") is not None:
        clean["id"] = data["id"]
    for field, limit in MAX_LENGTH.items():
        clean[field] = _convert(v.text, data.get(field), field, err)
        if clean[field] and len(clean[field]) > limit:
            err.add(field, "too_long", max=limit)
    for field in ("reference", "measures", "purpose"):
        if clean[field] is None:
            err.add(field, "required")
    clean["owner_kind"] = _choice(OWNER_KINDS, data.get("owner_kind"), "owner_kind", err)
    clean["contact_email"] = _convert(v.email, data.get("contact_email"), "contact_email", err)
    organisational = _convert(v.yes_no, data.get("contact_is_organisational"),
                              "contact_is_organisational", err)
    clean["contact_is_organisational"] = bool(organisational)
    if organisational and clean["contact_email"] and v.is_personal_mailbox(clean["contact_email"]):
        err.add("contact_email", "personal_mailbox",
                domain=clean["contact_email"].rsplit("@", 1)[1])
    clean["sensor_type"] = _choice(SENSOR_TYPES, data.get("sensor_type"), "sensor_type", err)
    if clean["sensor_type"] is None and "sensor_type" not in err.errors:
        err.add("sensor_type", "required")
    if clean["sensor_type"] == OTHER_TYPE and not clean["sensor_type_other"]:
        err.add("sensor_type_other", "other_type_required")
    if clean["sensor_type"] != OTHER_TYPE:
        clean["sensor_type_other"] = None
    clean["themes"] = _themes(data.get("themes"), err)
    _personal_data(data, clean, err)
    clean["open_data"] = bool(_convert(v.yes_no, data.get("open_data"), "open_data", err))
    clean["open_data_url"] = _convert(v.url, data.get("open_data_url"), "open_data_url", err)
    if clean["open_data"] and not clean["open_data_url"] and "open_data_url" not in err.errors:
        err.add("open_data_url", "open_data_url_required")
    _location(data, clean, err, boundary, districts)
    _dates(data, clean, err, today)
    return clean, err.errors


def _personal_data(data: Mapping, clean: dict, err: _Collector) -> None:
    personal = _convert(v.yes_no, data.get("personal_data"), "personal_data", err)
    if personal is None and "personal_data" not in err.errors:
        err.add("personal_data", "required")
    clean["personal_data"] = personal
    if not personal:
        return  # legal ground, privacy statement and retention only apply to personal data
    clean["legal_ground"] = _choice(LEGAL_GROUNDS, data.get("legal_ground"), "legal_ground", err)
    if clean["legal_ground"] is None and "legal_ground" not in err.errors:
        err.add("legal_ground", "legal_ground_required")
    clean["privacy_statement_url"] = _convert(v.url, data.get("privacy_statement_url"),
                                              "privacy_statement_url", err)
    if not clean["privacy_statement_url"] and "privacy_statement_url" not in err.errors:
        err.add("privacy_statement_url", "privacy_statement_required")
    # Optional: the city's workbook has no retention column (issue 14).  Without it the sensor is
    # published with "niet opgegeven" and the owner is reminded (``missing_retention``).
    clean["retention_days"] = _convert(v.retention_days, data.get("retention_days"),
                                       "retention_days", err)
    for flag in ("processed_on_device", "anonymised", "aggregated"):
        clean[flag] = bool(_convert(v.yes_no, data.get(flag), flag, err))


def _dates(data: Mapping, clean: dict, err: _Collector, today: dt.date) -> None:
    for field in ("placed_on", "end_date", "last_confirmed"):
        clean[field] = _convert(v.date, data.get(field), field, err)
    if clean["end_date"] is None and "end_date" not in err.errors:
        err.add("end_date", "end_date_required")
    if clean["placed_on"] and clean["end_date"] and clean["end_date"] < clean["placed_on"]:
        err.add("end_date", "end_before_start")
    if clean["last_confirmed"] and clean["last_confirmed"] > today:
        err.add("last_confirmed", "confirmed_in_future")
    status = _choice(STATUSES, data.get("status"), "status", err)
    if status is None:
        status = "planned" if clean["placed_on"] and clean["placed_on"] > today else "active"
    clean["status"] = status


def missing_retention(sensor: Mapping[str, Any]) -> bool:
    """A sensor that processes personal data without saying how long the data is kept."""
    return bool(sensor.get("personal_data")) and sensor.get("retention_days") in (None, "")


def is_expired(sensor: Mapping[str, Any], today: dt.date | None = None) -> bool:
    """Past its end date: marked, and left off the map by default."""
    end = sensor.get("end_date")
    if isinstance(end, str):
        end = dt.date.fromisoformat(end[:10])
    return bool(end and end < (today or dt.date.today()))
