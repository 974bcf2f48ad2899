"""The sensor map at city scale (issue 16): a mobile sensor's area travels once, by its id, in the
detail the zoom needs; the map page counts from the map's index and agrees with the register."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl

import pytest
import shapely
from shapely.geometry import shape
from werkzeug.datastructures import MultiDict

from register.services import sensor_io
from register.services import sensors as svc

DAM = (4.8926, 52.3731)


@pytest.fixture
def city(session):
    sensor_io.load_demo_sensors(session, n=400)
    return session


def scan_car(session, world, reference: str, area: shapely.Geometry):
    return svc.create_sensor(session, user=world.registrant_a, organisation=world.org_a, data={
        "reference": reference, "sensor_type": "camera", "themes": "Economie: dienstensector",
        "measures": "Kentekens", "purpose": "Parkeercontrole", "personal_data": "nee", "mobile": "ja",
        "geometry": shapely.to_wkt(area), "end_date": "01-01-2031"})


def view_around(client, area: shapely.Geometry, zoom: int = 15) -> dict:
    w, s, e, n = area.bounds
    return client.get(f"/sensors.geojson?bbox={w},{s},{e},{n}&zoom={zoom}").get_json()


def test_a_shared_area_is_named_by_one_id_and_fetched_once_in_the_detail_the_zoom_needs(client, session, world):
    round_dam = shapely.Point(DAM).buffer(0.004, quad_segs=100)  # 400 corners
    other = shapely.Point(4.90, 52.36).buffer(0.003, quad_segs=8)
    first, second = scan_car(session, world, "SCAN-1", round_dam), scan_car(session, world, "SCAN-2", round_dam)
    scan_car(session, world, "SCAN-3", other)

    view = view_around(client, round_dam.union(other))
    cars = {f["id"]: f["properties"] for f in view["features"] if f["properties"].get("area_id")}
    assert {first.id, second.id} <= set(cars)
    assert cars[first.id]["area_id"] == cars[second.id]["area_id"]
    assert len({p["area_id"] for p in cars.values()}) == 2
    assert not any("area" in f["properties"] for f in view["features"])  # no geometry repeated per sensor

    address = f"/sensors/areas/{cars[first.id]['area_id']}.geojson"
    full = client.get(f"{address}?zoom=18")
    assert full.status_code == 200 and full.headers["Content-Type"].startswith("application/geo+json")
    assert "immutable" in full.headers["Cache-Control"] and "max-age=31536000" in full.headers["Cache-Control"]
    assert shape(full.get_json()["geometry"]).equals(shape(first.geometry))
    city_zoom = shape(client.get(f"{address}?zoom=11").get_json()["geometry"])
    assert shapely.get_num_coordinates(city_zoom) < shapely.get_num_coordinates(round_dam) / 4
    assert city_zoom.is_valid and abs(city_zoom.area - round_dam.area) < round_dam.area * 0.05


def test_unknown_or_malformed_area_requests_say_what_is_wrong(client, session, world):
    scan_car(session, world, "SCAN-1", shapely.Point(DAM).buffer(0.004))
    missing = client.get(f"/sensors/areas/{'0' * 16}.geojson?zoom=12")
    assert missing.status_code == 404 and missing.get_json()["ok"] is False
    for bad in (f"/sensors/areas/{'0' * 15}g.geojson", f"/sensors/areas/{'0' * 16}.geojson?zoom=x",
                f"/sensors/areas/{'0' * 16}.geojson?zoom=23"):
        assert client.get(bad).status_code == 400, bad
    assert "gebied" in client.get(f"/sensors/areas/{'0' * 15}g.geojson").get_json()["error"]


@pytest.mark.parametrize("query", ["", "sensor_type=camera", "personal_data=true&owner_kind=company",
                                   "theme=safety-surveillance-camera&mobile=false", "include_expired=true",
                                   "status=removed", "district=Centrum"])
def test_the_map_pages_counts_agree_with_the_register(client, city, query):
    filters, errors = svc.Filters.from_args(MultiDict(parse_qsl(query)))
    assert not errors
    page = client.get(f"/sensors.json?{query}").get_json()
    assert page["total"] == svc.count(city, filters)
    assert page["facets"] == svc.facet_counts(city, svc.conditions(city, filters))
    html = client.get(f"/sensors?{query}").get_data(as_text=True)
    assert re.search(r'id="sensor-map-count"[^>]*>(\d+) ', html).group(1) == str(page["total"])


def test_the_count_follows_a_change_and_every_page_has_its_own_nonce(client, city):
    before = client.get("/sensors.json").get_json()["total"]
    sensor = svc.get_sensor(city, 5)
    svc.update_sensor(city, user=None, sensor=sensor, check_permission=False, data={"status": "removed"})
    assert client.get("/sensors.json").get_json()["total"] == before - 1
    nonces = []
    for _ in range(2):
        page = client.get("/sensors")
        nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
        tags = re.findall(r"<(?:script|style)(?![^>]*\bsrc=)[^>]*>", page.get_data(as_text=True))
        assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
