"""JSON Schema of a feature spec file (JSON or YAML), kept as data in the code."""

from __future__ import annotations

_TEXT = {
    "type": "object",
    "required": ["nl", "en"],
    "properties": {
        "nl": {"type": "string", "minLength": 1},
        "en": {"type": "string", "minLength": 1},
    },
    "additionalProperties": False,
}
_PHRASE = {
    "type": "object",
    "required": ["nl", "en"],
    "properties": {
        lang: {
            "oneOf": [
                {"type": "string", "minLength": 1},
                {
                    "type": "object",
                    "required": ["yes", "no"],
                    "additionalProperties": False,
                    "properties": {"yes": {"type": "string"}, "no": {"type": "string"}},
                },
            ]
        }
        for lang in ("nl", "en")
    },
    "additionalProperties": False,
}
_CATEGORY = {
    "type": "object",
    "required": ["value", "label"],
    "properties": {"value": {"type": "string", "minLength": 1}, "label": _TEXT},
    "additionalProperties": False,
}
_FEATURE = {
    "type": "object",
    "required": ["name", "label", "kind"],
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "label": _TEXT,
        "help": _TEXT,
        "phrase": _PHRASE,
        "kind": {"enum": ["number", "category", "yes_no"]},
        "unit": {"oneOf": [{"type": ["string", "null"]}, _TEXT]},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "step": {"type": "number", "exclusiveMinimum": 0},
        "integer": {"type": "boolean"},
        "grouping": {"type": "boolean"},
        "decimals": {"type": "integer", "minimum": 0, "maximum": 6},
        "categories": {"type": "array", "items": _CATEGORY, "minItems": 1},
        "changeable": {"type": "boolean"},
        "protected": {"type": "boolean"},
        "required": {"type": "boolean"},
    },
    "additionalProperties": False,
}
_ATTRIBUTE = {
    "type": "object",
    "required": ["name", "label", "categories"],
    "properties": {
        "name": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
        "label": _TEXT,
        "categories": {"type": "array", "items": _CATEGORY, "minItems": 1},
    },
    "additionalProperties": False,
}
_CLASS = {
    "type": "object",
    "required": ["value", "label"],
    "properties": {"value": {"type": "string"}, "label": _TEXT},
    "additionalProperties": False,
}
_OUTCOME = {
    "type": "object",
    "required": ["kind", "label", "short"],
    "properties": {
        "kind": {"enum": ["regression", "classification"]},
        "column": {"type": ["string", "null"]},
        "label": _TEXT,
        "short": _TEXT,
        "unit": {"type": ["string", "null"]},
        "round_to": {"type": "number", "exclusiveMinimum": 0},
        "classes": {"type": "array", "items": _CLASS, "minItems": 2},
        "flagged_class": {"type": "string"},
        "threshold": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    },
    "additionalProperties": False,
}
SPEC_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Stadsregister feature spec",
    "type": "object",
    "required": ["spec_version", "features", "outcome"],
    "properties": {
        "spec_version": {"const": 1},
        "model": {"type": "string"},
        "features": {"type": "array", "items": _FEATURE, "minItems": 1},
        "outcome": _OUTCOME,
        "fairness_attributes": {"type": "array", "items": _ATTRIBUTE},
    },
    "additionalProperties": False,
}
