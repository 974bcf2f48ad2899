"""Organisation pages: who publishes what in the register, and how to reach them (issue 13)."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

import geo
from sqlalchemy import func
from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmVersion, Organisation
from register.models.sensor import Sensor
from register.services.listing import LISTED_STATES
from register.services.sensors import Filters, conditions

MAX_SENSORS = 20  # the page lists this many; all of them are on the map and in the sensor list


def slug(name: str) -> str:
    """``Gemeente Amsterdam`` → ``gemeente-amsterdam`` (stable: organisation names are unique)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "organisatie"


def by_slug(session: Session, value: str) -> Organisation | None:
    return next((o for o in session.exec(select(Organisation)) if slug(o.name) == value.lower()), None)


def publishing(session: Session) -> list[Organisation]:
    """Organisations with at least one listed algorithm or one sensor, by name."""
    with_algorithms = set(session.exec(select(Algorithm.organisation_id)
                                       .where(Algorithm.public_state.in_(LISTED_STATES))).all())
    with_sensors = set(session.exec(select(Sensor.organisation_id).where(*conditions(session, Filters()))).all())
    ids = with_algorithms | with_sensors
    return sorted((o for o in session.exec(select(Organisation)) if o.id in ids), key=lambda o: o.name)


def page(session: Session, organisation: Organisation, locale: str) -> dict:
    """What the organisation's page shows: its listed algorithms, its sensors and its contact."""
    algorithms = list(session.exec(select(Algorithm).where(Algorithm.organisation_id == organisation.id,
                                                           Algorithm.public_state.in_(LISTED_STATES))
                                   .order_by(Algorithm.name)))
    versions = [session.get(AlgorithmVersion, a.published_version_id) for a in algorithms]
    contacts = Counter(v.contact for v in versions if v is not None and v.contact)
    filters = Filters(organisation_id=organisation.id)
    where = conditions(session, filters)
    sensors = list(session.exec(select(Sensor).where(*where).order_by(Sensor.reference).limit(MAX_SENSORS)))
    per_type = session.exec(select(Sensor.sensor_type, func.count()).where(*where).group_by(Sensor.sensor_type)).all()
    sensor_total = sum(n for _type, n in per_type)
    types = dict(geo.SENSOR_TYPES.choices(locale))
    return {
        "organisation": {"name": organisation.name, "slug": slug(organisation.name), "website": organisation.website,
                         "contacts": [c for c, _n in contacts.most_common(3)]},
        "algorithms": [{"code": a.code, "name": a.name, "status": a.status, "public_state": a.public_state,
                        "description_short": a.description_short} for a in algorithms],
        "sensors": [{"id": s.id, "reference": s.reference, "sensor_type": s.sensor_type,
                     "sensor_type_label": types.get(s.sensor_type, s.sensor_type),
                     "personal_data": s.personal_data} for s in sensors],
        "sensor_total": sensor_total,
        "sensor_types": sorted(({"sensor_type": t, "label": types.get(t, t), "count": n} for t, n in per_type),
                               key=lambda row: -row["count"]),
    }
