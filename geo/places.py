"""Places in the city without a network: which district and neighbourhood a point lies in, names
to search for when no geocoder is reachable, the offline base layer (districts and water), and
reading a place pasted from a map app ("52.3731, 4.8926").

Neighbourhoods are shipped as approximate centres (``data/buurten.geojson``); a point belongs to
the nearest centre within its district, which is the Voronoi cell of that centre clipped to the
district.  Good for orientation and for a list column, not for legal boundaries.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from .boundary import DATA_DIR, Districts, _key

NEIGHBOURHOODS_FILE = DATA_DIR / "buurten.geojson"
WATER_FILE = DATA_DIR / "water.geojson"

NEAR_DEGREES = 0.015

#: Lat/lon plausible for the Netherlands, to tell which of two pasted numbers is which.
NL_LAT, NL_LON = (50.5, 54.0), (3.0, 7.5)


class Places:
    """Districts and neighbourhood centres, with lookups by point and by name."""

    def __init__(self, districts: Districts, neighbourhoods: list[dict[str, Any]]) -> None:
        self.districts = districts
        self.names = list(districts.areas)
        self.neighbourhoods = neighbourhoods
        self._nx = np.array([n["lon"] for n in neighbourhoods], float)
        self._ny = np.array([n["lat"] for n in neighbourhoods], float)
        self._nd = np.array([n["district"] for n in neighbourhoods], dtype=object)
        for geometry in districts.areas.values():
            shapely.prepare(geometry)

    @classmethod
    def from_files(cls, districts: Districts | None = None,
                   neighbourhoods: str | Path = NEIGHBOURHOODS_FILE) -> Places:
        doc = json.loads(Path(neighbourhoods).read_text(encoding="utf-8"))
        items = [{"name": f["properties"]["name"], "district": f["properties"]["district"],
                  "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]}
                 for f in doc["features"]]
        return cls(districts or Districts.default(), items)

    @classmethod
    def default(cls) -> Places:
        return _default_places()

    def district_of(self, lon: float, lat: float) -> str | None:
        """The district containing the point; else, as the shipped outlines are approximate, the
        nearest one within about 1.5 km; else None."""
        for name, geometry in self.districts.areas.items():
            if shapely.contains_xy(geometry, float(lon), float(lat)):
                return name
        point = shapely.Point(float(lon), float(lat))
        distance, name = min((geometry.distance(point), name) for name, geometry in self.districts.areas.items())
        return name if distance < NEAR_DEGREES else None

    def place_of(self, lon: float, lat: float) -> tuple[str | None, str | None]:
        """(district, neighbourhood) of a point; (None, None) outside every district."""
        district = self.district_of(lon, lat)
        if district is None:
            return None, None
        same = np.flatnonzero(self._nd == district)
        if not len(same):
            return district, None
        # nearest centre, with longitude scaled to metres at Amsterdam's latitude
        d2 = ((self._nx[same] - lon) * 0.61) ** 2 + (self._ny[same] - lat) ** 2
        return district, self.neighbourhoods[int(same[int(np.argmin(d2))])]["name"]

    def places_of(self, lons, lats) -> list[tuple[str | None, str | None]]:
        """``place_of`` for many points."""
        return [self.place_of(x, y) for x, y in zip(lons, lats)]

    def search(self, text: str, limit: int = 8) -> list[dict[str, Any]]:
        """Districts and neighbourhoods whose name contains ``text`` (names starting with it first):
        ``{"name", "type" ("stadsdeel"|"buurt"), "lon", "lat", "bbox"?}``."""
        key = _key(text)
        if len(key) < 2:
            return []
        hits: list[tuple[int, dict[str, Any]]] = []
        for name, geometry in self.districts.areas.items():
            if key in name.casefold():
                point = geometry.representative_point()
                hits.append((0 if name.casefold().startswith(key) else 2,
                             {"name": f"Stadsdeel {name}", "type": "stadsdeel", "district": name,
                              "lon": round(point.x, 6), "lat": round(point.y, 6),
                              "bbox": [round(v, 6) for v in geometry.bounds]}))
        for item in self.neighbourhoods:
            if key in item["name"].casefold():
                hits.append((1 if item["name"].casefold().startswith(key) else 3,
                             {"name": f"{item['name']} ({item['district']})", "type": "buurt",
                              "district": item["district"], "lon": item["lon"], "lat": item["lat"]}))
        hits.sort(key=lambda h: (h[0], h[1]["name"]))
        return [h[1] for h in hits[:limit]]

    def base_layer(self) -> dict[str, Any]:
        """Districts and water as one FeatureCollection, the map's background without tiles."""
        features = [{"type": "Feature", "properties": {"name": name, "kind": "district"},
                     "geometry": shapely.geometry.mapping(geometry)}
                    for name, geometry in self.districts.areas.items()]
        water = json.loads(WATER_FILE.read_text(encoding="utf-8"))
        return {"type": "FeatureCollection", "features": features + water["features"]}


@lru_cache(maxsize=1)
def _default_places() -> Places:
    return Places.from_files()


_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:[.,]\d+)?$")


def parse_latlon(text: str) -> tuple[float, float]:
    """(lat, lon) from what map apps copy: "52.3731, 4.8926", "52,3731; 4,8926",
    "4.8926, 52.3731" (order told apart by the Netherlands' ranges), "52.3731 4.8926",
    "52.3731° N, 4.8926° E".  Raises ValueError when it is not two such numbers."""
    cleaned = re.sub(r"[°NnEeOo]|\bOL\b|\bNB\b", " ", str(text or "")).strip()
    if ";" in cleaned:
        parts = cleaned.split(";")
    elif cleaned.count(",") == 1:
        parts = cleaned.split(",")
    elif ", " in cleaned:
        parts = cleaned.split(", ")
    else:
        parts = cleaned.split()
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) != 2 or not all(_NUMBER.match(p) for p in parts):
        raise ValueError("two numbers, latitude and longitude")
    a, b = (float(p.replace(",", ".")) for p in parts)
    if NL_LAT[0] <= b <= NL_LAT[1] and NL_LON[0] <= a <= NL_LON[1]:
        a, b = b, a  # "lon, lat"
    if not (-90 <= a <= 90 and -180 <= b <= 180):
        raise ValueError("latitude between -90 and 90, longitude between -180 and 180")
    return a, b
