"""Benchmark of the sensor map and exports at city scale (100,000 sensors).

Run: .venv/bin/python bench/bench_geo.py [--sensors 100000] [--runs 200] [--skip-naive]
Prints: viewport query time at city and street zoom (median, p95; the server's work for one
/sensors.geojson request: query, features, JSON), bytes of the first map view for the
fetch-based page vs the naive folium page with every sensor embedded, and export times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import math
import statistics
import time

import numpy as np

from geo import (
    SensorIndex,
    build_map_page,
    build_naive_map,
    generate_sensors,
    to_csv,
    to_geojson,
    to_geopackage,
)

SCREEN = (1280, 800)  # pixels of the map on a laptop


def viewport(lon: float, lat: float, zoom: int) -> tuple[float, float, float, float]:
    deg_per_px = 360 / (256 * 2 ** zoom)
    half_w = SCREEN[0] / 2 * deg_per_px
    half_h = SCREEN[1] / 2 * deg_per_px * math.cos(math.radians(lat))
    return lon - half_w, lat - half_h, lon + half_w, lat + half_h


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def summarise(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    return f"median {statistics.median(ms):7.2f} ms   p95 {p95:7.2f} ms   max {ms[-1]:7.2f} ms"


def bench_viewports(index: SensorIndex, sensors, runs: int, rng) -> dict:
    mask = index.filter_mask()
    out = {}
    for label, zoom, centres in (
        ("city zoom 12", 12, [(4.90, 52.36)]),
        ("district zoom 14", 14, [(s["lon"], s["lat"]) for s in sensors[:500]]),
        ("street zoom 17", 17, [(s["lon"], s["lat"]) for s in sensors[:500]]),
    ):
        times, sizes, counts = [], [], []
        for i in range(runs):
            lon, lat = centres[i % len(centres)]
            lon += rng.normal(0, 0.002)
            lat += rng.normal(0, 0.001)
            start = time.perf_counter()
            body = json.dumps(index.to_geojson(index.query(viewport(lon, lat, zoom), zoom,
                                                           mask=mask), facets=True, mask=mask),
                              separators=(",", ":"))
            times.append(time.perf_counter() - start)
            sizes.append(len(body))
            counts.append(json.loads(body)["total"])
        out[label] = (times, sizes, counts)
        print(f"  {label:17s} {summarise(times)}   response ~{int(np.median(sizes)):,} B"
              f"   sensors in view ~{int(np.median(counts)):,}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sensors", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(1)

    print(f"geo benchmark: {args.sensors:,} synthetic Amsterdam sensors")
    sensors, took = timed(generate_sensors, args.sensors, seed=2024, as_of=dt.date(2026, 1, 15))
    print(f"  generate            {took:6.2f} s")
    index, took = timed(SensorIndex, sensors, today=dt.date(2026, 1, 15))
    print(f"  build index         {took:6.2f} s")

    print("\nviewport query (query + GeoJSON + facets + json.dumps), one request:")
    views = bench_viewports(index, sensors, args.runs, rng)

    print("\nfirst map view (city zoom):")
    page = build_map_page(nonce="x").document.encode()
    first_json = views["city zoom 12"][1][0]
    fetch_total = len(page) + first_json
    print(f"  fetch-based page    {len(page):>12,} B html + {first_json:,} B first GeoJSON"
          f" = {fetch_total:,} B  (gzip html {len(gzip.compress(page)):,} B)")
    if not args.skip_naive:
        naive, took = timed(build_naive_map, sensors)
        naive_b = naive.encode()
        print(f"  naive folium page   {len(naive_b):>12,} B  (built in {took:.1f} s; gzip "
              f"{len(gzip.compress(naive_b, 5)):,} B)  = {len(naive_b) / fetch_total:,.0f}x")
        print("  (the naive page's browser must also parse and draw every sensor; Leaflet "
              "becomes unresponsive at this size)")

    print("\nexports of all sensors:")
    for name, fn in (("GeoJSON", to_geojson), ("CSV", to_csv), ("GeoPackage", to_geopackage)):
        data, took = timed(fn, sensors)
        print(f"  {name:11s} {took:6.2f} s  {len(data):>13,} B")


if __name__ == "__main__":
    main()
