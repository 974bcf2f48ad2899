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
    """The eight entity sets of the Sensing core (read-only), at /sta/v1.1/ and /sta/v1.0/."""
    base = url_for(".resource", resource="", _external=True).rstrip("/")
    try:
        data = sta.resolve(get_session(), resource, request.args.to_dict(), base_url=base,
                           site_url=current_app.config["BASE_URL"].rstrip("/"))
    except sta.StaError as error:
        return json_error(error.status, error.message)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return jsonify(data), 200, {"Content-Type": "application/geo+json"}
    return jsonify(data)
