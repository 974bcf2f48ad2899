"""Places without a network (districts, neighbourhoods, pasted coordinates) and addresses through
a stand-in for PDOK's Locatieserver speaking its published format."""
from __future__ import annotations

import pytest

from geo.geocode import Geocoder, GeocoderUnavailable, Locatieserver, point_of
from geo.places import Places, parse_latlon


@pytest.mark.parametrize("text", ["52.3731, 4.8926", "52,3731; 4,8926", "4.8926, 52.3731", "52.3731 4.8926",
                                  "52,3731, 4,8926", "4,8926; 52,3731", "52.3731° N, 4.8926° E"])
def test_what_map_apps_copy_is_read_in_either_order_and_decimal_mark(text):
    assert parse_latlon(text) == (52.3731, 4.8926)


@pytest.mark.parametrize("text", ["", "52.3731", "Dam 1", "52.3731, 4.8926, 3", "952.1, 4.8"])
def test_anything_else_is_refused(text):
    with pytest.raises(ValueError):
        parse_latlon(text)


def test_a_point_knows_its_district_and_neighbourhood():
    places = Places.default()
    assert places.place_of(4.8926, 52.3731)[0] == "Centrum"
    assert places.place_of(4.8940, 52.3545) == ("Zuid", "De Pijp")
    assert places.place_of(4.9331, 52.3998)[0] == "Noord"
    assert places.place_of(5.5, 52.0) == (None, None)
    assert places.places_of([4.8940, 5.5], [52.3545, 52.0]) == [("Zuid", "De Pijp"), (None, None)]


def test_offline_search_finds_districts_and_neighbourhoods_and_the_base_layer_has_water():
    places = Places.default()
    assert places.search("pijp")[0]["name"] == "De Pijp (Zuid)"
    assert places.search("noord")[0]["type"] == "stadsdeel"
    assert places.search("x") == []
    kinds = {f["properties"]["kind"] for f in places.base_layer()["features"]}
    assert kinds == {"district", "water"}


def test_locatieserver_answers_are_read_and_nearest_address_has_a_distance(locatieserver):
    server = Locatieserver(locatieserver)
    found = server.search("Dam 1")
    assert found[0] == {"name": "Dam 1, 1012JS Amsterdam", "type": "adres", "lon": 4.8926, "lat": 52.3731}
    assert {p["type"] for p in server.search("1012JS")} == {"adres", "postcode"}
    near = server.nearest_address(4.8915, 52.3556)
    assert near["name"].startswith("Ferdinand Bolstraat 1") and near["distance_m"] < 50
    assert point_of("POINT(4.1 52.2)") == (4.1, 52.2) and point_of("garbage") is None


def test_without_the_server_search_falls_back_to_the_names_shipped():
    down = Geocoder(Locatieserver("http://127.0.0.1:9/nothing", timeout=0.5))
    answer = down.search("Pijp")
    assert answer["source"] == "offline" and answer["results"][0]["name"] == "De Pijp (Zuid)"
    assert down.nearest_address(4.89, 52.37) is None
    assert Geocoder(None).search("Dam 1") == {"results": [], "source": "offline", "online": False}


def test_a_server_that_does_not_answer_is_not_asked_again_until_its_pause_is_over(locatieserver):
    """A down Locatieserver costs one failed request per pause, not one per page or per sensor."""
    now = [1000.0]
    down = Locatieserver("http://127.0.0.1:9/nothing", timeout=0.5, retry_after=30.0, clock=lambda: now[0])
    coder = Geocoder(down)
    assert coder.nearest_address(4.89, 52.37) is None
    assert [coder.nearest_address(4.89 + i / 1000, 52.37) for i in range(20)] == [None] * 20
    assert coder.search("Pijp")["source"] == "offline"
    assert down.requests_sent == 1
    now[0] += 31.0
    assert coder.nearest_address(4.89, 52.37) is None
    assert down.requests_sent == 2

    # Once it answers again, it is used again after the pause; cached answers never wait for it.
    flaky = Locatieserver(locatieserver, retry_after=30.0, clock=lambda: now[0])
    assert flaky.nearest_address(4.8915, 52.3556)["name"].startswith("Ferdinand Bolstraat 1")
    flaky.base_url = "http://127.0.0.1:9/nothing"
    with pytest.raises(GeocoderUnavailable):
        flaky.search("Dam 1")
    assert flaky.nearest_address(4.8915, 52.3556)["name"].startswith("Ferdinand Bolstraat 1")  # from its cache
    flaky.base_url = locatieserver
    with pytest.raises(GeocoderUnavailable):
        flaky.search("Dam 1")  # still pausing
    now[0] += 31.0
    assert flaky.search("Dam 1")[0]["name"] == "Dam 1, 1012JS Amsterdam"
