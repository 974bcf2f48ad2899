"""Coordinates as people type them, RD New conversion, and the city boundary."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import Boundary, Districts, detect_crs, parse_number, rd_to_wgs84, to_wgs84, wgs84_to_rd
from geo.crs import RD_NEW, WGS84, CoordinateError


def test_dam_square_in_rd_new_converts_to_its_latitude_and_longitude():
    lon, lat = rd_to_wgs84(121400, 487400)
    assert lat == pytest.approx(52.373, abs=0.001)
    assert lon == pytest.approx(4.893, abs=0.001)


def test_rd_coordinates_typed_into_latitude_and_longitude_columns_are_recognised():
    # x in the "longitude" column, y in "latitude", with Dutch thousand separators and a comma
    lon, lat = to_wgs84("121.400", "487.400,0")
    assert (round(lat, 3), round(lon, 3)) == (52.373, 4.894)
    assert detect_crs(487400, 121400) == (RD_NEW, False)


@pytest.mark.parametrize("typed, value", [
    ("52,373", 52.373), (" 4.893 ", 4.893), ("121 400", 121400.0), ("121.400,5", 121400.5),
    ("52.373°", 52.373), ("\u00a052,3\u00a0", 52.3), (4.9, 4.9), ("", None), (None, None),
])
def test_numbers_with_decimal_commas_and_stray_spaces_are_read(typed, value):
    assert parse_number(typed) == value


def test_swapped_latitude_and_longitude_are_put_right():
    assert to_wgs84("52.373", "4.893") == (4.893, 52.373)
    assert detect_crs(4.893, 52.373) == (WGS84, True)


@pytest.mark.parametrize("x, y", [("abc", "4.9"), (0, 0), (-74.0, 40.7)])
def test_coordinates_that_are_not_in_the_netherlands_or_not_numbers_are_refused(x, y):
    with pytest.raises(CoordinateError):
        to_wgs84(x, y)


@settings(max_examples=60, deadline=None)
@given(st.floats(4.75, 5.05), st.floats(52.29, 52.42))
def test_rd_new_round_trip_stays_within_a_millimetre(lon, lat):
    x, y = wgs84_to_rd(lon, lat)
    back = to_wgs84(x, y)
    assert back[0] == pytest.approx(lon, abs=1e-8) and back[1] == pytest.approx(lat, abs=1e-8)


def test_dam_square_is_inside_amsterdam_and_utrecht_and_schiphol_are_not(boundary):
    assert boundary.contains(4.893, 52.373)
    assert not boundary.contains(5.121, 52.091)  # Utrecht
    assert not boundary.contains(4.764, 52.308)  # Schiphol (Haarlemmermeer)
    assert boundary.contains(5.043, 52.307)      # Weesp joined Amsterdam in 2022


def test_a_city_can_configure_its_own_boundary_from_a_geojson_file(tmp_path):
    square = {"type": "Feature", "properties": {"name": "Utrecht"}, "geometry": {
        "type": "Polygon", "coordinates": [[[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2],
                                            [5.0, 52.0]]]}}
    path = tmp_path / "utrecht.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [square]}))
    utrecht = Boundary.from_file(path)
    assert utrecht.name == "Utrecht"
    assert utrecht.contains(5.121, 52.091) and not utrecht.contains(4.893, 52.373)


def test_districts_are_found_by_the_names_people_use():
    districts = Districts.default()
    assert len(districts.names) >= 8
    for typed in ("Noord", "stadsdeel noord", "Amsterdam-Noord", "  NOORD "):
        assert districts.lookup(typed)[0] == "Noord"
    assert districts.lookup("Rotterdam") is None
    centrum = districts.lookup("Centrum")[1]
    assert centrum.contains(__import__("shapely").Point(4.893, 52.373))
