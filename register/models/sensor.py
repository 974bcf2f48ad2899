"""Sensors in public space, their public change history, residents' reports and relay messages.

Geometry is stored portably: ``geometry`` (and ``field_of_view``) hold GeoJSON in WGS84, next to
the representative point (``lon``/``lat``), its Web Mercator position (``mx``/``my``, for
clustering the map on a fixed grid) and the bounding box (``min_lon`` … ``max_lat``) with an
index.  On PostgreSQL the migration adds a PostGIS column ``geom geometry(Geometry, 4326)``,
generated from ``geometry`` and indexed with GiST; it is not part of this model (the services
use it in SQL only), so the same code reads and writes both databases.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

REPORT_STATES = ("open", "registered", "rejected")


class Sensor(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("organisation_id", "reference", name="uq_sensor_reference"),
        Index("ix_sensor_bbox", "mobile", "min_lon", "min_lat", "max_lon", "max_lat"),
        Index("ix_sensor_district", "district", "neighbourhood"),
    )

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    reference: str = Field(max_length=100)
    owner_name: str = Field(max_length=200)
    owner_kind: str = Field(max_length=20, index=True)
    # Contact: shown publicly only when it is an organisational address (geo.features).
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=254)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_is_organisational: bool = False
    sensor_type: str = Field(max_length=20, index=True)
    sensor_type_other: str | None = Field(default=None, max_length=200)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    theme_bits: int = Field(default=0)  # bit i set = THEMES.codes[i], for filtering in SQL
    measures: str = Field(max_length=500)
    purpose: str = Field(sa_type=Text)
    personal_data: bool = Field(default=False, index=True)
    legal_ground: str | None = Field(default=None, max_length=30)
    privacy_statement_url: str | None = Field(default=None, sa_type=Text)
    retention_days: int | None = None
    processed_on_device: bool = False
    anonymised: bool = False
    aggregated: bool = False
    open_data: bool = False
    open_data_url: str | None = Field(default=None, sa_type=Text)
    mobile: bool = False
    geometry: dict = Field(sa_type=JSON)  # GeoJSON Point, or (Multi)Polygon for a mobile sensor
    field_of_view: dict | None = Field(default=None, sa_type=JSON)
    lon: float
    lat: float
    mx: float  # Web Mercator metres of (lon, lat)
    my: float
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float
    area_names: list[str] = Field(default_factory=list, sa_type=JSON)
    district: str | None = Field(default=None, max_length=60)  # stadsdeel of the point (geo.places)
    neighbourhood: str | None = Field(default=None, max_length=80)
    location_description: str | None = Field(default=None, max_length=500)
    placed_on: date | None = None
    end_date: date = Field(index=True)
    last_confirmed: date | None = None
    status: str = Field(default="active", max_length=20, index=True)
    expired_marked_on: date | None = None  # when the register noted that the end date passed
    remarks: str | None = Field(default=None, sa_type=Text)
    project: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class SensorChange(SQLModel, table=True):
    """One change to a sensor, shown publicly: when, by which organisation, which fields."""

    id: int | None = Field(default=None, primary_key=True)
    sensor_id: int = Field(foreign_key="sensor.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    action: str = Field(max_length=20)  # created, updated, expired, confirmed
    channel: str = Field(max_length=20)  # portal, api, import, system
    actor_organisation: str | None = Field(default=None, max_length=200)
    user_id: int | None = Field(default=None, foreign_key="user.id")  # not shown publicly
    # {field: [old, new]}; contact fields are listed as changed without their values.
    changes: dict = Field(default_factory=dict, sa_type=JSON)


class SensorReport(SQLModel, table=True):
    """A resident's report of a sensor that is not in the register (moderation queue)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    lon: float
    lat: float
    description: str = Field(sa_type=Text)
    state: str = Field(default="open", max_length=20, index=True)
    sensor_id: int | None = Field(default=None, foreign_key="sensor.id")
    handled_by: int | None = Field(default=None, foreign_key="user.id")
    handled_at: datetime | None = None
    note: str | None = Field(default=None, sa_type=Text)


class SensorMessage(SQLModel, table=True):
    """A resident's message to an owner whose contact address is not public (the relay).

    The owner reads it in the portal; the register never shows the owner's address to the
    sender, nor the sender's address to anyone but the owner.  Deleted after a retention period.
    """

    id: int | None = Field(default=None, primary_key=True)
    sensor_id: int = Field(foreign_key="sensor.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    sender_email: str = Field(max_length=254)
    body: str = Field(sa_type=Text)
    read_at: datetime | None = None
    emailed_at: datetime | None = None  # when the owner was told by e-mail (issue 14)
