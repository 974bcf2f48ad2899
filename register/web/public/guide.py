"""Help for registrants: the feature spec, its JSON Schema and the model parts the register accepts."""
from __future__ import annotations

from flask import current_app, jsonify

from register.services.spec_help import feature_spec_help, schema_document
from register.web.common import locale, respond, twin
from register.web.public import bp


@twin(bp, "/help/feature-spec")
def feature_spec_help_page(fmt: str):
    """Every key of the feature spec with an example per kind, the schema's URL and the accepted model parts."""
    return respond("public/help_feature_spec.html", fmt, **feature_spec_help(locale()))


@bp.route("/schemas/feature-spec.schema.json")
def feature_spec_schema():
    """The feature spec's JSON Schema, at a stable URL (its ``$id``)."""
    response = jsonify(schema_document(current_app.config.get("BASE_URL", "")))
    response.headers["Content-Type"] = "application/schema+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
