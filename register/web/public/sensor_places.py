"""Places for the sensor pages: the offline base layer, address and place search (PDOK's
Locatieserver when configured, district and neighbourhood names always), and the settings the
small maps on the sensor and report pages need (issue 14)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, jsonify, request, url_for

from geo.geocode import Geocoder, Locatieserver
from geo.places import Places, parse_latlon
from register.web.public import bp


def geocoder() -> Geocoder:
    """The app's geocoder (one per app, so its small answer cache is shared by requests)."""
    key = "stadsregister.geocoder"
    if key not in current_app.extensions:
        url = current_app.config.get("GEOCODER_URL") or ""
        current_app.extensions[key] = Geocoder(Locatieserver(url) if url else None, Places.default())
    return current_app.extensions[key]


def tiles_url() -> str | None:
    return current_app.config.get("MAP_TILES_URL") or None


def map_settings() -> dict:
    """What a small map needs: tiles and their attribution, or the offline base layer."""
    return {"tiles": tiles_url() or "", "attribution": current_app.config.get("MAP_TILES_ATTRIBUTION") or "",
            "base": url_for("public.sensor_base_layer"), "places": url_for("public.sensor_places"),
            "leaflet_js": url_for("static", filename="vendor/leaflet/leaflet.js"),
            "leaflet_css": url_for("static", filename="vendor/leaflet/leaflet.css"),
            "script": url_for("static", filename="sensor-place.js")}


def csp(nonce: str) -> str:
    """The map pages' policy: the tile host (if any) may serve images; nothing else is loosened."""
    img = "'self' data:"
    url = tiles_url()
    if url:
        parts = urlsplit(url.replace("{s}", "a"))
        host = re.sub(r"^[a-c]\.", "*.", parts.netloc) if "{s}" in url else parts.netloc
        img += f" {parts.scheme}://{host}"
    return ("default-src 'self'; " f"img-src {img}; style-src 'self' 'nonce-{nonce}'; "
            f"script-src 'self' 'nonce-{nonce}'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")


def resolve_place(text: str) -> dict | None:
    """A typed or pasted place: coordinates in either order and decimal mark, else the first
    address or name found.  None when nothing matches."""
    text = str(text or "").strip()
    if not text:
        return None
    try:
        lat, lon = parse_latlon(text)
    except ValueError:
        found = geocoder().search(text)["results"]
        return found[0] if found else None
    return {"name": f"{lat:.6f}, {lon:.6f}", "type": "coordinates", "lat": lat, "lon": lon}


@bp.get("/sensors/base.geojson")
def sensor_base_layer():
    """The offline background: the city's districts and main water (shipped, approximate)."""
    response = jsonify(Places.default().base_layer())
    response.headers["Content-Type"] = "application/geo+json"
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/sensors/places.json")
def sensor_places():
    """Places matching ``q``: pasted coordinates, addresses and postcodes (Locatieserver), and
    districts and neighbourhoods by name.  The query is passed on, never stored or logged."""
    text = request.args.get("q", "")[:120]
    try:
        lat, lon = parse_latlon(text)
    except ValueError:
        answer = geocoder().search(text)
    else:
        answer = {"results": [{"name": f"{lat:.6f}, {lon:.6f}", "type": "coordinates", "lat": lat, "lon": lon}],
                  "source": "coordinates", "online": False}
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response
