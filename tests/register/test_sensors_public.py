"""Public sensor pages: the map under the CSP, viewport queries, the table, one sensor, open-data
exports without personal contact data, the SensorThings API, reports and the relay."""
from __future__ import annotations

import datetime as dt
import re
import sqlite3
import tempfile
from pathlib import Path

import pytest
from sqlmodel import select

import geo
from register.models import SensorMessage, SensorReport
from register.services import sensor_io
from register.services import sensors as svc

PRIVATE = ("gmail.com", "hotmail.com", "outlook.com", "ziggo.nl", "contact_name", "contact_phone")


def leaks(text: str) -> list[str]:
    """Personal contact data in ``text``: private mailboxes, contact fields, the demo's phone numbers."""
    return [p for p in PRIVATE if p in text] + re.findall(r"(?<![\d-])06-\d{8}\b", text)


@pytest.fixture
def city(session):
    """400 demo sensors (some expired, some mobile, cameras with fields of view) and their owners."""
    sensor_io.load_demo_sensors(session, n=400)
    return session


def test_map_page_works_under_the_csp_without_cdn_or_embedded_sensors(client, city):
    page = client.get("/sensors")
    html = page.get_data(as_text=True)
    csp = page.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert page.status_code == 200
    assert "cdn" not in html.lower() and "/static/vendor/leaflet/leaflet.js" in html
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert all(f'nonce="{nonce}"' in attrs for attrs in re.findall(r"<style([^>]*)>", html))
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "img-src 'self' data:;" in csp  # no tiles configured: no tile host allowed
    assert "CITY-CAMERA" not in html and "SCAN-CAR" not in html  # sensors are fetched, not embedded
    assert client.get("/static/vendor/leaflet/leaflet.js").status_code == 200
    assert "Content-Security-Policy" in client.get("/").headers
    assert "tile.example.org" not in client.get("/").headers["Content-Security-Policy"]


def test_configured_tiles_are_allowed_on_the_map_page_only(app, city):
    app.config["MAP_TILES_URL"] = "https://tile.example.org/{z}/{x}/{y}.png"
    client = app.test_client()
    assert "https://tile.example.org" in client.get("/sensors").headers["Content-Security-Policy"]
    assert "tile.example.org" not in client.get("/sensors/list").headers["Content-Security-Policy"]


def test_viewport_clusters_at_city_zoom_and_sensors_at_street_zoom(client, city):
    city_view = client.get("/sensors.geojson?bbox=4.72,52.27,5.08,52.43&zoom=11&facets=1").get_json()
    assert city_view["clustered"] and any(f["properties"].get("cluster") for f in city_view["features"])
    shown = sum(f["properties"].get("count", 1) for f in city_view["features"])
    assert shown == city_view["total"] == svc.count(city)
    assert sum(city_view["facets"]["sensor_type"].values()) == city_view["total"]
    one = next(f for f in city_view["features"] if not f["properties"].get("cluster"))
    street = client.get("/sensors.geojson?bbox={},{},{},{}&zoom=18".format(
        one["geometry"]["coordinates"][0] - 0.001, one["geometry"]["coordinates"][1] - 0.0006,
        one["geometry"]["coordinates"][0] + 0.001, one["geometry"]["coordinates"][1] + 0.0006)).get_json()
    assert not street["clustered"] and one["id"] in [f["id"] for f in street["features"]]
    props = [f["properties"] for f in street["features"]]
    assert all("contact_email" not in p and "contact_name" not in p for p in props)
    cameras = client.get("/sensors.geojson?bbox=4.72,52.27,5.08,52.43&zoom=11&facets=1&sensor_type=camera"
                         "&personal_data=true").get_json()
    assert cameras["total"] == city_view["facets"]["sensor_type"]["camera"]
    assert client.get("/sensors.geojson?bbox=1,2,3&zoom=4").status_code == 400
    assert client.get("/sensors.geojson?bbox=4.7,52.2,5.1,52.5&zoom=12&sensor_type=radar").status_code == 400


def test_expired_sensors_are_left_off_by_default(client, city):
    today = dt.date.today()
    expired = [s for s in geo.generate_sensors(400, seed=sensor_io.DEMO_SEED, as_of=today) if s["end_date"] < today]
    assert expired
    everything = "bbox=4.6,52.2,5.2,52.5&zoom=18"
    default_ids = {f["id"] for f in client.get(f"/sensors.geojson?{everything}").get_json()["features"]}
    all_ids = {f["id"] for f in client.get(f"/sensors.geojson?{everything}&include_expired=true")
               .get_json()["features"]}
    assert not default_ids & {s["id"] for s in expired} and {s["id"] for s in expired} <= all_ids
    detail = client.get(f"/sensors/{expired[0]['id']}.json").get_json()
    assert detail["sensor"]["expired"] is True
    assert svc.mark_expired(city) >= len(expired)
    assert client.get(f"/sensors/{expired[0]['id']}.json").get_json()["history"][0]["action"] == "expired"


def test_list_is_sortable_paginated_and_has_a_json_twin(client, city):
    page = client.get("/sensors/list.json?sort=end_date&order=desc&owner_kind=company").get_json()
    ends = [i["end_date"] for i in page["items"]]
    assert ends == sorted(ends, reverse=True) and len(ends) == 20
    assert {i["owner_kind"] for i in page["items"]} == {"company"}
    assert page["total"] == page["facets"]["owner_kind"]["company"] and page["pages"] > 1
    second = client.get("/sensors/list.json?sort=end_date&order=desc&owner_kind=company&page=2").get_json()
    assert not {i["id"] for i in page["items"]} & {i["id"] for i in second["items"]}
    html = client.get("/sensors/list?sort=end_date&order=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in html and "<caption" in html
    assert not leaks(str(page["items"]))


def test_twins_of_every_public_sensor_page(client, city):
    for url in ("/sensors", "/sensors/list", "/sensors/1", "/sensors/report"):
        html, data = client.get(url), client.get(url + ".json")
        assert html.status_code == 200 and data.status_code == 200, url
        assert f'href="{url}.json' in html.get_data(as_text=True), url
    assert client.get("/sensors/999999.json").status_code == 404
    assert client.get("/sensors/999999.json").get_json()["ok"] is False


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_exports_never_contain_personal_contact_data(client, city, fmt):
    response = client.get(f"/sensors.{fmt}?include_expired=true")
    response.get_data()
    response.close()  # a streamed export keeps its request (and transaction) open until closed
    assert response.status_code == 200
    if fmt == "gpkg":
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "s.gpkg"
            path.write_bytes(response.data)
            con = sqlite3.connect(path)
            tables = [r[0] for r in con.execute("select table_name from gpkg_contents")]
            assert set(tables) == {"sensors", "sensor_areas", "camera_fields_of_view"}
            text = " ".join(str(row) for t in tables for row in con.execute(f'select * from "{t}"'))
            count = con.execute("select count(*) from sensors").fetchone()[0]
            con.close()
    else:
        text = response.get_data(as_text=True)
        count = len(text.strip().splitlines()) - 1 if fmt == "csv" else len(response.get_json()["features"])
    assert count == 400
    assert not leaks(text)
    assert "sensoren@amsterdam.example" in text or fmt == "gpkg"  # organisational addresses are public


def test_filters_apply_to_exports(client, city):
    with client.get("/sensors.geojson?sensor_type=sound") as response:
        data = response.get_json()
    assert data["features"] and {f["properties"]["sensor_type"] for f in data["features"]} == {"sound"}


def test_sensorthings_paging_count_expand_and_filters(client, city):
    base = "/sta/v1.1"
    assert {v["name"] for v in client.get(f"{base}/").get_json()["value"]} == set(geo.sta.ENTITY_SETS)
    first = client.get(f"{base}/Things?$top=5&$count=true").get_json()
    assert first["@iot.count"] == 400 and len(first["value"]) == 5
    nxt = first["@iot.nextLink"]
    assert "$skip=5" in nxt and "$top=5" in nxt
    second = client.get(nxt.replace("http://localhost", "")).get_json()
    assert [t["@iot.id"] for t in second["value"]] == [6, 7, 8, 9, 10]
    thing = client.get(f"{base}/Things(3)?$expand=Locations,Datastreams/Sensor").get_json()
    assert thing["Locations"][0]["location"]["type"] in ("Point", "Polygon", "MultiPolygon")
    assert thing["Datastreams"][0]["Sensor"]["@iot.id"] == 3
    assert not leaks(str(thing)) and "'contact_email'" not in str(thing)
    cams = client.get(f"{base}/Things?$filter=properties/sensor_type eq 'camera' and "
                      "properties/personal_data eq true&$count=true&$top=1000").get_json()
    assert cams["@iot.count"] == len(cams["value"]) > 0
    assert {t["properties"]["sensor_type"] for t in cams["value"]} == {"camera"}
    named = client.get(f"{base}/Things?$filter=name eq '{thing['name']}'").get_json()
    assert [t["@iot.id"] for t in named["value"]] == [3]
    square = "POLYGON((4.88 52.365, 4.90 52.365, 4.90 52.38, 4.88 52.38, 4.88 52.365))"
    inside = client.get(f"{base}/Locations?$filter=geo.intersects(location, geography'{square}')&$count=true"
                        "&$top=1000").get_json()
    area = geo.sta.parse_filter(f"geo.intersects(location, geography'{square}')").intersects
    expected = [s["id"] for s in geo.generate_sensors(400, seed=sensor_io.DEMO_SEED, as_of=dt.date.today())
                if area.intersects(__import__("shapely.geometry", fromlist=["shape"]).shape(s["geometry"]))]
    assert sorted(l["@iot.id"] for l in inside["value"]) == sorted(expected) and inside["@iot.count"] == len(expected)
    assert client.get(f"{base}/Datastreams(2)/Thing").get_json()["@iot.id"] == 2
    assert client.get(f"{base}/Things?$filter=foo gt 3").status_code == 400
    assert client.get(f"{base}/Things(99999)").status_code == 404


def test_resident_reports_a_missing_sensor_into_the_queue(client, session, auth):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sensors/report").get_data(as_text=True))
    bad = client.post("/sensors/report?lang=en", data={"lat": "52.09", "lon": "5.12", "description": "",
                                                       "csrf_token": token.group(1)})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="e-description"' in text and 'id="e-location"' in text
    assert session.exec(select(SensorReport)).all() == []
    good = client.post("/sensors/report", data={"lat": "52,3731", "lon": "4,8926", "description": "Camera op paal",
                                                "csrf_token": token.group(1)})
    assert good.status_code == 303
    [report] = session.exec(select(SensorReport)).all()
    assert (report.lat, report.lon, report.state) == (52.3731, 4.8926, "open")
    assert client.post("/sensors/report", data={"lat": "52.37", "lon": "4.89", "description": "x"}).status_code == 400


def test_relay_hides_private_addresses_and_reaches_the_owner(client, session, world, auth):
    shop = svc.create_sensor(session, user=world.registrant_a, organisation=world.org_a, data={
        "reference": "SHOP-1", "sensor_type": "camera", "themes": "Economie: dienstensector", "measures": "Beeld",
        "purpose": "Beveiliging", "personal_data": "nee", "lat": 52.37, "lon": 4.89, "end_date": "01-01-2031",
        "contact_email": "piet.privé@hotmail.com", "contact_name": "Piet"})
    detail = client.get(f"/sensors/{shop.id}").get_data(as_text=True)
    assert "hotmail" not in detail and "Piet" not in detail and f"/sensors/{shop.id}/contact" in detail
    form = client.get(f"/sensors/{shop.id}/contact").get_data(as_text=True)
    assert "hotmail" not in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    sent = client.post(f"/sensors/{shop.id}/contact", data={"sender_email": "buur@example.org",
                                                            "body": "Filmt uw camera mijn voordeur?",
                                                            "csrf_token": token})
    assert sent.status_code == 303 and "hotmail" not in client.get(sent.location).get_data(as_text=True)
    assert len(session.exec(select(SensorMessage)).all()) == 1
    auth.login(world.registrant_b.email)
    assert "mijn voordeur" not in client.get("/portal/sensors/messages").get_data(as_text=True)
    auth.logout()
    auth.login(world.registrant_a.email)
    assert "mijn voordeur" in client.get("/portal/sensors/messages").get_data(as_text=True)
