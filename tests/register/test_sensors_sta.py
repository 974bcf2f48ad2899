"""The SensorThings view as a client sees it: the app served on 127.0.0.1 and read with a
published SensorThings client library (frost-sta-client), plus the options it sends."""
from __future__ import annotations

import itertools
import threading

import frost_sta_client as fsc
import pytest
import requests
from werkzeug.serving import make_server

from register.services import sensor_io

SENSING_CORE = {"Things", "Locations", "HistoricalLocations", "Sensors", "ObservedProperties", "Datastreams",
                "Observations", "FeaturesOfInterest"}


@pytest.fixture
def live(app, session):
    """The register with 120 demo sensors, served by werkzeug on a free port."""
    sensor_io.load_demo_sensors(session, n=120)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base  # links (@iot.nextLink, selfLinks) name the public address only
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()


@pytest.mark.parametrize("version", ["v1.1", "v1.0"])
def test_a_client_finds_all_eight_entity_sets_at_both_roots(live, version):
    root = requests.get(f"{live}/sta/{version}/", timeout=10).json()
    assert {v["name"] for v in root["value"]} == SENSING_CORE
    assert all(v["url"].startswith(f"{live}/sta/{version}/") for v in root["value"])
    for name in ("Observations", "FeaturesOfInterest", "HistoricalLocations"):
        body = requests.get(f"{live}/sta/{version}/{name}?$count=true", timeout=10).json()
        assert body == {"@iot.count": 0, "value": []}
    assert requests.get(f"{live}/sta/{version}/Observations(1)", timeout=10).status_code == 404


def test_the_frost_client_lists_orders_selects_and_pages_things(live):
    service = fsc.SensorThingsService(f"{live}/sta/v1.0")
    things = service.things().query().orderby("name", "DESC").top(7).list()
    names = [t.name for t in itertools.islice(things, 7)]
    assert len(names) == 7 and names == sorted(names, reverse=True)
    everything = [t.id for t in service.things().query().top(50).list()]  # follows @iot.nextLink
    assert len(everything) == 120 and len(set(everything)) == 120
    locations = service.locations().query().filter(f"name eq '{names[0]}'").list()
    assert [loc.name for loc in locations] == [names[0]]
    assert list(service.observations().query().list()) == []
    assert list(service.features_of_interest().query().list()) == []
    fixed = next(iter(service.things().query().filter("properties/mobile eq false").top(1).list()))
    datastream = service.datastreams().find(fixed.id)
    assert datastream.id == fixed.id and datastream.observation_type.endswith("OM_Observation")


def test_select_orderby_and_geojson_result_format(live):
    base = f"{live}/sta/v1.1"
    body = requests.get(f"{base}/Things?$select=@iot.id,name&$orderby=@iot.id desc&$top=3", timeout=10).json()
    assert [set(t) for t in body["value"]] == [{"@iot.id", "name"}] * 3
    assert [t["@iot.id"] for t in body["value"]] == [120, 119, 118]
    by_type = requests.get(f"{base}/Things?$orderby=properties/sensor_type,@iot.id&$top=120", timeout=10).json()
    types = [t["properties"]["sensor_type"] for t in by_type["value"]]
    assert types == sorted(types)
    geo = requests.get(f"{base}/Locations?$resultFormat=GeoJSON&$top=5&$count=true", timeout=10)
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    collection = geo.json()
    assert collection["type"] == "FeatureCollection" and collection["@iot.count"] == 120
    assert len(collection["features"]) == 5
    assert all(f["geometry"]["type"] in ("Point", "Polygon", "MultiPolygon") for f in collection["features"])
    things = requests.get(f"{base}/Things?$resultFormat=GeoJSON&$top=2", timeout=10).json()
    assert all(f["geometry"] and f["properties"]["name"] for f in things["features"])
    for bad in ("$orderby=contact_email", "$orderby=name sideways", "$select=name;drop", "$resultFormat=CSV"):
        answer = requests.get(f"{base}/Things?{bad}", timeout=10)
        assert answer.status_code == 400 and answer.json()["ok"] is False, bad
