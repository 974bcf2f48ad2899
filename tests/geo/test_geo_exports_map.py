"""Open-data exports and map features never carry personal contact data."""

import csv
import io
import json
import re

import pyogrio
import pytest

from geo import (
    build_map_page,
    build_naive_map,
    generate_sensors,
    map_feature,
    read_csv,
    read_geojson,
    read_geopackage,
    sensor_feature,
    to_csv,
    to_geojson,
    to_geopackage,
)

PRIVATE = ("contact_name", "contact_phone", "contact_email")


@pytest.fixture(scope="module")
def sensors():
    return generate_sensors(300, seed=7)


def _private_values(sensors):
    values = set()
    for s in sensors:
        values.update({s["contact_name"], s["contact_phone"]})
        if not s["contact_is_organisational"]:
            values.add(s["contact_email"])
    return values


def test_the_sample_has_private_contacts_to_leak(sensors):
    assert any("@gmail.com" in s["contact_email"] for s in sensors)


@pytest.mark.parametrize("export", [to_geojson, to_csv])
def test_text_exports_contain_no_personal_contact_data(sensors, export):
    text = export(sensors).decode("utf-8")
    assert not [v for v in _private_values(sensors) if v in text]
    # "public_contact_email" is allowed; it holds only organisational addresses
    assert not any(re.search(rf"\b{field}\b", text) for field in PRIVATE)


def test_an_organisational_address_is_published(sensors):
    doc = json.loads(to_geojson(sensors))
    published = {f["properties"]["public_contact_email"] for f in doc["features"]}
    assert "sensoren@amsterdam.example" in published
    assert not any(e and "@gmail.com" in e for e in published)


def test_geopackage_has_three_layers_and_no_contact_data(sensors, tmp_path):
    path = tmp_path / "sensors.gpkg"
    path.write_bytes(to_geopackage(sensors))
    assert [name for name, _ in pyogrio.list_layers(path)] == [
        "sensors", "sensor_areas", "camera_fields_of_view"]
    frame = pyogrio.read_dataframe(path, layer="sensors")
    assert len(frame) == len(sensors) and not set(PRIVATE) & set(frame.columns)
    cells = set(frame.astype(str).to_numpy().ravel())
    assert not cells & _private_values(sensors)
    assert len(pyogrio.read_dataframe(path, layer="sensor_areas")) == sum(
        s["mobile"] for s in sensors)


@pytest.mark.parametrize("export, reader", [(to_geojson, read_geojson), (to_csv, read_csv),
                                            (to_geopackage, read_geopackage)])
def test_an_export_can_be_imported_again(sensors, export, reader):
    report = reader(export(sensors[:40]))
    assert report.ok, report.errors[:3]
    assert [s["reference"] for s in report.sensors] == [s["reference"] for s in sensors[:40]]
    mobile = [s for s in report.sensors if s["mobile"]]
    assert mobile and all(s["geometry"]["type"] != "Point" for s in mobile)


def test_csv_has_labels_people_can_read(sensors):
    rows = list(csv.DictReader(io.StringIO(to_csv(sensors[:5]).decode("utf-8-sig"))))
    assert rows[0]["sensor_type_label"] and ";" not in rows[0]["lon"]


def test_features_never_contain_contact_fields(sensors):
    for s in sensors[:50]:
        for feature in (sensor_feature(s, locale="en"), map_feature(s)):
            assert not set(PRIVATE) & set(feature["properties"])


def test_map_page_embeds_no_sensors_and_is_csp_ready():
    page = build_map_page(nonce="r4nd0m", data_url="/sensors.geojson", locale="en")
    doc = page.document
    assert "/sensors.geojson" in doc and "FeatureCollection" not in doc
    assert 'id="sensor-filters"' in doc and 'id="sensor-map-legend"' in doc
    assert 'id="sensor-map-status"' in doc and 'data-facet="sensor_type:camera"' in doc
    inline = re.findall(r"<(?:script|style)(?![^>]*src=)[^>]*>", doc)
    assert inline and all('nonce="r4nd0m"' in tag for tag in inline)
    assert not re.search(r"\son[a-z]+\s*=", doc)  # no inline event handlers
    assert "user-scalable=no" not in doc and "tile.openstreetmap" not in doc
    assert "jquery" not in doc.lower() and "bootstrap" not in doc.lower()


def test_map_page_uses_a_configured_tile_source_and_local_leaflet():
    page = build_map_page(tiles_url="/tiles/{z}/{x}/{y}.png", leaflet_js="/static/leaflet.js",
                          leaflet_css="/static/leaflet.css")
    assert "/tiles/{z}/{x}/{y}.png" in page.document and "/static/leaflet.js" in page.head
    assert page.map_id in page.body and "stadsregisterSensorMap" in page.scripts


def test_the_naive_map_embeds_every_sensor(sensors):
    html = build_naive_map(sensors[:50])
    assert all(s["reference"] in html for s in sensors[:50])


def test_a_kept_map_page_is_the_same_page_with_each_visitors_own_nonce():
    from geo import cached_map_page

    options = {"data_url": "/sensors.geojson", "locale": "en", "total": 12}
    first, second = cached_map_page(nonce="first1", **options), cached_map_page(nonce="second2", **options)
    fresh = build_map_page(nonce="first1", **options)
    assert first.map_id == second.map_id  # rendered once
    assert second.document == first.document.replace('nonce="first1"', 'nonce="second2"')
    assert first.document.count('nonce="first1"') == fresh.document.count('nonce="first1"') > 0
    assert "second2" not in first.document and "first1" not in second.scripts + second.head
    assert "nonce=" not in cached_map_page(nonce=None, **options).document
    assert "13 sensors" in cached_map_page(nonce="x", **(options | {"total": 13})).controls
