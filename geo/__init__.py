"""geo: sensor geometry for Stadsregister, as a plain library (no Flask, no database).

Validation, coordinate systems, import readers, the city boundary, map clustering, the folium
map page, open-data exports, SensorThings shapes and a synthetic data generator.  Sensor records
are plain dicts with the keys of ``SENSOR_FIELDS``, as ``validate_sensor`` returns them.

The map page's names are loaded on first use: folium brings pandas and some 300 modules that a
process which never draws the page (an import, a batch job) need not load.
"""


from .boundary import Boundary, Districts
from .cluster import SensorIndex, Viewport, parse_bbox
from .crs import (
    RD_NEW,
    WGS84,
    CoordinateError,
    detect_crs,
    parse_number,
    rd_to_wgs84,
    to_wgs84,
    wgs84_to_rd,
)
from .export import iter_csv, iter_geojson, to_csv, to_geojson, to_geopackage, write_geopackage
from .features import PUBLIC_FIELDS, map_feature, public_properties, sensor_feature
from .imports import (
    ImportReport,
    ImportRow,
    RowError,
    read_csv,
    read_file,
    read_geojson,
    read_geopackage,
    read_workbook,
)
from .messages import message
from .synthetic import generate_sensors
from .validate import CONTACT_FIELDS, SENSOR_FIELDS, is_expired, validate_sensor
from .vocab import (
    LEGAL_GROUNDS,
    OTHER_TYPE,
    OWNER_KINDS,
    SENSOR_TYPES,
    STATUSES,
    THEMES,
    Vocabulary,
)

__all__ = [
    "CONTACT_FIELDS",
    "LEGAL_GROUNDS",
    "OTHER_TYPE",
    "OWNER_KINDS",
    "PUBLIC_FIELDS",
    "RD_NEW",
    "SENSOR_FIELDS",
    "SENSOR_TYPES",
    "STATUSES",
    "THEMES",
    "WGS84",
    "Boundary",
    "CoordinateError",
    "Districts",
    "ImportReport",
    "ImportRow",
    "MapPage",
    "RowError",
    "SensorIndex",
    "Viewport",
    "Vocabulary",
    "build_map_page",
    "cached_map_page",
    "build_naive_map",
    "detect_crs",
    "generate_sensors",
    "is_expired",
    "iter_csv",
    "iter_geojson",
    "map_feature",
    "message",
    "parse_bbox",
    "parse_number",
    "public_properties",
    "rd_to_wgs84",
    "read_csv",
    "read_file",
    "read_geojson",
    "read_geopackage",
    "read_workbook",
    "sensor_feature",
    "to_csv",
    "to_geojson",
    "to_geopackage",
    "to_wgs84",
    "validate_sensor",
    "wgs84_to_rd",
    "write_geopackage",
]

_MAPVIEW = ("MapPage", "build_map_page", "build_naive_map", "cached_map_page")


def __getattr__(name: str):
    if name in _MAPVIEW:
        from . import mapview

        return getattr(mapview, name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
