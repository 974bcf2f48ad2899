"""Server-side clustering for the map, and the SensorThings view of the register."""

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import SensorIndex, generate_sensors, parse_bbox, sta, validate_sensor

CITY = (4.72, 52.27, 5.09, 52.44)


@pytest.fixture(scope="module")
def sensors():
    return generate_sensors(4000, seed=11, as_of=dt.date(2026, 1, 15))


@pytest.fixture(scope="module")
def index(sensors):
    return SensorIndex(sensors, today=dt.date(2026, 1, 15))


def test_generated_sensors_are_valid_and_varied(sensors):
    sample = sensors[::97]
    assert all(validate_sensor(s, today=dt.date(2026, 1, 15))[1] == {} for s in sample)
    assert {s["sensor_type"] for s in sensors} >= {"camera", "chemical", "sound", "presence"}
    assert sum(s["mobile"] for s in sensors) >= 3
    assert sum(bool(s["field_of_view"]) for s in sensors) > 100


def test_generation_is_reproducible():
    day = dt.date(2026, 1, 1)
    assert generate_sensors(50, seed=3, as_of=day) == generate_sensors(50, seed=3, as_of=day)


@settings(max_examples=25, deadline=None)
@given(st.floats(4.72, 5.0), st.floats(52.27, 52.40), st.floats(0.005, 0.3),
       st.floats(0.005, 0.2), st.integers(9, 19))
def test_cluster_counts_add_up_to_the_sensors_in_view(index, w, s, dw, dh, zoom):
    bbox = (w, s, w + dw, s + dh)
    mask = index.filter_mask()
    view = index.query(bbox, zoom, mask=mask)
    expected = int(np.count_nonzero(index.in_bbox(bbox) & mask))
    assert view.total == expected
    assert sum(c["count"] for c in view.clusters) + len(view.sensor_rows) == expected
    assert all(c["count"] >= 2 for c in view.clusters)


def test_city_zoom_gives_clusters_and_street_zoom_gives_sensors(index):
    city = index.to_geojson(index.query(CITY, 11, mask=index.filter_mask()))
    assert city["clustered"] and any(f["properties"].get("cluster") for f in city["features"])
    dam = (4.8915, 52.3725, 4.8945, 52.3740)
    street = index.to_geojson(index.query(dam, 18))
    assert not street["clustered"] and street["total"] == len(street["features"]) > 0
    assert all(f["properties"]["url"].startswith("/sensors/") for f in street["features"])


def test_expired_sensors_are_off_the_map_by_default(index, sensors):
    expired = [s for s in sensors if s["end_date"] < dt.date(2026, 1, 15)]
    assert expired
    assert index.filter_mask().sum() + len(expired) == len(sensors)
    assert index.filter_mask(include_expired=True).all()


def test_filters_and_facet_counts(index, sensors):
    mask = index.filter_mask(sensor_type=["camera"], personal_data=True, include_expired=True)
    assert mask.sum() == sum(s["sensor_type"] == "camera" and s["personal_data"] for s in sensors)
    facets = index.facet_counts(index.filter_mask(include_expired=True))
    assert sum(facets["sensor_type"].values()) == len(sensors)
    assert facets["theme"]["mobility-car"] == sum("mobility-car" in s["themes"] for s in sensors)
    mobile = index.filter_mask(mobile=True, include_expired=True)
    assert mobile.sum() == facets["mobile"]["true"]


def test_bbox_parameter_is_checked():
    assert parse_bbox("4.8,52.3,5.0,52.4") == (4.8, 52.3, 5.0, 52.4)
    with pytest.raises(ValueError):
        parse_bbox("5.0,52.3,4.8,52.4")


def test_sensorthings_filter_equality_and_geo_intersects():
    flt = sta.parse_filter("name eq 'CAM-1' and properties/personal_data eq true and "
                           "geo.intersects(location, geography'POLYGON((4.88 52.36, 4.90 52.36, "
                           "4.90 52.38, 4.88 52.38, 4.88 52.36))')")
    assert flt.equals == {"name": "CAM-1", "properties/personal_data": True}
    assert flt.intersects.bounds == (4.88, 52.36, 4.90, 52.38)
    assert sta.sensor_conditions(flt) == {"reference": "CAM-1", "personal_data": True}
    assert sta.parse_filter("properties/owner_kind eq 'it''s'").equals == {
        "properties/owner_kind": "it's"}


@pytest.mark.parametrize("bad", ["name ne 'x'", "name eq 'x' or id eq 1", "name eq 'x' and",
                                 "geo.intersects(location, geography'POLYGON((1 2')",
                                 "substringof('x', name)"])
def test_sensorthings_filters_beyond_the_supported_subset_are_refused(bad):
    with pytest.raises(sta.FilterError):
        sta.parse_filter(bad)


def test_sensorthings_entities_and_filter_matching(sensors):
    base = "https://register.example/sta/v1.1"
    sensor = next(s for s in sensors if s["personal_data"] and not s["mobile"])
    thing = sta.thing(sensor, base)
    assert thing["@iot.selfLink"] == f"{base}/Things({sensor['id']})"
    assert thing["Datastreams@iot.navigationLink"].endswith("/Datastreams")
    assert "contact_email" not in thing["properties"]
    loc = sta.entity("Locations", sensor, base)
    assert loc["encodingType"] == "application/geo+json"
    assert sta.entity("Datastreams", sensor, base)["observationType"] == sta.OBSERVATION_TYPE
    x, y = sensor["lon"], sensor["lat"]
    around = (f"geo.intersects(location, geography'POLYGON(({x - .001} {y - .001}, "
              f"{x + .001} {y - .001}, {x + .001} {y + .001}, {x - .001} {y - .001}))')")
    assert sta.parse_filter(around).matches(loc)
    assert sta.parse_filter("properties/personal_data eq true").matches(thing)
    assert not sta.parse_filter("properties/personal_data eq false").matches(thing)


def test_sensorthings_paging_gives_next_links_until_the_end():
    url = "https://register.example/sta/v1.1/Things"
    args = {"$top": "2", "$skip": "4", "$count": "true", "$filter": "name eq 'x'"}
    body = sta.page(["a", "b"], 7, sta.paging(args), url, args)
    assert body["@iot.count"] == 7
    assert "$skip=6" in body["@iot.nextLink"] and "$top=2" in body["@iot.nextLink"]
    assert "filter" in body["@iot.nextLink"]
    last = {"$top": "2", "$skip": "6"}
    assert "@iot.nextLink" not in sta.page(["g"], 7, sta.paging(last), url, last)
    assert sta.paging({"$top": "100000"}).top == sta.MAX_TOP
    with pytest.raises(sta.FilterError):
        sta.paging({"$top": "-1"})
