"""The city boundary and the named districts that mobile sensors may be registered by.

The shipped files in ``geo/data`` are simplified, hand-drawn approximations in WGS84 (about
500 m accurate).  A city sets its real boundary by pointing ``Boundary.from_file`` at a GeoJSON
file (a Polygon, MultiPolygon, Feature or FeatureCollection; all geometries are merged).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_BOUNDARY_FILE = DATA_DIR / "amsterdam.geojson"
DEFAULT_DISTRICTS_FILE = DATA_DIR / "stadsdelen.geojson"


def _geometries(doc: dict) -> list[BaseGeometry]:
    kind = doc.get("type")
    if kind == "FeatureCollection":
        return [g for f in doc.get("features", []) for g in _geometries(f)]
    if kind == "Feature":
        return [shape(doc["geometry"])] if doc.get("geometry") else []
    return [shape(doc)]


class Boundary:
    """An area in WGS84 that sensors must lie in (areas must overlap it)."""

    def __init__(self, geometry: BaseGeometry, name: str = "") -> None:
        if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise ValueError("a boundary must be a non-empty (multi)polygon")
        self.geometry = shapely.make_valid(geometry) if not geometry.is_valid else geometry
        self.name = name
        shapely.prepare(self.geometry)

    @classmethod
    def from_file(cls, path: str | Path) -> Boundary:
        """The union of all geometries in a GeoJSON file (coordinates in WGS84)."""
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        geoms = _geometries(doc)
        if not geoms:
            raise ValueError(f"{path}: no geometry")
        name = ""
        if doc.get("type") == "FeatureCollection" and doc["features"]:
            name = doc["features"][0].get("properties", {}).get("name", "")
        return cls(shapely.union_all(geoms), name=name)

    @classmethod
    def default(cls) -> Boundary:
        """The shipped approximate boundary of the municipality of Amsterdam."""
        return _default_boundary()

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return tuple(self.geometry.bounds)  # type: ignore[return-value]

    def contains(self, lon_or_geom, lat: float | None = None) -> bool:
        """Whether a point (lon, lat) lies inside, or a geometry overlaps the area.

        Areas count as inside when they intersect the boundary: a scan car's district may
        reach past the city line.
        """
        if lat is not None:
            return bool(shapely.contains_xy(self.geometry, float(lon_or_geom), float(lat)))
        geom = lon_or_geom
        if geom.geom_type == "Point":
            return bool(self.geometry.covers(geom))
        return bool(self.geometry.intersects(geom))

    def contains_many(self, lon, lat) -> np.ndarray:
        """Vectorised point-in-boundary test for arrays of lon/lat."""
        return shapely.contains_xy(self.geometry, np.asarray(lon), np.asarray(lat))


@lru_cache(maxsize=1)
def _default_boundary() -> Boundary:
    return Boundary.from_file(DEFAULT_BOUNDARY_FILE)


def _key(name: str) -> str:
    name = re.sub(r"\s+", " ", str(name)).strip().casefold()
    return re.sub(r"^(stadsdeel|stadsgebied|amsterdam)[\s-]+", "", name)


class Districts:
    """Named areas (Amsterdam's stadsdelen) that a mobile sensor can be registered by."""

    def __init__(self, areas: dict[str, BaseGeometry]) -> None:
        self.areas = dict(areas)
        self._by_key = {_key(n): n for n in areas}

    @classmethod
    def from_file(cls, path: str | Path) -> Districts:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({f["properties"]["name"]: shape(f["geometry"]) for f in doc["features"]})

    @classmethod
    def default(cls) -> Districts:
        """Simplified polygons of Amsterdam's stadsdelen, Weesp and Westpoort."""
        return _default_districts()

    @property
    def names(self) -> list[str]:
        return list(self.areas)

    def lookup(self, name: str) -> tuple[str, BaseGeometry] | None:
        """(official name, polygon) for 'Noord', 'stadsdeel Noord', 'Amsterdam-Noord', …"""
        official = self._by_key.get(_key(name))
        return (official, self.areas[official]) if official else None


@lru_cache(maxsize=1)
def _default_districts() -> Districts:
    return Districts.from_file(DEFAULT_DISTRICTS_FILE)
