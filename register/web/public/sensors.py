"""Public sensor pages: the map, the accessible list, one sensor with its history, open-data
exports, and the forms to report a missing sensor and to write to an owner (the relay)."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from flask import Response, current_app, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session

import geo
import geo.places
from geo.features import map_feature
from register.db import get_engine, get_session
from register.services import sensors as svc
from register.services.sensors import notify
from register.web.common import fail, json_error, locale, respond, twin
from register.web.guards import parse_id
from register.web.public import bp
from register.web.public import sensor_places as places

GEOJSON = "application/geo+json"
MAP_CACHE = "stadsregister.sensor_map"  # built at start-up by register/web/warm.py


def boundary() -> geo.Boundary:
    """The configured city boundary (cached per app)."""
    key = "stadsregister.sensor_boundary"
    if key not in current_app.extensions:
        path = current_app.config.get("SENSOR_BOUNDARY_FILE")
        current_app.extensions[key] = geo.Boundary.from_file(path) if path else geo.Boundary.default()
    return current_app.extensions[key]


def _filters(json_errors: bool = False) -> svc.Filters:
    filters, errors = svc.Filters.from_args(request.args)
    if errors:
        field, value = next(iter(errors.items()))
        fail(400, _("Unknown value %(value)s for filter %(field)s.", value=value, field=field))
    return filters


def _bbox():
    raw = request.args.get("bbox")
    if not raw:
        return None
    try:
        return geo.parse_bbox(raw)
    except ValueError:
        fail(400, _("bbox must be west,south,east,north in degrees, e.g. 4.85,52.35,4.95,52.39."))


def _ready_index_cache() -> dict | None:
    """The app's map-index cache once the start-up build has finished; None (answer in SQL) before."""
    cache = current_app.extensions.setdefault(MAP_CACHE, {})
    ready = "sensor_index" in cache or "build_on_request" in cache or current_app.config.get("TESTING")
    return cache if ready else None


def _site_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


_STRIP_HEAD = re.compile(r'<meta http-equiv="content-type"[^>]*>|<meta name="viewport"[^>]*>|<title>.*?</title>'
                         r'|<style[^>]*>\s*html, body \{.*?</style>|<style[^>]*>\s*#map \{.*?</style>', re.DOTALL)


@twin(bp, "/sensors")
def sensor_map(fmt: str):
    """The sensor map: the page embeds no sensors; the browser asks /sensors.geojson for the view."""
    filters = _filters()
    db = get_session()
    tiles = places.tiles_url()
    # Counted from the map's index once it is built (not a count over every row; issue 16).
    counts = svc.map_counts(db, filters, cache=_ready_index_cache(), facets=fmt == "json")
    if fmt == "json":
        return respond("", fmt, total=counts["total"], filters=filters.query_args(),
                       data_url=url_for("public.sensors_geojson", _external=True),
                       list_url=url_for("public.sensor_list", _external=True, **filters.query_args()),
                       facets=counts["facets"],
                       exports={k: url_for(f"public.sensors_{k}", _external=True, **filters.query_args())
                                for k in ("geojson", "csv", "gpkg")})
    focus = request.args.get("focus", "")
    sensor = svc.get_sensor(db, int(focus)) if focus.isdigit() else None
    total = counts["total"]
    page = geo.cached_map_page(data_url=url_for("public.sensors_geojson"), tiles_url=tiles,
                              tiles_attribution=current_app.config.get("MAP_TILES_ATTRIBUTION") or None,
                              locale=locale(), nonce=g.csp_nonce,
                              leaflet_js=url_for("static", filename="vendor/leaflet/leaflet.js"),
                              leaflet_css=url_for("static", filename="vendor/leaflet/leaflet.css"),
                              base_url=url_for("public.sensor_base_layer"),
                              places_url=url_for("public.sensor_places"), total=total,
                              area_url=url_for("public.sensor_area", area_id="0" * 16).replace("0" * 16, "{id}"),
                              focus=_focus_feature(sensor) if sensor else None)
    html, status = respond("public/sensors_map.html", fmt, map_head=_STRIP_HEAD.sub("", page.head),
                           map_body=page.body, map_controls=page.controls, map_scripts=page.scripts,
                           map_in_view=page.in_view, map_id=page.map_id, filters=filters.query_args(),
                           total=total)
    return html, status, {"Content-Security-Policy": places.csp(g.csp_nonce)}


def _focus_feature(sensor) -> dict:
    """The sensor "Toon op de kaart" marks, as the map draws it."""
    return map_feature(svc.record(sensor), url_template=url_for("public.sensor_detail", sensor_id="0")
                       .replace("/0", "/{id}"))


def _stream(fmt: str, filters: svc.Filters, bbox, *, bom: bool = False, **options):
    """Export chunks from a session of their own, closed when the response is finished (the
    request's session is closed before a streamed body is sent)."""
    engine = get_engine()

    def generate():
        with Session(engine, expire_on_commit=False) as db:
            if bom:
                yield "\ufeff"
            yield from svc.iter_export(db, fmt, filters, bbox=bbox, **options)
    return generate()


@bp.get("/sensors.geojson")
def sensors_geojson():
    """With ``bbox`` and ``zoom``: what the map shows (clusters or sensors, facet counts with
    ``facets=1``).  Without: every matching sensor as an open-data FeatureCollection."""
    filters, db = _filters(), get_session()
    bbox = _bbox()
    zoom = request.args.get("zoom")
    if zoom is not None:
        if bbox is None or not zoom.isdigit():
            return json_error(400, _("Send bbox=west,south,east,north and zoom=0…22 together."))
        data = svc.viewport(db, bbox=bbox, zoom=int(zoom), filters=filters,
                            facets=request.args.get("facets") in ("1", "true"),
                            url_template=url_for("public.sensor_detail", sensor_id="0").replace("/0", "/{id}"),
                            cache=_ready_index_cache())
        return jsonify(data), 200, {"Content-Type": GEOJSON}
    chunks = _stream("geojson", filters, bbox, locale=locale(), site_url=_site_url())
    return Response(chunks, content_type=GEOJSON,
                    headers={"Content-Disposition": 'inline; filename="sensoren.geojson"'})


_AREA_ID = re.compile(r"[0-9a-f]{16}")


@bp.get("/sensors/areas/<area_id>.geojson")
def sensor_area(area_id: str):
    """A mobile sensor's area by its ``area_id`` (as the map's features name it), simplified for
    ``zoom``.  The id is a hash of the area itself, so the answer never changes: browsers keep it
    a year and the map asks for each area once, not once per sensor per viewport (issue 16)."""
    zoom = request.args.get("zoom", "18")
    if not _AREA_ID.fullmatch(area_id) or not zoom.isdigit() or int(zoom) > 22:
        return json_error(400, _("Send an area id as the map gives it and zoom=0…22."))
    geometry = svc.area(get_session(), area_id, int(zoom), cache=_ready_index_cache())
    if geometry is None:
        return json_error(404, _("No sensor in the register has this area."))
    response = jsonify({"type": "Feature", "id": area_id, "geometry": geometry, "properties": {"zoom": int(zoom)}})
    response.content_type = GEOJSON
    response.cache_control.public = True
    response.cache_control.max_age = 365 * 24 * 3600
    response.cache_control.immutable = True
    return response


@bp.get("/sensors.csv")
def sensors_csv():
    """Every matching sensor as CSV (public fields only; UTF-8 with BOM)."""
    chunks = _stream("csv", _filters(), _bbox(), locale=locale(), bom=True)
    return Response(chunks, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sensoren.csv"'})


@bp.get("/sensors.gpkg")
def sensors_gpkg():
    """Every matching sensor as a GeoPackage (layers sensors, sensor_areas, camera_fields_of_view)."""
    data = svc.export(get_session(), "gpkg", _filters(), bbox=_bbox())
    return Response(data, content_type="application/geopackage+sqlite3",
                    headers={"Content-Disposition": 'attachment; filename="sensoren.gpkg"'})


@twin(bp, "/sensors/list")
def sensor_list(fmt: str):
    """The same selection as the map, as a sortable, paginated table."""
    filters, db = _filters(), get_session()
    address, near_place = request.args.get("address", "").strip()[:120], None
    if address:  # "near an address": geocoded here, then kept in the links as coordinates
        near_place = places.resolve_place(address)
        if near_place is None:
            fail(422, _("We could not find %(address)s. Try a street and house number, a postcode, or a "
                        "neighbourhood.", address=address))
        filters.near = (near_place["lat"], near_place["lon"])
    sort = request.args.get("sort", "reference")
    sort = sort if sort in svc.SORTS else "reference"
    descending = request.args.get("order") == "desc"
    number = request.args.get("page", "1")
    number = int(number) if number.isdigit() else 1
    result = svc.page(db, filters, bbox=_bbox(), sort=sort, descending=descending, page_number=number,
                      page_size=int(current_app.config["PAGE_SIZE"]))
    items = [svc.public_record(s) for s in result["items"]]
    for item in items:
        item["url"] = url_for("public.sensor_detail", sensor_id=item["id"], _external=fmt == "json")
    _nearest_addresses(items)
    return respond("public/sensors_list.html", fmt,
                   json_keys=("total", "page", "pages", "sort", "order", "filters", "items", "facets", "near"),
                   total=result["total"], page=result["page"], pages=result["pages"], sort=sort,
                   order="desc" if descending else "asc", filters=filters.query_args(), items=items,
                   facets=result["facets"], vocab=_vocab(), districts=geo.places.Places.default().names,
                   near=near_place or ({"name": filters.query_args()["near"]} if filters.near else None),
                   address=address, geocoder=places.geocoder().server is not None)


def _nearest_addresses(items: list[dict]) -> None:
    """The nearest address of each fixed sensor on the page, when a geocoder is configured
    (asked in parallel; answers are cached by the geocoder)."""
    coder = places.geocoder()
    if coder.server is None:
        return
    fixed = [item for item in items if not item["mobile"]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for item, found in zip(fixed, pool.map(lambda i: coder.nearest_address(i["lon"], i["lat"]), fixed)):
            item["nearest_address"] = found["name"] if found else None


def _vocab() -> dict:
    loc = locale()
    return {"sensor_type": dict(geo.SENSOR_TYPES.choices(loc)), "theme": dict(geo.THEMES.choices(loc)),
            "owner_kind": dict(geo.OWNER_KINDS.choices(loc)), "legal_ground": dict(geo.LEGAL_GROUNDS.choices(loc)),
            "status": dict(geo.STATUSES.choices(loc))}


def _sensor_or_404(sensor_id: str):
    ident = parse_id(sensor_id)  # ASCII digits within the database's range (issue 12)
    sensor = svc.get_sensor(get_session(), ident) if ident else None
    if sensor is None:
        fail(404, _("There is no sensor with number %(id)s in the register.", id=sensor_id))
    return sensor


@twin(bp, "/sensors/<sensor_id>")
def sensor_detail(fmt: str, sensor_id: str):
    """One sensor: its public fields, location, and its public change history."""
    sensor = _sensor_or_404(sensor_id)
    db = get_session()
    public = svc.public_record(sensor)
    links = {"geojson": url_for("public.sensors_geojson", sensor=sensor.id, _external=True),
             "csv": url_for("public.sensors_csv", sensor=sensor.id, _external=True),
             "sta": url_for("sta.resource", resource=f"Things({sensor.id})", _external=True),
             "map": url_for("public.sensor_map", focus=sensor.id, _external=True)
             + f"#map=18/{sensor.lat:.5f}/{sensor.lon:.5f}"}
    if svc.relay_available(sensor):
        links["contact"] = url_for("public.sensor_contact", sensor_id=sensor.id, _external=True)
    district, neighbourhood = (sensor.district, sensor.neighbourhood) if sensor.district else \
        svc.place_columns(svc.record(sensor))
    place = {"district": district, "neighbourhood": neighbourhood,
             "nearest_address": None if sensor.mobile else places.geocoder().nearest_address(sensor.lon, sensor.lat)}
    html, status = respond("public/sensor.html", fmt, json_keys=("sensor", "place", "history", "links"),
                           sensor=public, place=place, history=svc.history(db, sensor), links=links,
                           vocab=_vocab(), feature=geo.sensor_feature(svc.record(sensor)),
                           map_settings=places.map_settings())
    return html, status, {"Content-Security-Policy": places.csp(g.csp_nonce)}


@twin(bp, "/sensors/report", methods=["GET", "POST"])
def sensor_report(fmt: str):
    """Report a sensor that is not in the register: where it is and what it looks like."""
    values = {"place": request.values.get("place", ""), "lat": request.values.get("lat", ""),
              "lon": request.values.get("lon", ""), "description": request.form.get("description", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        lat, lon, unknown = values["lat"], values["lon"], False
        if values["place"].strip():  # pasted coordinates (either order, either decimal mark) or an address
            found = places.resolve_place(values["place"])
            lat, lon, unknown = (found["lat"], found["lon"], False) if found else (None, None, True)
        try:
            svc.create_report(get_session(), lat=lat, lon=lon, description=values["description"],
                              locale=locale(), boundary=boundary())
        except svc.SensorInvalid as invalid:
            errors = invalid.errors
        if unknown:
            errors["location"] = _("We could not find this place. Click it on the map, or paste coordinates "
                                   "such as 52.3731, 4.8926.")
        if errors:
            if fmt == "json":
                return json_error(422, _("Some fields are not filled in correctly."),
                                  [{"field": k, "message": v} for k, v in errors.items()])
        else:
            if fmt == "json":
                return jsonify({"ok": True}), 201
            return redirect(url_for("public.sensor_report", sent=1), 303)
    html, status = respond("public/sensor_report.html", fmt, status=422 if errors else 200,
                           json_keys=("fields", "errors"), fields=["place", "lat", "lon", "description"],
                           values=values, errors=errors, sent=request.args.get("sent") == "1",
                           map_settings=places.map_settings())
    return html, status, {"Content-Security-Policy": places.csp(g.csp_nonce)}


@twin(bp, "/sensors/<sensor_id>/contact", methods=["GET", "POST"])
def sensor_contact(fmt: str, sensor_id: str):
    """Write to the owner of a sensor whose contact address is not public (the relay)."""
    sensor = _sensor_or_404(sensor_id)
    if not svc.relay_available(sensor):
        return redirect(url_for("public.sensor_detail", sensor_id=sensor.id))
    values = {"sender_email": request.form.get("sender_email", ""), "body": request.form.get("body", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            message = svc.send_message(get_session(), sensor=sensor, sender_email=values["sender_email"],
                                       body=values["body"], locale=locale())
        except svc.SensorInvalid as invalid:
            errors = invalid.errors
            if fmt == "json":
                return json_error(422, _("Some fields are not filled in correctly."), invalid.as_list())
        else:
            outcome = notify.notify_owner(get_session(), message=message, sensor=sensor,
                                          mailer=notify.Mailer.from_config(current_app.config),
                                          portal_url=url_for("portal.sensor_messages", _external=True))
            if fmt == "json":
                return jsonify({"ok": True, "next": outcome}), 201
            return redirect(url_for("public.sensor_contact", sensor_id=sensor.id, sent=outcome), 303)
    return respond("public/sensor_contact.html", fmt, status=422 if errors else 200,
                   json_keys=("sensor", "fields", "errors"),
                   sensor={"id": sensor.id, "reference": sensor.reference, "owner_name": sensor.owner_name},
                   fields=["sender_email", "body"], values=values, errors=errors,
                   sent=request.args.get("sent") if request.args.get("sent") in notify.OUTCOMES else None)
