"""The yearly Vendor Lock-in Index as published, and the register's own CPU measurements (issue 15).

* ``LockinIndex`` — one published year, frozen: the whole result (per entry, per domain, suppliers,
  change) is stored as it was computed, with the method version. It is never recomputed.
* ``CpuMeasurement`` — CPU seconds the register spent explaining decisions with a model version,
  summed per day and kind (``explanation``: one resident's explanation; ``receipt``: receipts made
  in a batch or through the API). Turned into energy and CO2e by ``services.costs``.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from register.models.accounts import utcnow

MEASUREMENT_KINDS = ("explanation", "receipt")


class LockinIndex(SQLModel, table=True):
    """One published year of the index (frozen)."""

    __tablename__ = "lockin_index"
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    method_version: str = Field(max_length=10)
    published_at: datetime = Field(default_factory=utcnow)
    result: dict = Field(default_factory=dict, sa_type=JSON)


class CpuMeasurement(SQLModel, table=True):
    """CPU time spent on explanations with one model version on one day."""

    __tablename__ = "cpu_measurement"
    __table_args__ = (UniqueConstraint("model_version_id", "kind", "day", name="uq_cpu_measurement"),)
    id: int | None = Field(default=None, primary_key=True)
    algorithm_id: int = Field(foreign_key="algorithm.id", index=True)
    model_version_id: int = Field(index=True)  # no FK: model versions are the explanations branch
    kind: str = Field(max_length=20)
    day: date
    count: int = 0
    cpu_seconds: float = 0.0
