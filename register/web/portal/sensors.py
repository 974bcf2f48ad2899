"""Portal pages for sensors: owners register and edit their sensors (errors per field), upload an
import file and see its row-by-row report before importing, read relay messages; operators
(site administrators) work through residents' reports of missing sensors."""
from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

import geo
from register.db import get_session
from register.models import SensorReport
from register.services import accounts, sensor_io
from register.services import sensors as svc
from register.services.sensors import notify
from register.web.common import current_user, fail, locale, login_required
from register.web.guards import parse_id
from register.web.portal import bp
from register.web.public.sensors import boundary

IMPORT_SUFFIXES = (".csv", ".geojson", ".json", ".gpkg", ".xlsx")


@bp.context_processor
def _sensor_menu() -> dict:
    """``sensor_menu()`` for the portal's menu: sensor and unread-message counts (issue 14)."""
    def menu() -> dict:
        user, db = current_user(), get_session()
        if user is None:
            return {"sensors": 0, "unread": 0, "reports": None}
        ids = [o.id for o in svc.organisations_for(db, user)]
        return {"sensors": svc.owned_sensors(db, user, page_size=1)["total"],
                "unread": notify.unread_count(db, ids),
                "reports": len(svc.reports(db)) if user.is_admin else None}
    return {"sensor_menu": menu}


def form_fields() -> list[dict]:
    """The sensor form, in groups: (name, label, widget, choices, help)."""
    loc = locale()
    yes_no = "yesno"

    def f(name, label, widget="text", choices=None, help=None, required=False):
        return {"name": name, "label": label, "widget": widget, "choices": choices or [], "help": help,
                "required": required}

    return [
        {"title": _l("The sensor"), "fields": [
            f("reference", _l("Your reference"), help=_l("Unique within your organisation, e.g. CAM-012."),
              required=True),
            f("sensor_type", _l("Sensor type"), "select", geo.SENSOR_TYPES.choices(loc), required=True),
            f("sensor_type_other", _l("Other type, namely"), help=_l("Only when you chose 'Other'.")),
            f("themes", _l("Themes"), "checkboxes", geo.THEMES.choices(loc), required=True),
            f("measures", _l("What does the sensor measure?"), required=True),
            f("purpose", _l("What do you measure it for?"), "textarea", required=True),
            f("status", _l("Status"), "select", geo.STATUSES.choices(loc)),
            f("project", _l("Project")),
            f("remarks", _l("Remarks"), "textarea"),
        ]},
        {"title": _l("Personal data"), "fields": [
            f("personal_data", _l("Does the sensor process personal data?"), yes_no, required=True),
            f("legal_ground", _l("Legal ground"), "select", geo.LEGAL_GROUNDS.choices(loc),
              help=_l("Only when it processes personal data.")),
            f("privacy_statement_url", _l("Link to your privacy statement")),
            f("retention_days", _l("Retention period"), help=_l("In days, or e.g. '4 weeks'.")),
            f("processed_on_device", _l("Processed on the device"), yes_no),
            f("anonymised", _l("Anonymised"), yes_no),
            f("aggregated", _l("Aggregated"), yes_no),
            f("open_data", _l("Is the data published as open data?"), yes_no),
            f("open_data_url", _l("Where is the open data?")),
        ]},
        {"title": _l("Location"), "fields": [
            f("mobile", _l("Is it a mobile sensor (on a vehicle or vessel)?"), yes_no),
            f("lat", _l("Latitude"), help=_l("WGS84 (52.37) or RD New (487000), decimal comma allowed.")),
            f("lon", _l("Longitude"), help=_l("WGS84 (4.89) or RD New (121000).")),
            f("areas", _l("Areas of a mobile sensor"),
              help=_l("District names separated by ';', e.g. Centrum; Oost.")),
            f("location_description", _l("Description of the location")),
            f("field_of_view", _l("Field of view of a camera"), "textarea",
              help=_l("Optional: a polygon as WKT or GeoJSON, starting at the camera.")),
        ]},
        {"title": _l("Dates"), "fields": [
            f("placed_on", _l("Placed on"), help=_l("dd-mm-yyyy")),
            f("end_date", _l("When will the sensor be removed?"), help=_l("dd-mm-yyyy"), required=True),
            f("last_confirmed", _l("Last confirmed it is still there"), help=_l("dd-mm-yyyy")),
        ]},
        {"title": _l("Contact"), "fields": [
            f("contact_name", _l("Contact person"), help=_l("Never published.")),
            f("contact_email", _l("Contact e-mail address")),
            f("contact_phone", _l("Contact phone number"), help=_l("Never published.")),
            f("contact_is_organisational", _l("Is this e-mail address an organisational address that may be published?"),
              yes_no, help=_l("If not, residents write to you through the register.")),
        ]},
    ]


def _form_data() -> dict:
    data: dict = {}
    for name in ("reference", "sensor_type", "sensor_type_other", "measures", "purpose", "status", "project",
                 "remarks", "personal_data", "legal_ground", "privacy_statement_url", "retention_days",
                 "processed_on_device", "anonymised", "aggregated", "open_data", "open_data_url", "mobile", "lat",
                 "lon", "areas", "location_description", "field_of_view", "placed_on", "end_date",
                 "last_confirmed", "contact_name", "contact_email", "contact_phone", "contact_is_organisational"):
        data[name] = request.form.get(name, "").strip() or None
    data["themes"] = request.form.getlist("themes")
    return data


def _values(sensor) -> dict:
    rec = svc.record(sensor)
    values = {k: v for k, v in rec.items()}
    if sensor.mobile:
        values["areas"] = ";".join(sensor.area_names or []) or geo.export._wkt(sensor.geometry)
        values["lat"] = values["lon"] = None
    if sensor.field_of_view:
        values["field_of_view"] = geo.export._wkt(sensor.field_of_view)
    for key in ("placed_on", "end_date", "last_confirmed"):
        values[key] = values[key].strftime("%d-%m-%Y") if values.get(key) else None
    return values


def _display_errors(errors: dict) -> dict:
    """Location errors belong next to the latitude field (or the areas field)."""
    out = dict(errors)
    if "geometry" in out:
        out.setdefault("lat", out.pop("geometry"))
    return out


def _render_form(mode: str, values: dict, errors: dict, organisations=None, sensor=None, status: int = 200):
    return render_template("portal/sensor_edit.html", mode=mode, groups=form_fields(), values=values,
                           errors=_display_errors(errors), organisations=organisations or [],
                           sensor=sensor), status


@bp.route("/sensors")
@login_required
def sensors():
    """The sensors of the account's organisations."""
    db, user = get_session(), current_user()
    number = request.args.get("page", "1")
    result = svc.owned_sensors(db, user, page_number=int(number) if number.isdigit() else 1)
    unread = sum(1 for message, _sensor in svc.messages_for(db, user) if message.read_at is None)
    mine = {o.name for o in svc.organisations_for(db, user)}
    attention = [r for r in svc.reminders(db) if r["organisation"] in mine]
    return render_template("portal/sensors.html", result=result, unread=unread, attention=attention,
                           unverified=svc.unverified_organisations(db) if user.is_admin else [],
                           open_reports=len(svc.reports(db)) if user.is_admin else None, today=dt.date.today())


@bp.post("/organisations/<int:organisation_id>/verify")
@login_required
def verify_organisation(organisation_id: int):
    """A site administrator confirms an organisation created from an import's "Uw gegevens"."""
    db, user = get_session(), current_user()
    if not user.is_admin:
        fail(403, _("Only site administrators confirm organisations."))
    organisation = svc.verify_organisation(db, organisation_id)
    if organisation is None:
        fail(404, _("There is no such organisation."))
    flash(_("%(name)s is confirmed.", name=organisation.name))
    return redirect(url_for("portal.sensors"), 303)


@bp.route("/sensors/new", methods=["GET", "POST"])
@login_required
def new_sensor():
    """Register a sensor for one of the account's organisations."""
    db, user = get_session(), current_user()
    organisations = svc.organisations_for(db, user)
    if not organisations:
        fail(403, _("Your account does not work for any organisation yet. Ask a site administrator."))
    if request.method == "GET":
        return _render_form("new", {"themes": [], "status": "active"}, {}, organisations)
    data = _form_data()
    chosen = request.form.get("organisation_id", "")
    organisation = next((o for o in organisations if str(o.id) == chosen), None)
    if organisation is None:
        _clean, errors = svc.validate(data, organisation=organisations[0], locale=locale(), boundary=boundary())
        errors = {"organisation_id": _("Choose the organisation this sensor belongs to."), **errors}
        return _render_form("new", data, errors, organisations, status=422)
    try:
        sensor = svc.create_sensor(db, user=user, organisation=organisation, data=data, locale=locale(),
                                   boundary=boundary())
    except svc.SensorInvalid as invalid:
        db.rollback()
        return _render_form("new", data, invalid.errors, organisations, status=422)
    flash(_("Sensor %(reference)s is registered and shown on the map.", reference=sensor.reference))
    return redirect(url_for("public.sensor_detail", sensor_id=sensor.id), 303)


def _own_sensor(sensor_id: int):
    db, user = get_session(), current_user()
    sensor = svc.get_sensor(db, sensor_id)
    if sensor is None:
        fail(404)
    if not svc.can_edit(db, user, sensor.organisation_id):
        fail(403, _("This sensor belongs to another organisation."))
    return db, user, sensor


@bp.route("/sensors/<int:sensor_id>/edit", methods=["GET", "POST"])
@login_required
def edit_sensor(sensor_id: int):
    """Change a sensor; every change is recorded in its public history."""
    db, user, sensor = _own_sensor(sensor_id)
    if request.method == "GET":
        return _render_form("edit", _values(sensor), {}, sensor=sensor)
    data = _form_data()
    if not any(data.get(k) for k in ("lat", "lon", "areas")):
        data.pop("lat"), data.pop("lon"), data.pop("areas")  # keep the stored location
    try:
        changes = svc.update_sensor(db, user=user, sensor=sensor, data=data, locale=locale(), boundary=boundary())
    except svc.SensorInvalid as invalid:
        db.rollback()
        return _render_form("edit", _form_data(), invalid.errors, sensor=sensor, status=422)
    flash(_("Saved.") if changes else _("Nothing changed."))
    return redirect(url_for("public.sensor_detail", sensor_id=sensor.id), 303)


@bp.post("/sensors/<int:sensor_id>/confirm")
@login_required
def confirm_sensor(sensor_id: int):
    """Confirm the sensor is still there."""
    db, user, sensor = _own_sensor(sensor_id)
    svc.confirm_sensor(db, user=user, sensor=sensor)
    flash(_("Thank you: confirmed that %(reference)s is still there.", reference=sensor.reference))
    return redirect(url_for("portal.sensors"), 303)


def _upload_dir() -> Path:
    path = Path(current_app.config["DATA_DIR"]) / "sensor-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _drop_pending() -> None:
    pending = session.pop("sensor_import", None)
    if pending and str(pending.get("token", "")).replace("-", "").replace("_", "").isalnum():
        (_upload_dir() / f"{pending['token']}{pending.get('suffix', '')}").unlink(missing_ok=True)


@bp.route("/sensors/import", methods=["GET", "POST"])
@login_required
def import_sensors():
    """Upload a file, see the row-by-row report, then import all rows or only the valid ones."""
    db, user = get_session(), current_user()
    organisations = svc.organisations_for(db, user)
    if not organisations:
        fail(403, _("Your account does not work for any organisation yet. Ask a site administrator."))
    if request.method == "GET":
        return render_template("portal/sensor_import.html", organisations=organisations, result=None, error=None)
    action = request.form.get("action", "check")
    organisation = next((o for o in organisations if str(o.id) == request.form.get("organisation_id")), None)
    if organisation is None:
        return render_template("portal/sensor_import.html", organisations=organisations, result=None,
                               error=_("Choose the organisation these sensors belong to.")), 422
    if action == "check":
        upload = request.files.get("file")
        suffix = Path(upload.filename or "").suffix.lower() if upload else ""
        if not upload or suffix not in IMPORT_SUFFIXES:
            return render_template("portal/sensor_import.html", organisations=organisations, result=None,
                                   error=_("Choose a CSV, GeoJSON, GeoPackage or Excel (.xlsx) file.")), 422
        _drop_pending()  # a new check replaces the previous upload
        token = secrets.token_urlsafe(16)
        path = _upload_dir() / f"{token}{suffix}"
        try:
            upload.save(path)
            report = sensor_io.read(path, filename=str(path), organisation=organisation, locale=locale(),
                                    boundary=boundary())
        except BaseException:
            path.unlink(missing_ok=True)  # nothing of a failed check stays behind (issue 12)
            raise
        result = sensor_io.ImportResult(report)
        if result.summary()["valid"]:  # kept for the import step; `stadsregister purge` removes it later
            session["sensor_import"] = {"token": token, "suffix": suffix, "name": upload.filename,
                                        "organisation_id": organisation.id}
        else:
            path.unlink(missing_ok=True)  # nothing in it can be imported
        return render_template("portal/sensor_import.html", organisations=organisations, result=result,
                               organisation=organisation, filename=upload.filename, error=None), \
            (200 if report.ok else 422)
    pending = session.get("sensor_import")
    if not pending or pending.get("organisation_id") != organisation.id:
        return render_template("portal/sensor_import.html", organisations=organisations, result=None,
                               error=_("Upload the file again.")), 422
    path = _upload_dir() / f"{pending['token']}{pending['suffix']}"
    if not path.exists():
        session.pop("sensor_import", None)
        return render_template("portal/sensor_import.html", organisations=organisations, result=None,
                               error=_("Upload the file again.")), 422
    try:
        result = sensor_io.import_file(db, path, filename=str(path), organisation=organisation, user=user,
                                       valid_only=action == "import_valid", locale=locale(), boundary=boundary(),
                                       channel="import")
    except accounts.PermissionDenied:
        fail(403)
    if result.written:
        path.unlink(missing_ok=True)
        session.pop("sensor_import", None)
        flash(_("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                created=len(result.created), updated=len(result.updated), unchanged=len(result.unchanged)))
        return redirect(url_for("portal.sensors"), 303)
    return render_template("portal/sensor_import.html", organisations=organisations, result=result,
                           organisation=organisation, filename=pending["name"], error=None), 422


@bp.route("/sensors/messages", methods=["GET", "POST"])
@login_required
def sensor_messages():
    """Messages residents sent through the relay; opening the page changes nothing, a POST marks them read."""
    db, user = get_session(), current_user()
    items = svc.messages_for(db, user)
    if request.method == "POST":  # a GET never changes state (issue 12, point 14)
        now = svc.utcnow()
        for message, _sensor in items:
            if message.read_at is None:
                message.read_at = now
                db.add(message)
        db.commit()
        return redirect(url_for("portal.sensor_messages"), 303)
    return render_template("portal/sensor_messages.html", items=items,
                           unread=sum(1 for message, _sensor in items if message.read_at is None))


def _admin_only():
    user = current_user()
    if not user.is_admin:
        fail(403, _("Only site administrators handle reports of missing sensors."))
    return get_session(), user


@bp.route("/sensors/reports")
@login_required
def sensor_reports():
    """The moderation queue: residents' reports of sensors that are not in the register."""
    db, _user = _admin_only()
    state = request.args.get("state", "open")
    return render_template("portal/sensor_reports.html", reports=svc.reports(db, state if state != "all" else None),
                           state=state)


@bp.post("/sensors/reports/<int:report_id>")
@login_required
def handle_sensor_report(report_id: int):
    """Close a report as registered (optionally with the sensor's number) or rejected."""
    db, user = _admin_only()
    report = db.get(SensorReport, report_id)
    if report is None:
        fail(404)
    raw = request.form.get("sensor_id", "").strip()
    try:
        if raw and parse_id(raw) is None:
            raise ValueError(raw)  # not a sensor number (e.g. Unicode digits or beyond range)
        svc.handle_report(db, user=user, report=report, state=request.form.get("state", ""),
                          note=request.form.get("note", "").strip()[:2000],
                          sensor_id=parse_id(raw) if raw else None)
    except ValueError:
        db.rollback()
        flash(_("Choose 'registered' or 'rejected', and give an existing sensor number (or none)."), "error")
        return redirect(url_for("portal.sensor_reports"), 303)
    flash(_("Report handled."))
    return redirect(url_for("portal.sensor_reports"), 303)
