"""Queries, part two: what the map shows for a viewport — clusters counted on a fixed Web
Mercator grid (``mx``/``my``), so a viewport never loads every sensor — from the in-memory
``geo.SensorIndex`` when the app keeps one, else in SQL."""
from __future__ import annotations

import datetime as dt
import logging
import threading
import weakref
from typing import Any

import numpy as np
from sqlalchemy import and_, func, or_, true
from sqlmodel import Session, col, select

import geo
from geo.cluster import EARTH_CIRCUMFERENCE_M, STREET_ZOOM
from geo.cluster_updates import apply_changes, positions, with_date
from geo.features import area_key, map_feature
from geo.geometry import for_zoom
from register.models import Sensor

from .filters import Filters, conditions

# ---- the map ------------------------------------------------------------------------------------

#: At street zoom the sensors are shown one by one up to this many in view; a denser view (2,600
#: sensors around the Dam at zoom 17 in a city of 100,000) is clustered, one zoom step more shows
#: them.  About 300 bytes a sensor: a street view stays under 300 KB before compression (issue 16).
MAX_FEATURES = 800

_MAP_COLUMNS = (Sensor.id, Sensor.reference, Sensor.owner_name, Sensor.owner_kind, Sensor.sensor_type,
                Sensor.themes, Sensor.personal_data, Sensor.mobile, Sensor.status, Sensor.end_date,
                Sensor.lon, Sensor.lat, Sensor.geometry, Sensor.field_of_view, Sensor.updated_at)


def _with_area_id(record: dict[str, Any]) -> dict[str, Any]:
    """A mobile sensor's record carries its area's key, worked out once (see ``area``)."""
    if record.get("mobile") and record.get("geometry"):
        record["area_id"] = area_key(record["geometry"])
    return record


def _map_records(session: Session, where) -> list[dict[str, Any]]:
    rows = session.exec(select(*_MAP_COLUMNS).where(*where).order_by(Sensor.id)).all()
    names = [c.key for c in _MAP_COLUMNS]
    return [_with_area_id(dict(zip(names, row))) for row in rows]


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
             max_features: int = MAX_FEATURES, url_template: str = "/sensors/{id}",
             cache: dict | None = None) -> dict[str, Any]:
    """What the map shows for a viewport: server-side clusters on a fixed Web Mercator grid or,
    zoomed in or when few are in view, the sensors themselves.  The same FeatureCollection shape
    as ``geo.SensorIndex.to_geojson``.  A mobile sensor's area is named by ``area_id``; the map
    asks for each area once (``area``).

    With ``cache`` (a dict kept per app) the sensors' positions and filter fields are held in a
    ``geo.SensorIndex`` rebuilt when the register changes, so a city-wide view costs milliseconds
    instead of a grouped query over every sensor; without it (or to filter on an owner or on
    particular sensors) the clusters are counted in SQL."""
    today = today or dt.date.today()
    zoom = int(max(0, min(int(zoom), 22)))
    bbox = tuple(float(c) for c in bbox)
    if cache is not None and not (filters and filters.by_place):
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
    out["matching"] = session.exec(select(func.count()).select_from(Sensor)
                                   .where(*conditions(session, filters, today=today))).one()
    return out


def _index_records(session: Session, where=()) -> list[dict[str, Any]]:
    names = [c.key for c in _MAP_COLUMNS]
    rows = session.exec(select(*_MAP_COLUMNS, Sensor.min_lon, Sensor.min_lat, Sensor.max_lon, Sensor.max_lat)
                        .where(*where).order_by(Sensor.id)).all()
    return [_with_area_id(dict(zip(names, row[:len(names)]), bbox=tuple(float(v) for v in row[len(names):])))
            for row in rows]


#: Writes in other processes stamp ``updated_at`` with their own clock and may commit a moment
#: after a later stamp was seen; changes this close to the last one seen are read again.
CLOCK_SLACK = dt.timedelta(seconds=2)
_index_lock = threading.Lock()


def map_index(session: Session, cache: dict, today: dt.date) -> geo.SensorIndex:
    """The app's index of every sensor for the map, kept current without rebuilding it: sensors
    added or changed since it was last seen are laid into it, and the expiry flags follow the date
    (issue 14).  Built in full only the first time (see ``warm_map_index``).

    With ``cache["wait"]`` (a served app, issue 16) a change is laid in by a background thread with
    its own session while the old copy keeps answering: a request waits for it at most that many
    seconds."""
    # Both maxima come from indexes (a count would scan every row on PostgreSQL); sensors are never
    # deleted, so a new one raises max(id) and any change raises max(updated_at). One sub-select
    # each: SQLite reads a maximum from its index only when it is the query's sole aggregate
    # (both in one SELECT scanned every row: 30 ms a request at 100,000 sensors).
    max_id, max_at = session.exec(select(select(func.max(Sensor.id)).scalar_subquery(),
                                         select(func.max(Sensor.updated_at)).scalar_subquery())).one()
    entry = cache.get("sensor_index")
    if entry is not None and entry[1:] == (max_id, max_at, today):
        return entry[0]
    wait = cache.get("wait")
    if entry is not None and wait is not None:
        _update_in_background(session.get_bind(), cache, today).wait(float(wait))
        return cache["sensor_index"][0]  # the updated copy, or the old one while it is being updated
    return update_map_index(session, cache, today, max_id, max_at)


def update_map_index(session: Session, cache: dict, today: dt.date, max_id=None, max_at=None) -> geo.SensorIndex:
    """Bring the map index up to date now, in this thread (the start-up warm-up and the cache keeper)."""
    if max_id is None and max_at is None:
        max_id, max_at = session.exec(select(func.max(Sensor.id), func.max(Sensor.updated_at))).one()
    with _index_lock:
        entry = cache.get("sensor_index")
        if entry is not None and entry[1:] == (max_id, max_at, today):
            return entry[0]
        if entry is None:
            index = geo.SensorIndex(_index_records(session), today=today)
        else:
            index, seen_id, seen_at, seen_day = entry
            if seen_day != today:
                index = with_date(index, today)
            if (max_id, max_at) != (seen_id, seen_at):
                index = apply_changes(index, _changed_since(session, index, seen_id, seen_at), today=today)
        cache["sensor_index"] = (index, max_id, max_at, today)
        return index


_job_lock = threading.Lock()


def _update_in_background(engine, cache: dict, today: dt.date) -> threading.Event:
    """The running background update of the map index (its ``done`` event), or a new one."""
    with _job_lock:
        done = cache.get("update_job")
        if done is not None and not done.is_set():
            return done
        done = cache["update_job"] = threading.Event()

    def run() -> None:
        try:
            with Session(engine) as session:
                update_map_index(session, cache, today)
        except Exception:
            logging.getLogger(__name__).warning("sensor map index not updated", exc_info=True)
        finally:
            done.set()
    threading.Thread(target=run, name="stadsregister-map-index", daemon=True).start()
    return done


def _changed_since(session: Session, index: geo.SensorIndex, seen_id, seen_at) -> list[dict[str, Any]]:
    """Sensors added after ``seen_id`` or stamped since ``seen_at`` (less the slack) whose stamp
    differs from the one the index holds: only those rows are read in full."""
    since = [Sensor.id > (seen_id or 0)]
    if seen_at is not None:  # rows stamped exactly ``seen_at`` were committed together with it: seen
        since.append(and_(Sensor.updated_at >= seen_at - CLOCK_SLACK, Sensor.updated_at != seen_at))
    where = positions(index)
    stamps = session.exec(select(Sensor.id, Sensor.updated_at).where(or_(*since))).all()
    ids = [i for i, at in stamps if i not in where or index.sensors[where[i]].get("updated_at") != at]
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        out.extend(_index_records(session, [col(Sensor.id).in_(ids[start:start + 500])]))
    return out


def area(session: Session, area_id: str, zoom: int, *, cache: dict | None = None) -> dict[str, Any] | None:
    """The area of mobile sensors whose ``area_id`` this is, simplified for ``zoom``; None if no
    sensor in the register has it.  From the map's index when the app keeps one."""
    if cache is not None:
        index = map_index(session, cache, dt.date.today())
        areas = cache.get("areas")
        if areas is None or areas[0]() is not index:  # a weak reference: an old index is not kept alive
            mobile = (index.sensors[i] for i in np.flatnonzero(index.mobile).tolist())
            areas = (weakref.ref(index), {r["area_id"]: r["geometry"] for r in mobile if r.get("area_id")})
            cache["areas"] = areas
        geometry = areas[1].get(area_id)
    else:
        rows = session.exec(select(Sensor.geometry).where(Sensor.mobile == true())).all()
        geometry = next((g for g in rows if g and area_key(g) == area_id), None)
    return for_zoom(geometry, zoom) if geometry else None


def warm_map_index(engine, cache: dict) -> None:
    """Build the index before the worker serves map requests (called when the app starts)."""
    with Session(engine) as session:
        map_index(session, cache, dt.date.today())


def map_counts(session: Session, filters: Filters | None = None, *, cache: dict | None = None,
             facets: bool = False, today: dt.date | None = None) -> dict[str, Any]:
    """How many sensors in the whole register match ``filters`` (``total``), and with ``facets``
    the counts per filter value: what the map page starts with.

    From the map's index when the app keeps one (``cache``): a pass over a few numpy arrays, the
    same at 1,000 sensors as at 100,000.  Without it, or for filters the index does not hold, in
    SQL — a count that reads every matching row (about 200 ms at 100,000 sensors on SQLite)."""
    today = today or dt.date.today()
    filters = filters or Filters()
    if cache is not None and not filters.by_place:
        index = map_index(session, cache, today)
        mask = _index_mask(index, filters)
        out: dict[str, Any] = {"total": int(np.count_nonzero(mask))}
        if facets:
            out["facets"] = index.facet_counts(mask)
        return out
    where = conditions(session, filters, today=today)
    out = {"total": session.exec(select(func.count()).select_from(Sensor).where(*where)).one()}
    if facets:
        out["facets"] = facet_counts(session, where)
    return out


def _index_mask(index: geo.SensorIndex, filters: Filters) -> np.ndarray:
    return index.filter_mask(sensor_type=filters.sensor_type or None, theme=filters.theme or None,
                             owner_kind=filters.owner_kind or None, personal_data=filters.personal_data,
                             mobile=filters.mobile, status=filters.status, include_expired=filters.include_expired)


def _viewport_from_index(index: geo.SensorIndex, *, bbox, zoom: int, filters: Filters, facets: bool,
                         today: dt.date, street_zoom: int, cell_px: int, max_individual: int, max_features: int,
                         url_template: str) -> dict[str, Any]:
    mask = _index_mask(index, filters)
    view = index.query(bbox, zoom, mask=mask, street_zoom=street_zoom, cell_px=cell_px,
                       max_individual=max_individual, max_features=max_features)
    out = index.to_geojson(view, feature=lambda r: map_feature(r, today=today, url_template=url_template),
                           facets=facets, mask=mask)
    out["matching"] = int(mask.sum())  # in the whole register, so the page's count follows the filters
    return out
