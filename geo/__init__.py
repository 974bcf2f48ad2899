"""geo: sensor geometry for Stadsregister, as a plain library (no Flask, no database).

Validation, coordinate systems, import readers, the city boundary, map clustering, the folium
map page, open-data exports, SensorThings shapes and a synthetic data generator.  Sensor records
are plain dicts with the keys of ``SENSOR_FIELDS``, as ``validate_sensor`` returns them.

Every name is loaded on first use: the map page's folium brings pandas and some 300 modules, and
shapely and pyproj some 200 more, that a process which never needs them (a batch job) need not load.
"""


import importlib

_NAMES = {  # name → the module that defines it, imported on first use
    "Boundary": "boundary", "Districts": "boundary", "SensorIndex": "cluster", "Viewport": "cluster",
    "parse_bbox": "cluster", "CoordinateError": "crs", "RD_NEW": "crs", "WGS84": "crs", "detect_crs": "crs",
    "parse_number": "crs", "rd_to_wgs84": "crs", "to_wgs84": "crs", "wgs84_to_rd": "crs",
    "iter_csv": "export", "iter_geojson": "export", "to_csv": "export", "to_geojson": "export",
    "to_geopackage": "export", "write_geopackage": "export", "PUBLIC_FIELDS": "features",
    "map_feature": "features", "public_properties": "features", "sensor_feature": "features",
    "ImportReport": "imports", "ImportRow": "imports", "RowError": "imports", "read_csv": "imports",
    "read_file": "imports", "read_geojson": "imports", "read_geopackage": "imports",
    "read_workbook": "imports", "message": "messages", "generate_sensors": "synthetic",
    "CONTACT_FIELDS": "validate", "SENSOR_FIELDS": "validate", "is_expired": "validate",
    "validate_sensor": "validate", "LEGAL_GROUNDS": "vocab", "OTHER_TYPE": "vocab", "OWNER_KINDS": "vocab",
    "SENSOR_TYPES": "vocab", "STATUSES": "vocab", "THEMES": "vocab", "Vocabulary": "vocab",
}

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
    "build_naive_map",
    "cached_map_page",
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
    """Each name (and each submodule, ``geo.values``) is imported on first use: a process that only
    needs one small part (the batch command's ``geo.cells``) does not load shapely and pyproj."""
    module = "mapview" if name in _MAPVIEW else _NAMES.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value
        return value
    try:
        return importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
