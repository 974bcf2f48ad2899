"""API endpoints for sensors: the token's organisation is the owner."""
from __future__ import annotations

from pathlib import Path

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.models import Organisation
from register.services import accounts, sensor_io
from register.services import sensors as svc
from register.web.api import bp
from register.web.api.views import token_required
from register.web.common import json_error, locale
from register.web.public.sensors import boundary


def _state(sensor) -> dict:
    return {"ok": True, "sensor": svc.public_record(sensor), "private": {
        "contact_name": sensor.contact_name, "contact_email": sensor.contact_email,
        "contact_phone": sensor.contact_phone},
        "public_url": url_for("public.sensor_detail", sensor_id=sensor.id, _external=True)}


def _own(sensor_id: int):
    db = get_session()
    sensor = svc.get_sensor(db, sensor_id)
    if sensor is None:
        return db, None, json_error(404, _("There is no sensor with number %(id)s in the register.", id=sensor_id))
    if sensor.organisation_id != g.api_token.organisation_id or \
            not svc.can_edit(db, g.api_user, sensor.organisation_id):
        return db, None, json_error(403, _("This sensor belongs to another organisation."))
    return db, sensor, None


def _body():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, json_error(400, _("Send a JSON object in the request body."))
    return data, None


def _invalid(invalid: svc.SensorInvalid):
    return json_error(422, _("Some fields are not filled in correctly."), invalid.as_list())


@bp.get("/sensors")
@token_required
def list_sensors():
    """The sensors of the token's organisation."""
    db = get_session()
    filters = svc.Filters(organisation_id=g.api_token.organisation_id, include_expired=True)
    number = request.args.get("page", "1")
    result = svc.page(db, filters, sort="id", page_number=int(number) if number.isdigit() else 1, page_size=100)
    return jsonify({"ok": True, "total": result["total"], "page": result["page"], "pages": result["pages"],
                    "items": [svc.public_record(s) for s in result["items"]]})


@bp.post("/sensors")
@token_required
def create_sensor():
    """Register a sensor of the token's organisation."""
    data, error = _body()
    if error:
        return error
    db = get_session()
    organisation = db.get(Organisation, g.api_token.organisation_id)
    try:
        sensor = svc.create_sensor(db, user=g.api_user, organisation=organisation, data=data, locale=locale(),
                                   channel="api", boundary=boundary())
    except svc.SensorInvalid as invalid:
        db.rollback()
        return _invalid(invalid)
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    return jsonify(_state(sensor)), 201, {"Location": url_for("api.get_sensor", sensor_id=sensor.id)}


@bp.get("/sensors/<int:sensor_id>")
@token_required
def get_sensor(sensor_id: int):
    """One sensor of the token's organisation, with its private contact fields."""
    _db, sensor, error = _own(sensor_id)
    return error or jsonify(_state(sensor))


@bp.patch("/sensors/<int:sensor_id>")
@token_required
def update_sensor(sensor_id: int):
    """Change some fields; the change is recorded in the public history."""
    db, sensor, error = _own(sensor_id)
    if error:
        return error
    data, error = _body()
    if error:
        return error
    try:
        changes = svc.update_sensor(db, user=g.api_user, sensor=sensor, data=data, locale=locale(), channel="api",
                                    boundary=boundary())
    except svc.SensorInvalid as invalid:
        db.rollback()
        return _invalid(invalid)
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("This sensor belongs to another organisation."))
    return jsonify({**_state(sensor), "changed": sorted(changes)})


@bp.post("/sensors/import")
@token_required
def import_sensors():
    """Import a file (multipart ``file``); all-or-nothing unless ``valid_only=true``; ``dry_run=true``
    only reports.  Answers with the row-by-row report."""
    upload = request.files.get("file")
    if upload is None or Path(upload.filename or "").suffix.lower() not in (".csv", ".geojson", ".json", ".gpkg",
                                                                             ".xlsx"):
        return json_error(400, _("Send a CSV, GeoJSON, GeoPackage or Excel (.xlsx) file as 'file'."))
    db = get_session()
    organisation = db.get(Organisation, g.api_token.organisation_id)
    if not svc.can_edit(db, g.api_user, organisation.id):
        return json_error(403, _("Your account has no role in this organisation."))
    content = upload.read()
    if request.values.get("dry_run") in ("1", "true"):
        report = sensor_io.read(content, filename=upload.filename, organisation=organisation, locale=locale(),
                                boundary=boundary())
        result = sensor_io.ImportResult(report)
    else:
        result = sensor_io.import_file(db, content, filename=upload.filename, organisation=organisation,
                                       user=g.api_user, valid_only=request.values.get("valid_only") in ("1", "true"),
                                       locale=locale(), boundary=boundary(), channel="api")
    body = {"ok": result.written or (result.report.ok and request.values.get("dry_run") in ("1", "true")),
            **result.summary(), "created_references": result.created, "updated_references": result.updated}
    if not result.written and result.report.errors:
        body["error"] = _("Nothing was imported: the file has errors. Fix them, or send valid_only=true.")
        return jsonify(body), 422
    return jsonify(body), 200
