"""The sensor register: owners' registrations with per-field validation and a public change
history, the queries behind the map, list, exports and SensorThings view, reports of missing
sensors, the relay to owners, reminders and expiry.

Sensor records are the plain dicts of ``geo`` (``geo.SENSOR_FIELDS`` plus ``id``); a table row
becomes one with ``record``.  Services take an explicit session and never touch the request.

Geometry queries: on PostgreSQL they use the PostGIS column ``sensor.geom`` (GiST index) with
``ST_Intersects``; on SQLite they use the bounding-box columns and their index (and shapely for
an exact test where one is needed).  Map clusters are counted in SQL on a fixed Web Mercator grid
(``mx``/``my``), so a viewport never loads every sensor.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from sqlalchemy import and_, false, func, literal_column, or_, true
from sqlmodel import Session, col, select

import geo
from geo.cluster import EARTH_CIRCUMFERENCE_M, STREET_ZOOM
from geo.features import map_feature
from register.i18n import N_, translator
from register.models import Membership, Organisation, Sensor, SensorChange, SensorMessage, SensorReport, User
from register.models.accounts import utcnow
from register.services import accounts, snapshots

#: Organisation.kind (the register's organisations) → the sensor vocabulary's owner kind.
OWNER_KIND = {"municipality": "municipality", "government": "other-government", "company": "company",
              "research": "research", "citizen": "citizen-initiative"}
#: Fields that identify a person: stored, never published, listed in the history without values.
PRIVATE_FIELDS = set(geo.CONTACT_FIELDS)
#: Fields an owner may set (the organisation decides owner_name and owner_kind).
EDITABLE_FIELDS = tuple(f for f in geo.SENSOR_FIELDS if f not in ("owner_name", "owner_kind", "lon", "lat",
                                                                   "bbox", "area_names"))
LOCATION_KEYS = ("geometry", "lat", "lon", "x", "y", "areas", "area_names", "crs")
REMINDER_DAYS = 30
UNCONFIRMED_DAYS = 365
MESSAGE_RETENTION_DAYS = 180
SORTS = {"reference": Sensor.reference, "type": Sensor.sensor_type, "owner": Sensor.owner_name,
         "end_date": Sensor.end_date, "status": Sensor.status, "placed_on": Sensor.placed_on,
         "id": Sensor.id}


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
    out.update(geometry=sensor.geometry, field_of_view=sensor.field_of_view, lon=sensor.lon, lat=sensor.lat)
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
    return out


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
        return out


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
    if bbox is not None:
        out.append(bbox_condition(session, bbox))
    return out


def count(session: Session, filters: Filters | None = None, *, bbox=None, today=None) -> int:
    return session.exec(select(func.count()).select_from(Sensor)
                        .where(*conditions(session, filters, bbox=bbox, today=today))).one()


# ---- the map ------------------------------------------------------------------------------------

_MAP_COLUMNS = (Sensor.id, Sensor.reference, Sensor.owner_name, Sensor.owner_kind, Sensor.sensor_type,
                Sensor.themes, Sensor.personal_data, Sensor.mobile, Sensor.status, Sensor.end_date,
                Sensor.lon, Sensor.lat, Sensor.geometry, Sensor.field_of_view)


def _map_records(session: Session, where) -> list[dict[str, Any]]:
    rows = session.exec(select(*_MAP_COLUMNS).where(*where).order_by(Sensor.id)).all()
    names = [c.key for c in _MAP_COLUMNS]
    return [dict(zip(names, row)) for row in rows]


def facet_counts(session: Session, where) -> dict[str, dict[str, int]]:
    """Counts per filter value among the sensors matching ``where`` (one grouped query)."""
    query = (select(Sensor.sensor_type, Sensor.owner_kind, Sensor.personal_data, Sensor.mobile,
                    Sensor.theme_bits, func.count())
             .where(*where).group_by(Sensor.sensor_type, Sensor.owner_kind, Sensor.personal_data,
                                     Sensor.mobile, Sensor.theme_bits))
    out = {"sensor_type": dict.fromkeys(geo.SENSOR_TYPES.codes, 0), "theme": dict.fromkeys(geo.THEMES.codes, 0),
           "owner_kind": dict.fromkeys(geo.OWNER_KINDS.codes, 0), "personal_data": {"true": 0, "false": 0},
           "mobile": {"true": 0, "false": 0}}
    codes = geo.THEMES.codes
    for stype, kind, personal, mobile, bits, n in session.exec(query):
        if stype in out["sensor_type"]:
            out["sensor_type"][stype] += n
        if kind in out["owner_kind"]:
            out["owner_kind"][kind] += n
        out["personal_data"]["true" if personal else "false"] += n
        out["mobile"]["true" if mobile else "false"] += n
        for i, code in enumerate(codes):
            if bits & (1 << i):
                out["theme"][code] += n
    return out


def viewport(session: Session, *, bbox: tuple[float, float, float, float], zoom: int,
             filters: Filters | None = None, facets: bool = False, today: dt.date | None = None,
             street_zoom: int = STREET_ZOOM, cell_px: int = 64, max_individual: int = 200,
             max_features: int = 3000, url_template: str = "/sensors/{id}",
             cache: dict | None = None) -> dict[str, Any]:
    """What the map shows for a viewport: server-side clusters on a fixed Web Mercator grid or,
    zoomed in or when few are in view, the sensors themselves.  The same FeatureCollection shape
    as ``geo.SensorIndex.to_geojson``.

    With ``cache`` (a dict kept per app) the sensors' positions and filter fields are held in a
    ``geo.SensorIndex`` rebuilt when the register changes, so a city-wide view costs milliseconds
    instead of a grouped query over every sensor; without it (or to filter on an owner or on
    particular sensors) the clusters are counted in SQL."""
    today = today or dt.date.today()
    zoom = int(max(0, min(int(zoom), 22)))
    bbox = tuple(float(c) for c in bbox)
    if cache is not None and not (filters and (filters.organisation_id is not None or filters.sensor)):
        return _viewport_from_index(map_index(session, cache, today), bbox=bbox, zoom=zoom,
                                    filters=filters or Filters(), facets=facets, today=today,
                                    street_zoom=street_zoom, cell_px=cell_px, max_individual=max_individual,
                                    max_features=max_features, url_template=url_template)
    where = conditions(session, filters, bbox=bbox, today=today)
    clusters: list[dict[str, Any]] = []
    single_ids: list[int] | None = None
    if zoom >= street_zoom:
        total = session.exec(select(func.count()).select_from(Sensor).where(*where)).one()
        clustered = total > max_features
    else:
        clustered = True
        total = None
    if clustered:
        cell = cell_px * EARTH_CIRCUMFERENCE_M / (256 * 2 ** zoom)
        cx = func.floor(Sensor.mx / cell).label("cx")
        cy = func.floor(Sensor.my / cell).label("cy")
        rows = session.exec(select(func.count(), func.avg(Sensor.lon), func.avg(Sensor.lat), func.min(Sensor.lon),
                                   func.min(Sensor.lat), func.max(Sensor.lon), func.max(Sensor.lat),
                                   func.min(Sensor.id))
                            .where(*where).group_by(cx, cy)).all()
        total = sum(r[0] for r in rows)
        if total <= max_individual:
            clustered = False
        else:
            single_ids = [r[7] for r in rows if r[0] == 1]
            clusters = [{"lon": round(float(r[1]), 6), "lat": round(float(r[2]), 6), "count": int(r[0]),
                         "bbox": [round(float(v), 6) for v in r[3:7]]} for r in rows if r[0] > 1]
            clusters.sort(key=lambda c: (-c["count"], c["lon"], c["lat"]))
    if clustered:
        records = _map_records(session, [col(Sensor.id).in_(single_ids)]) if single_ids else []
    else:
        records = _map_records(session, where)
    step = 2 if zoom < 14 else 1
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [c["lon"], c["lat"]]},
                 "properties": {"cluster": True, "count": c["count"], "bbox": c["bbox"],
                                "expansion_zoom": min(zoom + step, 22)}} for c in clusters]
    features.extend(map_feature(r, today=today, url_template=url_template) for r in records)
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features, "bbox": list(bbox), "zoom": zoom,
                           "total": int(total), "clustered": clustered}
    if facets:
        out["facets"] = facet_counts(session, where)
    return out


def map_index(session: Session, cache: dict, today: dt.date) -> geo.SensorIndex:
    """The cached index of every sensor for the map; rebuilt when a sensor is added or changed,
    and each day (expiry depends on the date)."""
    # Both maxima come from indexes (a count would scan every row on PostgreSQL); sensors are never
    # deleted, so a new one raises max(id) and any change raises max(updated_at).
    key = (*session.exec(select(func.max(Sensor.id), func.max(Sensor.updated_at))).one(), today)

    def build() -> geo.SensorIndex:
        names = [c.key for c in _MAP_COLUMNS]
        rows = session.exec(select(*_MAP_COLUMNS, Sensor.min_lon, Sensor.min_lat, Sensor.max_lon, Sensor.max_lat)
                            .order_by(Sensor.id)).all()
        return geo.SensorIndex([dict(zip(names, row[:len(names)]), bbox=tuple(float(v) for v in row[len(names):]))
                                for row in rows], today=today)
    return snapshots.current(cache, "sensor_index", key, build)


def _viewport_from_index(index: geo.SensorIndex, *, bbox, zoom: int, filters: Filters, facets: bool,
                         today: dt.date, street_zoom: int, cell_px: int, max_individual: int, max_features: int,
                         url_template: str) -> dict[str, Any]:
    mask = index.filter_mask(sensor_type=filters.sensor_type or None, theme=filters.theme or None,
                             owner_kind=filters.owner_kind or None, personal_data=filters.personal_data,
                             mobile=filters.mobile, status=filters.status, include_expired=filters.include_expired)
    view = index.query(bbox, zoom, mask=mask, street_zoom=street_zoom, cell_px=cell_px,
                       max_individual=max_individual, max_features=max_features)
    return index.to_geojson(view, feature=lambda r: map_feature(r, today=today, url_template=url_template),
                            facets=facets, mask=mask)


# ---- lists and exports --------------------------------------------------------------------------

def page(session: Session, filters: Filters | None = None, *, bbox=None, sort: str = "reference",
         descending: bool = False, page_number: int = 1, page_size: int = 20,
         today: dt.date | None = None) -> dict[str, Any]:
    """One page of sensors for the accessible table, with the total and facet counts."""
    where = conditions(session, filters, bbox=bbox, today=today)
    total = session.exec(select(func.count()).select_from(Sensor).where(*where)).one()
    pages = max(1, math.ceil(total / page_size))
    page_number = max(1, min(page_number, pages))
    key = SORTS.get(sort, Sensor.reference)
    order = [col(key).desc() if descending else col(key).asc(), col(Sensor.id).asc()]
    rows = session.exec(select(Sensor).where(*where).order_by(*order)
                        .offset((page_number - 1) * page_size).limit(page_size)).all()
    return {"total": total, "page": page_number, "pages": pages, "items": rows,
            "facets": facet_counts(session, where)}


def iter_records(session: Session, filters: Filters | None = None, *, bbox=None, today=None,
                 chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """Every matching sensor as a record, in id order, read in chunks (for exports)."""
    where = conditions(session, filters, bbox=bbox, today=today)
    last = 0
    while True:
        rows = session.exec(select(Sensor).where(*where, Sensor.id > last).order_by(Sensor.id).limit(chunk)).all()
        if not rows:
            return
        for row in rows:
            yield record(row)
        last = rows[-1].id
        session.expunge_all()


def export(session: Session, fmt: str, filters: Filters | None = None, *, bbox=None, locale: str = "nl",
           site_url: str = "") -> bytes:
    """The open-data export as bytes: ``geojson``, ``csv`` or ``gpkg`` (public fields only)."""
    sensors = iter_records(session, filters, bbox=bbox)
    if fmt == "geojson":
        return geo.to_geojson(sensors, locale=locale, url_template=f"{site_url}/sensors/{{id}}")
    if fmt == "csv":
        return geo.to_csv(sensors, locale=locale)
    if fmt == "gpkg":
        return geo.to_geopackage(sensors)
    raise ValueError(f"unknown export format {fmt!r}")


def iter_export(session: Session, fmt: str, filters: Filters | None = None, *, bbox=None, locale: str = "nl",
                site_url: str = "") -> Iterator[str]:
    """GeoJSON or CSV as text chunks, for streaming a large export."""
    sensors = iter_records(session, filters, bbox=bbox)
    if fmt == "geojson":
        return geo.iter_geojson(sensors, locale=locale, url_template=f"{site_url}/sensors/{{id}}")
    if fmt == "csv":
        return geo.iter_csv(sensors, locale=locale)
    raise ValueError(fmt)


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
    """Owners to remind: sensors ending within 30 days, or not confirmed for a year."""
    today = today or dt.date.today()
    soon = today + dt.timedelta(days=REMINDER_DAYS)
    stale = today - dt.timedelta(days=UNCONFIRMED_DAYS)
    confirmed = func.coalesce(Sensor.last_confirmed, Sensor.placed_on)
    rows = session.exec(select(Sensor).where(Sensor.status != "removed", or_(
        and_(Sensor.end_date >= today, Sensor.end_date <= soon),
        and_(Sensor.end_date >= today, or_(confirmed < stale, confirmed.is_(None)))))
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
        entry["sensors"].append({"id": sensor.id, "reference": sensor.reference, "end_date": sensor.end_date,
                                 "last_confirmed": sensor.last_confirmed, "reasons": reasons})
    return list(by_org.values())


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


def owned_sensors(session: Session, user: User, *, page_number: int = 1, page_size: int = 50) -> dict[str, Any]:
    """The sensors of the account's organisations, for the portal."""
    ids = [o.id for o in organisations_for(session, user)]
    where = [col(Sensor.organisation_id).in_(ids)] if ids else [false()]
    total = session.exec(select(func.count()).select_from(Sensor).where(*where)).one()
    pages = max(1, math.ceil(total / page_size))
    page_number = max(1, min(page_number, pages))
    rows = session.exec(select(Sensor).where(*where).order_by(Sensor.owner_name, Sensor.reference)
                        .offset((page_number - 1) * page_size).limit(page_size)).all()
    return {"total": total, "page": page_number, "pages": pages, "items": rows}
