"""Where sensors are, as residents look for them: districts and addresses in the list, a location
filter, the sensor page's place and nearest address, the map's count and marked sensor, and
reporting a sensor by pasted coordinates or an address (issue 14).  PDOK's Locatieserver is
stood in for by a local server speaking its published format."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import update
from sqlmodel import select

from register.models import Sensor, SensorReport
from register.services import sensor_io
from register.services import sensors as svc


@pytest.fixture
def city(session):
    sensor_io.load_demo_sensors(session, n=400)
    return session


@pytest.fixture
def online(app, locatieserver):
    """The app with its geocoder pointed at the stand-in Locatieserver."""
    app.config["GEOCODER_URL"] = locatieserver
    app.extensions.pop("stadsregister.geocoder", None)
    return app.test_client()


def _token(client, url):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_every_sensor_knows_its_district_and_the_list_filters_on_it(client, city):
    fixed = city.exec(select(Sensor).where(Sensor.mobile == False)).all()
    assert all(s.district for s in fixed)
    centrum = svc.count(city, svc.Filters(district=["Centrum"]))
    assert 0 < centrum < svc.count(city)
    data = client.get("/sensors/list.json?district=Centrum&sort=district").get_json()
    assert data["total"] == centrum and {i["district"] for i in data["items"]} == {"Centrum"}
    assert all(i["neighbourhood"] for i in data["items"] if not i["mobile"])
    page = client.get("/sensors/list?district=centrum").get_data(as_text=True)
    assert "Burgwallen" in page or "Jordaan" in page or "Grachtengordel" in page
    assert client.get("/sensors/list?district=Atlantis").status_code == 400


def test_near_an_address_keeps_the_sensors_within_the_radius(online, city):
    data = online.get("/sensors/list.json?address=Dam 1&radius=1000").get_json()
    assert data["near"]["name"] == "Dam 1, 1012JS Amsterdam" and data["filters"]["near"].startswith("52.373")
    assert 0 < data["total"] < 400
    for item in data["items"]:
        assert abs(item["lat"] - 52.3731) < 0.0095 and abs(item["lon"] - 4.8926) < 0.0150
    assert all(i["nearest_address"] for i in data["items"] if not i["mobile"])
    pasted = online.get("/sensors/list.json?address=4,8926; 52,3731&radius=1000").get_json()
    assert pasted["total"] == data["total"]
    assert online.get("/sensors/list?address=Nergenshuizen 99").status_code == 422


def test_offline_the_list_has_no_address_column_but_finds_neighbourhoods(client, city):
    data = client.get("/sensors/list.json?address=De Pijp").get_json()
    assert data["near"]["name"] == "De Pijp (Zuid)" and data["total"] > 0
    assert all("nearest_address" not in i for i in data["items"])


def test_sensor_page_names_district_and_nearest_address_and_links_to_itself_on_the_map(online, city):
    sensor = city.exec(select(Sensor).where(Sensor.mobile == False)).first()
    data = online.get(f"/sensors/{sensor.id}.json").get_json()
    assert data["place"]["district"] == sensor.district
    assert data["place"]["nearest_address"]["name"].endswith("Amsterdam")
    assert f"focus={sensor.id}" in data["links"]["map"]
    html = online.get(f"/sensors/{sensor.id}").get_data(as_text=True)
    assert 'data-sensor-map="show"' in html and sensor.district in html
    page = online.get(f"/sensors?focus={sensor.id}")
    assert f'"reference": "{sensor.reference}"' in page.get_data(as_text=True)


def test_map_page_starts_with_the_filtered_count_and_the_data_carries_it(client, city):
    cameras = svc.count(city, svc.Filters(sensor_type=["camera"]))
    page = client.get("/sensors?sensor_type=camera").get_data(as_text=True)
    assert f"{cameras} sensoren in het register passen bij de filters." in page
    view = client.get("/sensors.geojson?bbox=4.72,52.27,5.08,52.43&zoom=11&sensor_type=camera").get_json()
    assert view["matching"] == cameras
    assert client.get("/sensors/base.geojson").get_json()["features"]


def test_places_search_reads_coordinates_addresses_and_names(online):
    assert online.get("/sensors/places.json?q=52,3731; 4,8926").get_json()["results"][0]["lat"] == 52.3731
    found = online.get("/sensors/places.json?q=1012JS").get_json()
    assert found["source"] == "pdok" and found["results"][0]["name"].startswith(("Dam 1", "1012JS"))
    assert online.get("/sensors/places.json?q=Jordaan").get_json()["results"][0]["type"] == "buurt"


@pytest.mark.parametrize("place", ["52.3731, 4.8926", "52,3731; 4,8926", "4.8926, 52.3731", "Dam 1"])
def test_a_resident_reports_a_sensor_by_pasting_or_typing_the_place(online, session, place):
    sent = online.post("/sensors/report", data={"place": place, "description": "Camera op een paal",
                                                "csrf_token": _token(online, "/sensors/report")})
    assert sent.status_code == 303
    [report] = session.exec(select(SensorReport)).all()
    assert (report.lat, report.lon) == (52.3731, 4.8926)


def test_an_unknown_place_is_refused_with_a_clear_message_and_nothing_stored(online, session):
    answer = online.post("/sensors/report?lang=en", data={"place": "Nergenshuizen 99", "description": "Camera",
                                                          "csrf_token": _token(online, "/sensors/report")})
    assert answer.status_code == 422 and "could not find this place" in answer.get_data(as_text=True)
    assert session.exec(select(SensorReport)).all() == []


def test_the_map_index_follows_changes_without_a_rebuild(client, city, app):
    city.execute(update(Sensor).values(updated_at=svc.utcnow() - dt.timedelta(hours=1)))  # loaded earlier
    city.commit()
    first = client.get("/sensors.geojson?bbox=4.72,52.27,5.08,52.43&zoom=11").get_json()
    index = app.extensions["stadsregister.sensor_map"]["sensor_index"][0]
    sensor = city.exec(select(Sensor).where(Sensor.mobile == False)).first()
    svc.update_sensor(city, user=None, sensor=sensor, data={"lat": "52.3600", "lon": "4.9500"},
                      check_permission=False)
    around = client.get("/sensors.geojson?bbox=4.9495,52.3597,4.9505,52.3603&zoom=19").get_json()
    assert sensor.id in [f["id"] for f in around["features"]]
    after = app.extensions["stadsregister.sensor_map"]["sensor_index"][0]
    assert after is not index and len(after) == len(index) and first["total"] > 0
    unchanged = next(i for i, s in enumerate(index.sensors) if s["id"] != sensor.id)
    assert after.sensors[unchanged] is index.sensors[unchanged]  # laid in, not rebuilt


def test_production_gets_pdok_background_and_search_out_of_the_box_and_both_can_change(tmp_path):
    from register import config

    def settings(**given):
        return config.finalise({**config.DEFAULTS, "ENV": "production", "SECRET_KEY": "s" * 40, **given},
                               str(tmp_path))
    default = settings()
    assert default["MAP_TILES_URL"].startswith("https://service.pdok.nl/brt/achtergrondkaart/wmts/")
    assert "Kadaster" in default["MAP_TILES_ATTRIBUTION"]
    assert default["GEOCODER_URL"] == "https://api.pdok.nl/bzk/locatieserver/search/v3_1"
    offline = settings(MAP_TILES_URL="", GEOCODER_URL="")
    assert offline["MAP_TILES_URL"] == "" and offline["GEOCODER_URL"] == ""
    other = settings(MAP_TILES_URL="https://tiles.example/{z}/{x}/{y}.png")
    assert other["MAP_TILES_ATTRIBUTION"] == ""  # PDOK's attribution only with PDOK's tiles
    testing = config.finalise({**config.DEFAULTS, "ENV": "testing"}, str(tmp_path))
    assert testing["MAP_TILES_URL"] == "" and testing["GEOCODER_URL"] == ""


def test_with_pdok_tiles_the_map_pages_allow_that_host_and_credit_it(app, city):
    from register import config

    app.config.update(MAP_TILES_URL=config.PDOK_TILES_URL, MAP_TILES_ATTRIBUTION=config.PDOK_TILES_ATTRIBUTION)
    client = app.test_client()
    page = client.get("/sensors")
    assert "https://service.pdok.nl" in page.headers["Content-Security-Policy"]
    assert "Kadaster" in page.get_data(as_text=True) and "/sensors/base.geojson" not in page.get_data(as_text=True)
    sensor = city.exec(select(Sensor)).first()
    detail = client.get(f"/sensors/{sensor.id}")
    assert "https://service.pdok.nl" in detail.headers["Content-Security-Policy"]
    assert 'data-tiles="https://service.pdok.nl' in detail.get_data(as_text=True)
