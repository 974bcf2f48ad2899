"""The sensor endpoints of /api/v1 for the OpenAPI document (added by services/openapi.py)."""
from __future__ import annotations

import geo

_FIELD_TYPES = {"personal_data": "boolean", "processed_on_device": "boolean", "anonymised": "boolean",
                "aggregated": "boolean", "open_data": "boolean", "mobile": "boolean",
                "contact_is_organisational": "boolean", "retention_days": ["integer", "string"],
                "themes": ["array", "string"], "geometry": ["object", "string"], "field_of_view": ["object", "string"],
                "lat": ["number", "string"], "lon": ["number", "string"], "areas": ["array", "string"]}

SENSOR_SCHEMA = {
    "type": "object",
    "description": "A sensor. Vocabulary fields take a code or the Dutch/English label; dates are "
                   "YYYY-MM-DD or dd-mm-jjjj; the location is lat/lon (WGS84 or RD New), a GeoJSON/WKT "
                   "geometry, or district names in areas (mobile sensors). The owner is the token's organisation.",
    "properties": {
        **{name: {"type": _FIELD_TYPES.get(name, "string")} for name in geo.SENSOR_FIELDS
           if name not in ("owner_name", "owner_kind", "bbox", "area_names")},
        "areas": {"type": ["array", "string"]},
        "sensor_type": {"enum": list(geo.SENSOR_TYPES.codes)},
        "themes": {"type": "array", "items": {"enum": list(geo.THEMES.codes)}},
        "legal_ground": {"enum": [*geo.LEGAL_GROUNDS.codes, None]},
        "status": {"enum": list(geo.STATUSES.codes)},
    },
}


def openapi_paths(errors: dict) -> dict:
    ident = {"name": "sensor_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
    page = {"name": "page", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1, "default": 1}}
    body = {"content": {"application/json": {"schema": SENSOR_SCHEMA}}}
    ok = {"200": {"description": "The sensor (public fields, plus its private contact fields)"}, **errors}
    bearer = [{"bearer": []}]
    return {
        "/sensors": {
            "get": {"summary": "Sensors of the token's organisation (100 a page)", "parameters": [page],
                    "security": bearer,
                    "responses": {"200": {"description": "A page of sensors"}, **errors}},
            "post": {"summary": "Register a sensor for the token's organisation", "security": bearer,
                     "requestBody": {"required": True, **body},
                     "responses": {"201": {"description": "Registered"}, **errors}},
        },
        "/sensors/{sensor_id}": {
            "get": {"summary": "One sensor of the token's organisation", "parameters": [ident],
                    "security": bearer, "responses": ok},
            "patch": {"summary": "Change fields of a sensor (recorded in its public history)",
                      "parameters": [ident], "security": bearer, "requestBody": {"required": True, **body},
                      "responses": ok},
        },
        "/sensors/import": {
            "post": {"summary": "Import a CSV, GeoJSON, GeoPackage or Amsterdam workbook; all-or-nothing unless "
                                "valid_only=true; dry_run=true only reports. Re-importing updates by reference.",
                     "security": bearer,
                     "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                         "type": "object", "required": ["file"], "properties": {
                             "file": {"type": "string", "format": "binary"},
                             "valid_only": {"type": "boolean"}, "dry_run": {"type": "boolean"}}}}}},
                     "responses": {"200": {"description": "Imported; counts and the row-by-row report"},
                                   "422": {"description": "Rows with errors; nothing imported"}, **errors}},
        },
    }
