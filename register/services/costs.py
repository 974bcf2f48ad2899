"""Costs and footprint: what an algorithm costs per year, the energy it uses, and what the register
measures itself when it explains decisions (issue 15).

Declared figures are extension fields of the entry (``cost_*_eur``, ``energy_*_kwh``, each with
``_source`` — declared, invoiced or measured — and ``_year``) and go through the entry's four-eyes
workflow. For registered models the register measures CPU time around each explanation
(``time.process_time``) and turns it into energy and CO2e with this formula:

    energy (kWh) = CPU seconds × power per busy core (W) × PUE / 3,600,000
    CO2e (g)     = energy (kWh) × grid intensity (g CO2e/kWh)

with a central value and a low–high range from the ranges below. ``process_time`` counts the
whole server process, so with requests served at the same time a figure is an upper bound.
"""
from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmVersion
from register.models.footprint import CpuMeasurement
from register.services.standard import COST_FIGURES

log = logging.getLogger(__name__)

# (central, low, high)
WATTS_PER_CORE = (8.0, 4.0, 15.0)  # server CPU power divided by its cores, under load
PUE = (1.2, 1.1, 1.5)  # data centre overhead (power usage effectiveness)
# g CO2e per kWh of electricity generated in the Netherlands, life-cycle emissions (Ember's
# "emissions intensity", 268 g in 2023), ±20 % for the year-to-year and hour-to-hour spread.
GRID = (268.0, 214.0, 322.0)
GRID_YEAR = 2023
GRID_SOURCE = "Ember, Yearly Electricity Data, Netherlands (2023)"
GRID_SOURCE_URL = "https://ember-energy.org/data/yearly-electricity-data/"


def footprint(cpu_seconds: float) -> dict:
    """Energy (Wh) and CO2e (g) of ``cpu_seconds``, central and low–high."""
    def calc(i: int) -> tuple[float, float]:
        kwh = cpu_seconds * WATTS_PER_CORE[i] * PUE[i] / 3_600_000
        return kwh * 1000, kwh * GRID[i]
    (wh, g), (wh_low, g_low), (wh_high, g_high) = calc(0), calc(1), calc(2)
    return {"cpu_seconds": cpu_seconds, "energy_wh": wh, "energy_wh_low": wh_low, "energy_wh_high": wh_high,
            "co2e_g": g, "co2e_g_low": g_low, "co2e_g_high": g_high}


def method() -> dict:
    return {"watts_per_core": WATTS_PER_CORE, "pue": PUE, "grid_g_co2e_per_kwh": GRID, "grid_year": GRID_YEAR,
            "grid_source": GRID_SOURCE, "grid_source_url": GRID_SOURCE_URL,
            "grid_basis": "life-cycle g CO2e per kWh generated in the Netherlands", "timer": "time.process_time"}


def record(session: Session, *, algorithm_id: int, model_version_id: int, kind: str, count: int,
           cpu_seconds: float, day: date | None = None) -> None:
    """Add a measurement to the day's total, in a transaction of its own (never the caller's)."""
    day = day or date.today()
    with Session(session.get_bind()) as own:
        for _attempt in range(3):
            changed = own.execute(update(CpuMeasurement).where(
                CpuMeasurement.model_version_id == model_version_id, CpuMeasurement.kind == kind,
                CpuMeasurement.day == day).values(count=CpuMeasurement.count + count,
                                                  cpu_seconds=CpuMeasurement.cpu_seconds + cpu_seconds)).rowcount
            if not changed:
                own.add(CpuMeasurement(algorithm_id=algorithm_id, model_version_id=model_version_id, kind=kind,
                                       day=day, count=count, cpu_seconds=cpu_seconds))
            try:
                own.commit()
                return
            except IntegrityError:  # another process made the day's row first: add to it
                own.rollback()


FLUSH_SECONDS = 10.0  # a resident's explanation pays a database write at most this often per process
_pending: dict[tuple, list] = {}  # (engine, algorithm, model version, kind, day) -> [count, cpu s]
_state = {"flushed": 0.0}
_lock = threading.Lock()


def flush() -> None:
    """Write what this process measured since the last flush (also at exit)."""
    with _lock:
        pending = dict(_pending)
        _pending.clear()
        _state["flushed"] = time.monotonic()
    for (bind, algorithm_id, model_version_id, kind, day), (count, seconds) in pending.items():
        try:
            with Session(bind) as own:
                record(own, algorithm_id=algorithm_id, model_version_id=model_version_id, kind=kind,
                       count=count, cpu_seconds=seconds, day=day)
        except Exception:
            log.exception("could not record CPU time")


atexit.register(flush)


@contextmanager
def measured(session: Session, *, algorithm_id: int, model_version_id: int, kind: str, count: int = 1):
    """Measure the CPU time of the block; the sums per day are written at most every
    ``FLUSH_SECONDS`` per process, so a resident's page does not wait for a write each time.
    A failure to record never stops an explanation."""
    start = time.process_time()
    yield
    elapsed = time.process_time() - start
    key = (session.get_bind(), algorithm_id, model_version_id, kind, date.today())
    with _lock:
        slot = _pending.setdefault(key, [0, 0.0])
        slot[0] += count
        slot[1] += elapsed
        due = time.monotonic() - _state["flushed"] >= FLUSH_SECONDS
    if due:
        flush()


def entry_footprint(session: Session, algorithm_id: int) -> dict | None:
    """Measured CPU time and its footprint per explanation and per batch receipt; None if never measured."""
    rows = session.exec(select(CpuMeasurement).where(CpuMeasurement.algorithm_id == algorithm_id)).all()
    if not rows:
        return None
    result = {}
    for kind in ("explanation", "receipt"):
        mine = [r for r in rows if r.kind == kind]
        count, seconds = sum(r.count for r in mine), sum(r.cpu_seconds for r in mine)
        if count:
            result[kind] = {"count": count, "since": min(r.day for r in mine), "total": footprint(seconds),
                            "each": footprint(seconds / count)}
    return result | {"method": method()}


def figures(version: AlgorithmVersion) -> list[dict]:
    """The entry's declared costs and energy, each with source and year."""
    found = []
    for figure in COST_FIGURES:
        value = getattr(version, figure)
        if value is not None:
            stem = figure.rsplit("_", 1)[0]
            found.append({"figure": figure, "value": value, "unit": "EUR" if figure.endswith("_eur") else "kWh",
                          "source": getattr(version, stem + "_source"), "year": getattr(version, stem + "_year")})
    return found


def overview(session: Session) -> dict:
    """Declared yearly costs and energy, and measured energy, per domain (theme) and for the city."""
    rows = session.exec(select(Algorithm, AlgorithmVersion).join(
        AlgorithmVersion, AlgorithmVersion.id == Algorithm.published_version_id).where(
        Algorithm.public_state == "published")).all()
    measured_rows = session.exec(select(CpuMeasurement)).all()
    cpu = defaultdict(float)
    for row in measured_rows:
        cpu[row.algorithm_id] += row.cpu_seconds
    domains: dict[str, dict] = defaultdict(lambda: {"entries": 0, "with_figures": 0, **{f: 0 for f in COST_FIGURES},
                                                    "cpu_seconds": 0.0})
    city = {"entries": 0, "with_figures": 0, **{f: 0 for f in COST_FIGURES}, "cpu_seconds": 0.0}
    for algorithm, version in rows:
        stated = figures(version)
        for target in [city, *(domains[t] for t in dict.fromkeys(version.theme or []))]:
            target["entries"] += 1
            target["with_figures"] += bool(stated)
            target["cpu_seconds"] += cpu.get(algorithm.id, 0.0)
            for item in stated:
                target[item["figure"]] += item["value"]
    def finish(values: dict) -> dict:
        return values | {"measured": footprint(values["cpu_seconds"])}
    return {"city": finish(city), "domains": [{"domain": name} | finish(values) for name, values in sorted(domains.items())],
            "method": method()}
