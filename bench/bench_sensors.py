"""Benchmark of the app's own sensor map and exports at city scale, through the database.

Run: .venv/bin/python bench/bench_sensors.py [--sensors 100000] [--runs 100] [--skip-naive]
     [--postgres postgresql://postgres@127.0.0.1:5432/bench_sensors] [--skip-sqlite]

For SQLite (a temporary file) and PostGIS (the given database; its tables are emptied) it loads
the sensors, then prints: the viewport query through ``register.services.sensors.viewport``
(clusters counted in SQL, facet counts included, as the browser asks) and the whole
``/sensors.geojson`` request through Flask, at city, district and street zoom (median, p95);
the bytes of the first map view (page + Leaflet + first data response) against the naive folium
page with every sensor embedded; and export times (GeoJSON, CSV, GeoPackage).

``--index-only`` measures only the map's index (issue 14): cold (built at start-up, before a
worker serves map requests), warm (a viewport from it), and the first map view over HTTP after a
change to one sensor, and after an import that changes 1,000 — applied to the index, not rebuilt.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from sqlalchemy import insert, text
from sqlmodel import Session

import geo
from register import create_app, db
from register.models import Organisation, Sensor
from register.services import sensors as svc
from register.services.sensor_io import DEMO_OWNERS

SCREEN = (1280, 800)


def viewport(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    deg_per_px = 360 / (256 * 2 ** zoom)
    half_w = SCREEN[0] / 2 * deg_per_px
    half_h = SCREEN[1] / 2 * deg_per_px * math.cos(math.radians(lat))
    return lon - half_w, lat - half_h, lon + half_w, lat + half_h


def summarise(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   max {ms[-1]:7.2f} ms"


def load(app, sensors) -> None:
    engine = app.extensions["stadsregister.engine"]
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            session.execute(text("TRUNCATE sensorchange, sensormessage, sensorreport, sensor RESTART IDENTITY CASCADE"))
        else:
            for table in ("sensorchange", "sensormessage", "sensorreport", "sensor"):
                session.execute(text(f"DELETE FROM {table}"))
        session.commit()
        orgs = {}
        for name, kind in DEMO_OWNERS.items():
            org = session.exec(__import__("sqlmodel").select(Organisation).where(Organisation.name == name)).first()
            if org is None:
                org = Organisation(name=name, kind=kind)
                session.add(org)
                session.flush()
            orgs[name] = org
        session.commit()
        now = svc.utcnow() - dt.timedelta(hours=1)  # loaded before the visitors come
        rows = []
        for rec in sensors:
            org = orgs[rec["owner_name"]]
            values = svc.column_values(rec)
            values.update(id=rec["id"], organisation_id=org.id, owner_kind=svc.owner_kind(org), created_at=now,
                          updated_at=now, expired_marked_on=None)
            rows.append(values)
            if len(rows) == 5000:
                session.execute(insert(Sensor), rows)
                rows = []
        if rows:
            session.execute(insert(Sensor), rows)
        session.commit()
        session.execute(text("ANALYZE"))
        session.commit()


def bench_index(app, runs: int) -> None:
    """Cold, warm, and the first map view after a change, through the app's own cache."""
    engine = app.extensions["stadsregister.engine"]
    client = app.test_client()
    cache = app.extensions.setdefault("stadsregister.sensor_map", {})
    cache.clear()
    t0 = time.perf_counter()
    svc.warm_map_index(engine, cache)
    print(f"index cold (built at start-up, before serving): {time.perf_counter() - t0:.2f} s")
    city = "/sensors.geojson?bbox={:.6f},{:.6f},{:.6f},{:.6f}&zoom=12&facets=1".format(*viewport(4.9041, 52.3676, 12))
    warm = []
    for _ in range(max(10, runs // 4)):
        t0 = time.perf_counter()
        client.get(city)
        warm.append(time.perf_counter() - t0)
    print(f"first map view, warm index (HTTP):     {summarise(warm)}")
    after_one, after_many = [], []
    with Session(engine, expire_on_commit=False) as session:
        ids = [r[0] for r in session.execute(text("SELECT id FROM sensor WHERE mobile = false ORDER BY id LIMIT 1000"))]
        for i in range(5):
            sensor = session.get(Sensor, ids[i])
            svc.update_sensor(session, user=None, sensor=sensor, check_permission=False,
                              data={"lat": f"{52.36 + i / 1000:.4f}", "lon": "4.9000", "field_of_view": None})
            t0 = time.perf_counter()
            client.get(city)
            after_one.append(time.perf_counter() - t0)
        for _ in range(3):
            session.execute(text(f"UPDATE sensor SET updated_at = :now WHERE id IN ({','.join(map(str, ids))})"),
                            {"now": svc.utcnow()})
            session.commit()
            t0 = time.perf_counter()
            client.get(city)
            after_many.append(time.perf_counter() - t0)
    print(f"first map view after one sensor changed: {summarise(after_one)}")
    print(f"first map view after 1,000 changed:      {summarise(after_many)}")


def bench_db(label: str, url: str, sensors, runs: int, rng, index_only: bool = False) -> None:
    print(f"\n--- {label}: {url.split('@')[-1]}")
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATABASE_URL": url,
                      "DATA_DIR": tempfile.mkdtemp()})
    start = time.perf_counter()
    load(app, sensors)
    print(f"loaded {len(sensors):,} sensors in {time.perf_counter() - start:.1f} s")
    if index_only:
        bench_index(app, runs)
        app.extensions["stadsregister.engine"].dispose()
        return
    engine = app.extensions["stadsregister.engine"]
    client = app.test_client()
    centres = [(s["lon"], s["lat"]) for s in rng.choice(np.array(sensors, dtype=object), size=runs)]
    cache: dict = {}
    with Session(engine) as session:
        t0 = time.perf_counter()
        svc.map_index(session, cache, dt.date.today())
        print(f"map index (geo.SensorIndex of every sensor, rebuilt after a change): {time.perf_counter() - t0:.2f} s")
    print("viewport query: service with SQL clusters, service with the cached index (what /sensors.geojson "
          "serves), then the whole HTTP request:")
    for name, zoom, points in (("city zoom 12", 12, [(4.90, 52.36)] * max(10, runs // 4)),
                               ("district zoom 14", 14, centres),
                               ("street zoom 17", 17, centres)):
        svc_times, index_times, http_times, sizes, counts = [], [], [], [], []
        for lon, lat in points:
            bbox = viewport(lon, lat, zoom)
            with Session(engine) as session:
                t0 = time.perf_counter()
                data = svc.viewport(session, bbox=bbox, zoom=zoom, facets=True)
                svc_times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                svc.viewport(session, bbox=bbox, zoom=zoom, facets=True, cache=cache)
                index_times.append(time.perf_counter() - t0)
            counts.append(len(data["features"]))
            t0 = time.perf_counter()
            response = client.get("/sensors.geojson?bbox={:.6f},{:.6f},{:.6f},{:.6f}&zoom={}&facets=1".format(
                *bbox, zoom))
            http_times.append(time.perf_counter() - t0)
            sizes.append(len(response.data))
        print(f"  {name:17s} SQL     {summarise(svc_times)}")
        print(f"  {'':17s} index   {summarise(index_times)}")
        print(f"  {'':17s} HTTP    {summarise(http_times)}   features {int(np.median(counts))}   "
              f"{int(np.median(sizes)):,} bytes")
    page = client.get("/sensors").data
    leaflet = client.get("/static/vendor/leaflet/leaflet.js").data + \
        client.get("/static/vendor/leaflet/leaflet.css").data
    first = client.get("/sensors.geojson?bbox={:.6f},{:.6f},{:.6f},{:.6f}&zoom=12&facets=1".format(
        *viewport(4.9041, 52.3676, 12))).data
    total = page + leaflet + first
    print(f"first map view: page {len(page):,} + Leaflet {len(leaflet):,} + data {len(first):,} = "
          f"{len(total):,} bytes ({len(gzip.compress(total)):,} gzipped)")
    with Session(engine) as session:
        for fmt in ("geojson", "csv", "gpkg"):
            t0 = time.perf_counter()
            data = svc.export(session, fmt, svc.Filters(include_expired=True))
            print(f"export {fmt:8s} {time.perf_counter() - t0:6.2f} s   {len(data):,} bytes")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sensors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--index-only", action="store_true", help="only the map index: cold, warm, after a change")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/bench_sensors",
                        help="PostGIS database to use (its sensor tables are emptied); '' to skip")
    args, _unknown = parser.parse_known_args()
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    sensors = geo.generate_sensors(args.sensors, seed=2024, as_of=dt.date.today())
    print(f"generated {len(sensors):,} sensors in {time.perf_counter() - start:.1f} s")
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            bench_db("SQLite", f"sqlite:///{folder}/bench.sqlite", sensors, args.runs, rng, args.index_only)
    if args.postgres:
        try:
            bench_db("PostgreSQL + PostGIS", args.postgres, sensors, args.runs, rng, args.index_only)
        except Exception as error:  # noqa: BLE001 - no PostgreSQL here: say so and go on
            print(f"PostGIS skipped: {str(error).splitlines()[0]}")
    if not args.skip_naive and not args.index_only:
        start = time.perf_counter()
        naive = geo.build_naive_map(sensors).encode("utf-8")
        print(f"\nnaive folium page with every sensor embedded: {len(naive):,} bytes "
              f"({len(gzip.compress(naive)):,} gzipped), built in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
