"""Benchmark of the sensor map page and street-level viewports at city scale (issue 16).

Run: .venv/bin/python bench/bench_map_page.py [--sensors 100000] [--runs 60] [--database sqlite:///…]

With a new temporary SQLite database (or ``--database``, kept and reused when it already holds
the sensors) it loads ``--sensors`` sensors and, with the map's index warm as a worker has it,
prints with the machine's load:
- ``/sensors`` (HTML), ``/sensors.json`` and a filtered ``/sensors?…``: median and p95;
- street-zoom viewports (zoom 17 and 18, 1280×800 screen) around the centre: the largest and
  median answer in bytes, before and after gzip, and how long they took;
- what the map fetches for mobile sensors' areas: distinct areas in those viewports and the
  bytes of each area once (``/sensors/areas/<id>.geojson``) at zoom 12 and 18.
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text  # noqa: E402
from sqlmodel import Session  # noqa: E402

import geo  # noqa: E402
from bench_sensors import load, viewport  # noqa: E402
from register import create_app, db  # noqa: E402

CENTRE = [(4.8926, 52.3731), (4.9041, 52.3676), (4.8838, 52.3600), (4.9000, 52.3700), (4.8900, 52.3750),
          (4.8850, 52.3650), (4.9100, 52.3720), (4.8980, 52.3620)]


def load_average() -> str:
    return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def summary(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):6.1f} ms   p95 {ms[max(0, round(0.95 * len(ms)) - 1)]:6.1f} ms"


def timed(client, url: str, runs: int) -> list[float]:
    client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sensors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--database", default="", help="a SQLite URL to keep (loaded once) instead of a temporary one")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-map-page-")
    url = args.database or f"sqlite:///{folder}/bench.sqlite"
    db.upgrade(url)
    app = create_app({"ENV": "testing", "SECRET_KEY": "bench-" + "x" * 30, "DATABASE_URL": url,
                      "DATA_DIR": f"{folder}/data"})
    with Session(app.extensions["stadsregister.engine"]) as session:
        present = session.execute(text("SELECT count(*) FROM sensor")).scalar_one()
    if present != args.sensors:
        started = time.perf_counter()
        load(app, geo.generate_sensors(args.sensors, seed=2024, as_of=dt.date.today()))
        print(f"loaded {args.sensors:,} sensors in {time.perf_counter() - started:.0f} s")
    client = app.test_client()
    started = time.perf_counter()
    client.get("/sensors.geojson?bbox=4.7,52.3,5.0,52.4&zoom=12")  # builds the map index, as start-up does
    print(f"{args.sensors:,} sensors; map index built in {time.perf_counter() - started:.1f} s")

    for label, page in (("/sensors (HTML)", "/sensors"), ("/sensors.json", "/sensors.json"),
                        ("/sensors?sensor_type=camera&personal_data=true",
                         "/sensors?sensor_type=camera&personal_data=true")):
        print(f"  {label:48s} {summary(timed(client, page, args.runs))}   ({load_average()})")

    areas: set[str] = set()
    for zoom in (17, 18):
        sizes, packed, times, features = [], [], [], []
        for lon, lat in CENTRE:
            address = "/sensors.geojson?bbox={:.6f},{:.6f},{:.6f},{:.6f}&zoom={}&facets=1".format(
                *viewport(lon, lat, zoom), zoom)
            started = time.perf_counter()
            response = client.get(address)
            times.append(time.perf_counter() - started)
            sizes.append(len(response.data))
            packed.append(len(gzip.compress(response.data)))
            data = response.get_json()
            features.append(len(data["features"]))
            areas |= {f["properties"]["area_id"] for f in data["features"] if f["properties"].get("area_id")}
        print(f"  street zoom {zoom}, {len(CENTRE)} centre views: largest {max(sizes):,} bytes "
              f"({max(packed):,} gzipped), median {int(statistics.median(sizes)):,}; "
              f"features up to {max(features):,}; {summary(times)}   ({load_average()})")
    for zoom in (12, 18):
        total = sum(len(client.get(f"/sensors/areas/{area}.geojson?zoom={zoom}").data) for area in areas)
        print(f"  mobile sensors' areas in those views: {len(areas)} distinct, fetched once each at zoom {zoom}: "
              f"{total:,} bytes in all")


if __name__ == "__main__":
    main()
