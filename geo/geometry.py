"""Reading geometries as they arrive: GeoJSON, WKT, shapely, district names; always to WGS84."""

from __future__ import annotations

import json

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from .boundary import Districts
from .crs import NL_LAT, NL_LON, RD_NEW, WGS84, CoordinateError, transformer

#: Coordinates are rounded to 7 decimals (about 1 cm) in stored records.
PRECISION = 1e-7


class GeometryError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


MAX_NESTING = 32  # collections inside collections; GEOS recurses per level and a deep one crashes it


def wkt_too_deep(text: str) -> bool:
    """Whether WKT text nests brackets deeper than a sensor's shape ever needs (counted without
    recursion, before GEOS sees it: 100,000 nested collections made the process crash)."""
    codes = np.frombuffer(text.encode("utf-8", "replace"), dtype=np.uint8)
    steps = (codes == ord("(")).astype(np.int32) - (codes == ord(")")).astype(np.int32)
    return bool(len(steps)) and int(np.cumsum(steps).max()) > MAX_NESTING + 3


def parse_geometry(value: object) -> BaseGeometry | None:
    """A shapely geometry from a GeoJSON mapping or string, WKT text, or a shapely geometry."""
    if value is None or value == "":
        return None
    if isinstance(value, BaseGeometry):
        geom = value
    elif isinstance(value, dict):
        try:
            geom = shape(value.get("geometry", value) if value.get("type") == "Feature" else value)
        except Exception as exc:  # noqa: BLE001 - the parsing libraries raise many kinds
            raise GeometryError("bad_geometry", detail=str(exc)) from None
    elif isinstance(value, str):
        text = value.strip()
        if wkt_too_deep(text):
            raise GeometryError("bad_geometry", detail="nested too deeply")
        try:
            geom = parse_geometry(json.loads(text)) if text.startswith("{") else \
                shapely.from_wkt(text)
        except GeometryError:
            raise
        except Exception as exc:  # noqa: BLE001 - the parsing libraries raise many kinds
            raise GeometryError("bad_geometry", detail=str(exc).split("\n")[0]) from None
    else:
        raise GeometryError("bad_geometry", detail=type(value).__name__)
    if geom is None or geom.is_empty:
        return None
    return geom


def ensure_wgs84(geom: BaseGeometry, crs: str | None = None) -> BaseGeometry:
    """The geometry in WGS84; with ``crs=None``, RD New coordinates are recognised by range."""
    if crs is None:
        minx, miny, maxx, maxy = geom.bounds
        if -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90:
            crs = WGS84
        elif minx >= 7000 and maxx <= 300_000 and miny >= 289_000 and maxy <= 629_000:
            crs = RD_NEW
        else:
            raise CoordinateError("unknown_crs", a=minx, b=miny)
    if crs in (WGS84, "OGC:CRS84"):
        # Swapped lat/lon in Dutch ranges: flip back.
        minx, miny, maxx, maxy = geom.bounds
        if NL_LAT[0] <= minx <= NL_LAT[1] and NL_LON[0] <= miny <= NL_LON[1]:
            return shapely.transform(geom, lambda c: c[:, ::-1])
        return geom
    tr = transformer(crs, WGS84)
    return shapely.transform(geom, lambda c: np.column_stack(
        tr.transform(c[:, 0], c[:, 1])))


def clean_polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Repairs self-intersections; raises GeometryError unless the result is (multi)polygonal."""
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise GeometryError("bad_geometry", detail=f"{geom.geom_type} is not an area")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon",
                                                                          "MultiPolygon")]
        if not polys:
            raise GeometryError("bad_geometry", detail=shapely.is_valid_reason(geom))
        geom = shapely.union_all(polys)
    return geom


def parse_areas(value: object, districts: Districts) -> tuple[BaseGeometry | None, list[str]]:
    """The union of areas given as district names and/or WKT/GeoJSON, separated by ';'.

    Returns (geometry or None, the official district names used).
    """
    if value is None:
        return None, []
    if isinstance(value, (BaseGeometry, dict)):
        parts: list[object] = [value]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = [p for p in str(value).split(";")]
    geoms, names = [], []
    for part in parts:
        if isinstance(part, str):
            part = part.strip()
            if not part:
                continue
            found = districts.lookup(part)
            if found:
                names.append(found[0])
                geoms.append(found[1])
                continue
            if not part[:1] in "{" and not part.upper().startswith(("POLYGON", "MULTIPOLYGON")):
                raise GeometryError("unknown_area", value=part, names=", ".join(districts.names))
        geom = parse_geometry(part)
        if geom is not None:
            geoms.append(clean_polygonal(ensure_wgs84(geom)))
    if not geoms:
        return None, names
    union = shapely.union_all(geoms)
    return union, names


def rounded(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, PRECISION) if geom.geom_type != "Point" else \
        shapely.transform(geom, lambda c: c.round(7))


def to_geojson(geom: BaseGeometry | None) -> dict | None:
    """A plain GeoJSON geometry mapping (lists, not tuples), or None."""
    if geom is None:
        return None
    return json.loads(shapely.to_geojson(geom))


def for_zoom(geometry: dict, zoom: int) -> dict:
    """A GeoJSON area simplified for drawing at ``zoom``: no detail smaller than half a screen
    pixel there (Web Mercator, 256-pixel tiles), coordinates rounded to match.  From zoom 18 on
    the area comes back as it is."""
    if zoom >= 18 or not geometry or geometry.get("type") == "Point":
        return geometry
    degrees_per_pixel = 360 / (256 * 2 ** max(0, zoom))
    tolerance = degrees_per_pixel / 2 * 0.6  # latitude degrees are shorter on screen near 52°N
    geom = shapely.simplify(shape(geometry), tolerance, preserve_topology=True)
    decimals = int(min(7, max(3, np.ceil(-np.log10(tolerance)) + 1)))
    geom = shapely.transform(geom, lambda c: c.round(decimals))
    if geom.is_empty or not geom.is_valid:
        return geometry
    return to_geojson(geom)


def as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    return geom if geom.geom_type == "MultiPolygon" else MultiPolygon([geom])


__all__ = [
    "GeometryError",
    "as_multipolygon",
    "clean_polygonal",
    "ensure_wgs84",
    "for_zoom",
    "mapping",
    "parse_areas",
    "parse_geometry",
    "rounded",
    "to_geojson",
]
