"""Queries, part three: the accessible list, the owner's list in the portal, and the open-data
exports (read in chunks, public fields only)."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

from sqlalchemy import false, func
from sqlmodel import Session, col, select

import geo
from register.models import Sensor, User

from .filters import SORTS, Filters, conditions
from .mapindex import facet_counts
from .records import organisations_for, record

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
