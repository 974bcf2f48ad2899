"""Queries, part one: the filters of the map, list and exports, turned into SQL conditions
(PostGIS ``sensor.geom`` with its GiST index on PostgreSQL; the bounding-box columns on SQLite)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import and_, false, func, literal_column, or_, true
from sqlmodel import Session, col, select

import geo
from geo.places import Places, parse_latlon
from register.models import Sensor

from .records import theme_bits

SORTS = {"reference": Sensor.reference, "type": Sensor.sensor_type, "owner": Sensor.owner_name,
         "end_date": Sensor.end_date, "status": Sensor.status, "placed_on": Sensor.placed_on,
         "id": Sensor.id, "district": Sensor.district}


# ---- filters and geometry in SQL ----------------------------------------------------------------

def _yes_no(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    value = str(value).strip().lower()
    if value in ("true", "1", "yes", "ja"):
        return True
    if value in ("false", "0", "no", "nee"):
        return False
    raise ValueError(value)


@dataclass
class Filters:
    """The map's, list's and exports' filters.  Expired and removed sensors are left out unless
    ``include_expired`` or a ``status`` is asked for."""

    sensor_type: list[str] = field(default_factory=list)
    theme: list[str] = field(default_factory=list)
    owner_kind: list[str] = field(default_factory=list)
    personal_data: bool | None = None
    mobile: bool | None = None
    status: str | None = None
    include_expired: bool = False
    organisation_id: int | None = None
    sensor: list[int] = field(default_factory=list)  # particular sensors, by id
    district: list[str] = field(default_factory=list)  # stadsdelen (geo.places)
    near: tuple[float, float] | None = None  # (lat, lon): within ``radius`` metres of a place
    radius: int = 300

    @classmethod
    def from_args(cls, args) -> tuple[Filters, dict[str, str]]:
        """Read filters from a query-string MultiDict (``getlist``); unknown values are errors."""
        errors: dict[str, str] = {}
        getlist = args.getlist if hasattr(args, "getlist") else \
            (lambda k: [v for v in ([args[k]] if isinstance(args.get(k), str) else args.get(k) or [])])
        out = cls()
        for name, vocab in (("sensor_type", geo.SENSOR_TYPES), ("theme", geo.THEMES),
                            ("owner_kind", geo.OWNER_KINDS)):
            values = [v for raw in getlist(name) for v in str(raw).split(",") if v.strip()]
            bad = [v for v in values if v not in vocab]
            if bad:
                errors[name] = bad[0]
            setattr(out, name, [v for v in values if v in vocab])
        for name in ("personal_data", "mobile"):
            values = getlist(name)
            try:
                parsed = {_yes_no(v) for v in values} - {None}
            except ValueError as bad:
                errors[name] = str(bad)
                continue
            setattr(out, name, parsed.pop() if len(parsed) == 1 else None)  # both ticked: no filter
        status = (getlist("status") or [None])[0]
        if status:
            if status in geo.STATUSES:
                out.status = status
            else:
                errors["status"] = status
        ids = [v for raw in getlist("sensor") for v in str(raw).split(",") if v.strip()]
        if any(not v.strip().isdigit() for v in ids):
            errors["sensor"] = next(v for v in ids if not v.strip().isdigit())
        out.sensor = [int(v) for v in ids if v.strip().isdigit()]
        names = {n.casefold(): n for n in Places.default().names}
        for name in (v.strip() for given in getlist("district") for v in str(given).split(",") if v.strip()):
            if name.casefold() in names:
                out.district.append(names[name.casefold()])
            else:
                errors["district"] = name
        near = (getlist("near") or [None])[0]
        if near:
            try:
                out.near = parse_latlon(near)
            except ValueError:
                errors["near"] = near
        radius = (getlist("radius") or [None])[0]
        if radius:
            if str(radius).isdigit() and 10 <= int(radius) <= 5000:
                out.radius = int(radius)
            else:
                errors["radius"] = radius
        try:
            out.include_expired = bool(_yes_no((getlist("include_expired") or [None])[0]))
        except ValueError as bad:
            errors["include_expired"] = str(bad)
        return out, errors

    def query_args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for links that keep them)."""
        out: dict[str, Any] = {}
        for name in ("sensor_type", "theme", "owner_kind"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        for name in ("personal_data", "mobile"):
            if getattr(self, name) is not None:
                out[name] = "true" if getattr(self, name) else "false"
        if self.status:
            out["status"] = self.status
        if self.include_expired:
            out["include_expired"] = "true"
        if self.sensor:
            out["sensor"] = [str(i) for i in self.sensor]
        if self.district:
            out["district"] = list(self.district)
        if self.near:
            out["near"] = f"{self.near[0]:.6f},{self.near[1]:.6f}"
            if self.radius != 300:
                out["radius"] = str(self.radius)
        return out

    @property
    def by_place(self) -> bool:
        """Filters the map's in-memory index does not hold (they are answered in SQL)."""
        return bool(self.district or self.near or self.organisation_id is not None or self.sensor)

    def near_bbox(self) -> tuple[float, float, float, float] | None:
        if not self.near:
            return None
        lat, lon = self.near
        dlat = self.radius / 111_200
        dlon = self.radius / (111_200 * math.cos(math.radians(lat)))
        return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def bbox_condition(session: Session, bbox: tuple[float, float, float, float]):
    """Sensors whose point or mobile area's bounding box meets the box (west, south, east, north)."""
    w, s, e, n = bbox
    if is_postgres(session):  # && : bounding boxes overlap, answered from the GiST index
        return literal_column("sensor.geom").op("&&")(func.ST_MakeEnvelope(w, s, e, n, 4326))
    # SQLite: fixed sensors by their point (an index range), mobile ones by bounding-box overlap.
    return or_(and_(Sensor.mobile == false(), Sensor.min_lon.between(w, e), Sensor.min_lat.between(s, n)),
               and_(Sensor.mobile == true(), Sensor.min_lon <= e, Sensor.max_lon >= w,
                    Sensor.min_lat <= n, Sensor.max_lat >= s))


def intersects_condition(session: Session, geometry: shapely.Geometry):
    """On PostgreSQL the exact test; on SQLite the bounding-box test (refine with ``exact_filter``)."""
    if is_postgres(session):
        return func.ST_Intersects(literal_column("sensor.geom"),
                                  func.ST_GeomFromText(shapely.to_wkt(geometry), 4326))
    return bbox_condition(session, geometry.bounds)


def conditions(session: Session, filters: Filters | None = None, *, bbox=None,
               today: dt.date | None = None) -> list:
    filters = filters or Filters()
    today = today or dt.date.today()
    out = []
    if filters.sensor_type:
        out.append(col(Sensor.sensor_type).in_(filters.sensor_type))
    if filters.owner_kind:
        out.append(col(Sensor.owner_kind).in_(filters.owner_kind))
    if filters.theme:
        out.append(Sensor.theme_bits.op("&")(theme_bits(filters.theme)) != 0)
    if filters.personal_data is not None:
        out.append(Sensor.personal_data == (true() if filters.personal_data else false()))
    if filters.mobile is not None:
        out.append(Sensor.mobile == (true() if filters.mobile else false()))
    if filters.organisation_id is not None:
        out.append(Sensor.organisation_id == filters.organisation_id)
    if filters.sensor:
        out.append(col(Sensor.id).in_(filters.sensor))
    if filters.status:
        out.append(Sensor.status == filters.status)
    elif not filters.include_expired and not filters.sensor:
        out.append(Sensor.end_date >= today)
        out.append(Sensor.status != "removed")
    if filters.district:
        out.append(col(Sensor.district).in_(filters.district))
    if filters.near:
        out.append(bbox_condition(session, filters.near_bbox()))
    if bbox is not None:
        out.append(bbox_condition(session, bbox))
    return out


def count(session: Session, filters: Filters | None = None, *, bbox=None, today=None) -> int:
    return session.exec(select(func.count()).select_from(Sensor)
                        .where(*conditions(session, filters, bbox=bbox, today=today))).one()
