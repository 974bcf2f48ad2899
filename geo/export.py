"""Open-data exports: GeoJSON, CSV and GeoPackage, built only from public fields.

All writers take any iterable of sensor records (clean dicts) and go through
``features.public_properties``; contact names, phone numbers and private e-mail addresses
cannot reach an export.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape

from .cells import FORMULA_STARTS, spreadsheet_safe  # noqa: F401 — exported here as before
from .features import PUBLIC_FIELDS, labels, public_properties, sensor_feature

#: CSV columns: public fields, Dutch labels for people reading the file, and the geometry.
CSV_COLUMNS = (*PUBLIC_FIELDS, "sensor_type_label", "theme_labels", "lon", "lat", "geometry_wkt",
               "field_of_view_wkt")


def iter_geojson(sensors: Iterable[Mapping[str, Any]], *, locale: str | None = None,
                 url_template: str | None = None) -> Iterator[str]:
    """A FeatureCollection as text chunks, for streaming a large export."""
    yield '{"type":"FeatureCollection","features":['
    for i, sensor in enumerate(sensors):
        url = url_template.format(id=sensor.get("id")) if url_template else None
        feature = sensor_feature(sensor, locale=locale, url=url)
        yield ("," if i else "") + json.dumps(feature, ensure_ascii=False,
                                              separators=(",", ":"))
    yield "]}"


def to_geojson(sensors: Iterable[Mapping[str, Any]], **options: Any) -> bytes:
    """The whole FeatureCollection as UTF-8 bytes."""
    return "".join(iter_geojson(sensors, **options)).encode("utf-8")


def _wkt(geometry: Mapping[str, Any] | None) -> str | None:
    return shapely.to_wkt(shape(geometry), rounding_precision=7) if geometry else None


def csv_row(sensor: Mapping[str, Any], locale: str = "nl") -> dict[str, Any]:
    props = public_properties(sensor)
    props.update({k: v for k, v in labels(props, locale).items() if k in CSV_COLUMNS})
    for key in ("themes", "theme_labels", "area_names"):
        props[key] = ";".join(props.get(key) or [])
    geometry = sensor.get("geometry")
    props.update(lon=sensor.get("lon"), lat=sensor.get("lat"),
                 geometry_wkt=_wkt(geometry) if sensor.get("mobile") else None,
                 field_of_view_wkt=_wkt(sensor.get("field_of_view")))
    return props


def iter_csv(sensors: Iterable[Mapping[str, Any]], *, locale: str = "nl") -> Iterator[str]:
    """CSV text chunks: a header row, then one line per sensor.  Themes joined with ';'."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for i, sensor in enumerate(sensors):
        writer.writerow({k: spreadsheet_safe(v) for k, v in csv_row(sensor, locale).items()})
        if i % 500 == 499:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def to_csv(sensors: Iterable[Mapping[str, Any]], *, locale: str = "nl") -> bytes:
    """CSV as UTF-8 with a BOM, so Excel shows accented letters correctly."""
    return ("\ufeff" + "".join(iter_csv(sensors, locale=locale))).encode("utf-8")


def _frames(sensors: Iterable[Mapping[str, Any]]):
    import geopandas as gpd
    import pandas as pd

    points, areas, fovs = [], [], []
    for sensor in sensors:
        row = csv_row(sensor)
        row.pop("geometry_wkt")
        row.pop("field_of_view_wkt")
        points.append({**row, "geometry": shapely.Point(sensor["lon"], sensor["lat"])})
        if sensor.get("mobile") and sensor.get("geometry"):
            geom = shape(sensor["geometry"])
            geom = geom if geom.geom_type == "MultiPolygon" else shapely.MultiPolygon([geom])
            areas.append({"sensor_id": sensor.get("id"), "reference": sensor.get("reference"),
                          "geometry": geom})
        if sensor.get("field_of_view"):
            fovs.append({"sensor_id": sensor.get("id"), "reference": sensor.get("reference"),
                         "geometry": shape(sensor["field_of_view"])})
    def frame(rows, columns):
        df = pd.DataFrame(rows, columns=[*columns, "geometry"])
        return gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
    return {"sensors": frame(points, [c for c in CSV_COLUMNS if not c.endswith("_wkt")]),
            "sensor_areas": frame(areas, ["sensor_id", "reference"]),
            "camera_fields_of_view": frame(fovs, ["sensor_id", "reference"])}


def write_geopackage(sensors: Iterable[Mapping[str, Any]], path: str | Path) -> Path:
    """A GeoPackage with three layers in WGS84: ``sensors`` (points; a mobile sensor at a
    point inside its area), ``sensor_areas`` (multipolygons) and ``camera_fields_of_view``."""
    import pyogrio

    path = Path(path)
    path.unlink(missing_ok=True)
    for layer, frame in _frames(sensors).items():
        geometry_type = {"sensors": "Point", "sensor_areas": "MultiPolygon"}.get(layer, "Polygon")
        for column in frame.columns:
            if column != "geometry" and frame[column].dtype == object:
                frame[column] = frame[column].astype("string")
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG",
                                geometry_type=geometry_type, append=path.exists())
    return path


def to_geopackage(sensors: Iterable[Mapping[str, Any]]) -> bytes:
    """The GeoPackage as bytes (written to a temporary file: GDAL needs a file for layers)."""
    with tempfile.TemporaryDirectory() as folder:
        return write_geopackage(sensors, Path(folder) / "sensors.gpkg").read_bytes()
