"""The OpenAPI 3.1 description of /api/v1, with the entry schema taken from the standard."""
from __future__ import annotations

from register.services.documents import openapi_paths as documents_openapi_paths
from register.services.model_pages import openapi_paths as explanations_openapi_paths
from register.services.participation import openapi_paths as questions_openapi_paths
from register.services.sensor_openapi import openapi_paths as sensors_openapi_paths
from register.services.standard import EXTENSION_SCHEMA, SCHEMA

_KEEP = ("type", "maxLength", "pattern", "enum", "const", "format", "items", "description")


def _entry_schema(required: bool) -> dict:
    properties = {}
    for name, spec in list(SCHEMA["properties"].items()) + list(EXTENSION_SCHEMA["properties"].items()):
        properties[name] = {k: v for k, v in spec.items() if k in _KEEP}
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = [f for f in SCHEMA["required"] if f not in ("language", "schema")]
    return schema


def _json(schema_ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


MAX_ID = 2**31 - 1  # ids and page numbers beyond the database's integer are refused (404/400)


def _errors() -> dict:
    return {code: {"description": text, **_json("Error")} for code, text in (
        ("400", "The request cannot be read: the body is not a JSON object (a bare number, list or text), "
                "not valid UTF-8 JSON, nested more than 64 levels, or holds a NUL character or a lone "
                "surrogate; or a query parameter is not a whole number in range"),
        ("401", "Missing or invalid token"), ("403", "The token belongs to another organisation"),
        ("404", "Unknown code"), ("409", "Not possible in the current state"),
        ("410", "The entry is retracted or archived: no new decisions"), ("422", "Field errors"))}


def openapi_document(server_url: str) -> dict:
    """The API description; ``server_url`` is the absolute base of /api/v1."""
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The algorithm's short public code, e.g. A-7K3Q"}
    ok_state = {"200": {"description": "The entry's state", **_json("EntryState")}, **_errors()}
    paths = {
        "/algorithms": {
            "get": {"summary": "Entries of the token's organisation", "security": [{"bearer": []}],
                    "responses": {"200": {"description": "The entries"}, **_errors()}},
            "post": {"summary": "Create an entry as a draft", "security": [{"bearer": []}],
                     "requestBody": {"required": True, **_json("Entry")},
                     "responses": {"201": {"description": "Created", **_json("EntryState")}, **_errors()}},
        },
        "/algorithms/{code}": {
            "get": {"summary": "One entry with its draft and published version", "parameters": [code],
                    "security": [{"bearer": []}], "responses": ok_state},
            "patch": {"summary": "Change fields of the draft (a published entry gets a new draft)",
                      "parameters": [code], "security": [{"bearer": []}],
                      "requestBody": {"required": True, **_json("EntryUpdate")}, "responses": ok_state},
        },
    }
    for step, text in (("submit", "Submit the draft for approval"),
                       ("approve", "Publish the submitted draft (a different account than the last editor)"),
                       ("return", "Return the submitted draft with a reason"),
                       ("retract", "Withdraw the published entry with a reason"),
                       ("archive", "Archive the published entry with a reason")):
        paths[f"/algorithms/{{code}}/{step}"] = {"post": {
            "summary": text, "parameters": [code], "security": [{"bearer": []}],
            "requestBody": {"required": False, **_json("Reason")}, "responses": ok_state}}
    paths.update(documents_openapi_paths(code, _errors()))
    paths.update(sensors_openapi_paths(_errors()))
    paths.update(explanations_openapi_paths(code, _errors()))
    paths.update(questions_openapi_paths(_errors()))
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stadsregister API", "version": "1.0.0",
                 "description": "Register and publish algorithms with four eyes. Entries follow the "
                                "national publication standard v1.0.0 plus Stadsregister's own fields."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Entry": _entry_schema(required=True),
                "EntryUpdate": _entry_schema(required=False),
                "Reason": {"type": "object", "properties": {
                    "reason": {"type": "string", "maxLength": 999},
                    "override_reason": {"type": "string", "maxLength": 999, "description":
                                        "approve only: a site administrator who is not an approver of the "
                                        "organisation must give this; it is written to the entry's action log"}}},
                "EntryState": {"type": "object", "properties": {
                    "ok": {"type": "boolean"}, "code": {"type": "string"},
                    "public_state": {"enum": ["unpublished", "published", "retracted", "archived"]},
                    "draft_state": {"enum": ["draft", "submitted", "returned", None]},
                    "published_version": {"type": ["integer", "null"]},
                    "draft": {"type": ["object", "null"]}, "published": {"type": ["object", "null"]},
                    "public_url": {"type": "string"},
                    "notes": {"type": "array", "description": "create and update only: per field, what was "
                              "cleaned (invisible characters removed, non-breaking or edge spaces made plain), "
                              "as on import", "items": {"type": "object", "properties": {
                                  "field": {"type": "string"}, "message": {"type": "string"}}}}}},
                "Error": {"type": "object", "required": ["ok", "error", "errors"], "properties": {
                    "ok": {"const": False}, "error": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "field": {"type": "string"}, "message": {"type": "string"}}}}}},
            },
        },
    }
