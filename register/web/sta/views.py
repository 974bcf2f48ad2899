"""SensorThings API: thin views over ``register.services.sta``."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for

from register.db import get_session
from register.services import sta
from register.web.common import json_error
from register.web.sta import bp


@bp.get("/", defaults={"resource": ""})
@bp.get("/<path:resource>")
def resource(resource: str):
    """Things, Locations, Sensors, ObservedProperties and Datastreams (read-only)."""
    base = url_for("sta.resource", resource="", _external=True).rstrip("/")
    try:
        data = sta.resolve(get_session(), resource, request.args.to_dict(), base_url=base,
                           site_url=current_app.config["BASE_URL"].rstrip("/"))
    except sta.StaError as error:
        return json_error(error.status, error.message)
    return jsonify(data)
