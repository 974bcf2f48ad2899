"""Hostile sensor uploads (issue 12, point 1): what a file claims to be is not what it is.

Each file goes through the real API import (a registrant's token) and through the readers.
Every one must be refused with a message a person can act on, store nothing, read no file of
the server's and fetch no URL — a listener on 127.0.0.1 counts the requests it receives.
"""
from __future__ import annotations

import http.server
import io
import json
import sqlite3
import threading
import time
import zipfile

import pytest
from openpyxl import Workbook
from sqlmodel import select

import geo
from register.models import Sensor, SensorChange
from register.services import accounts

SECRET = "TOPSECRET-4f1c9a"


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "server-secret.csv"
    path.write_text(f"reference,sensor_type\n{SECRET},camera\n")
    return path


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type":"FeatureCollection","features":[]}')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


def vrt(source: str) -> bytes:
    """An OGR VRT document: to GDAL, 'read this other data source'."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
            f'</OGRVRTLayer></OGRVRTDataSource>').encode()


def package(build) -> bytes:
    """An SQLite file with the GeoPackage application id, shaped by ``build(connection)``."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.gpkg"
        db = sqlite3.connect(path)
        db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        build(db)
        db.commit()
        db.close()
        return path.read_bytes()


def _contents(db, layer_sql: str, name: str = "sensors") -> None:
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
               "organization TEXT, organization_coordsys_id INTEGER, definition TEXT)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, '')")
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
               "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)")
    db.execute(f"INSERT INTO gpkg_geometry_columns VALUES ('{name}', 'geom', 'POINT', 4326, 0, 0)")
    db.execute(layer_sql)


def view_package() -> bytes:
    """gpkg_contents is a view with a query that never ends."""
    def build(db):
        _contents(db, "CREATE TABLE sensors (fid INTEGER PRIMARY KEY, geom BLOB, reference TEXT)")
        db.execute("CREATE VIEW gpkg_contents AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                   "SELECT x + 1 FROM c) SELECT 'sensors' AS table_name, 'features' AS data_type "
                   "FROM c")
    return package(build)


def virtual_layer_package() -> bytes:
    def build(db):
        _contents(db, "CREATE VIRTUAL TABLE sensors USING rtree(fid, minx, maxx)")
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT)")
        db.execute("INSERT INTO gpkg_contents VALUES ('sensors', 'features')")
    return package(build)


def runaway_column_package() -> bytes:
    """A layer whose generated column calls a function: functions never run here."""
    def build(db):
        _contents(db, "CREATE TABLE sensors (fid INTEGER PRIMARY KEY, geom BLOB, reference TEXT, "
                      "r TEXT GENERATED ALWAYS AS (hex(zeroblob(100000000))) VIRTUAL)")
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT)")
        db.execute("INSERT INTO gpkg_contents VALUES ('sensors', 'features')")
        db.execute("INSERT INTO sensors (geom, reference) VALUES (NULL, 'X-1')")
    return package(build)


def workbook_with_sheet_xml(sheet_xml: bytes) -> bytes:
    """A real workbook whose sensor sheet's XML is replaced by ``sheet_xml``."""
    book = Workbook()
    book.active.title = "Sensorregistratie"
    book.active.append(["Referentie"])
    out = io.BytesIO()
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            archive.writestr(item, data)
    return target.getvalue()


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                     .encode() for i in range(1, 10))
          + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            b'</sheetData></worksheet>')


def xxe(path) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file://{path}">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row>'
            '</sheetData></worksheet>').encode()


def zip_bomb_workbook() -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (300 * 2**20) + b"/>")
    return target.getvalue()


def deep_json() -> bytes:
    return b'{"type":"FeatureCollection","features":' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def hostile_files(secret_path, url: str) -> list[tuple[str, str, bytes]]:
    """(what, file name, bytes): each must be refused without reading or fetching anything."""
    return [
        ("VRT reading a server file", "sensors.geojson", vrt(str(secret_path))),
        ("VRT reading the database", "sensors.json", vrt("/proc/self/cwd/instance/stadsregister.sqlite")),
        ("VRT fetching a URL", "sensors.geojson", vrt(f"/vsicurl/{url}/vrt")),
        ("VRT named as GeoPackage", "sensors.gpkg", vrt(str(secret_path))),
        ("GeoJSON pointing GDAL at a URL", "sensors.geojson", f"{url}/geojson".encode()),
        ("plain SQLite, no GeoPackage", "sensors.gpkg",
         b"SQLite format 3\x00" + bytes(84) + bytes(4000)),
        ("GeoPackage with a never-ending view", "sensors.gpkg", view_package()),
        ("GeoPackage with a virtual layer", "sensors.gpkg", virtual_layer_package()),
        ("JSON nested 100,000 deep", "sensors.geojson", deep_json()),
        ("billion laughs in a workbook", "sensors.xlsx", workbook_with_sheet_xml(LAUGHS)),
        ("external entity in a workbook", "sensors.xlsx", workbook_with_sheet_xml(xxe(secret_path))),
        ("zip bomb as workbook", "sensors.xlsx", zip_bomb_workbook()),
        ("CSV renamed to workbook", "sensors.xlsx", secret_path.read_bytes()),
    ]


def stored(session):
    session.expire_all()
    return ([s.model_dump() for s in session.exec(select(Sensor).order_by(Sensor.id))],
            len(session.exec(select(SensorChange)).all()))


def test_every_hostile_file_is_refused_by_the_readers(secret_file, listener):
    url, hits = listener
    for what, name, content in hostile_files(secret_file, url):
        started = time.monotonic()
        report = geo.read_file(content, filename=name, locale="en")
        assert not report.rows, what
        assert [e.row for e in report.errors] == [None], (what, report.errors)
        message = report.errors[0].message
        assert SECRET not in message and "Traceback" not in message, what
        assert time.monotonic() - started < 60, f"{what}: the reader must stop by itself"
    assert hits == []


def test_hostile_uploads_through_the_api_store_nothing_and_fetch_nothing(
        client, session, world, secret_file, listener):
    url, hits = listener
    _token, plain = accounts.create_api_token(session=session, user=world.registrant_a,
                                              organisation=world.org_a, name="hostile")
    session.commit()
    before = stored(session)
    for what, name, content in hostile_files(secret_file, url):
        response = client.post("/api/v1/sensors/import?lang=nl",
                               headers={"Authorization": f"Bearer {plain}"},
                               data={"file": (io.BytesIO(content), name)})
        assert response.status_code == 422, (what, response.status_code)
        body = response.get_json()
        assert body["ok"] is False and body["errors"], what
        assert SECRET not in response.get_data(as_text=True), what
    assert stored(session) == before
    assert hits == []
    assert SECRET not in client.get("/sensors.csv").get_data(as_text=True)


def test_the_messages_say_what_to_do_in_the_readers_language(secret_file):
    report = geo.read_file(vrt(str(secret_file)), filename="sensors.geojson", locale="nl")
    assert report.errors[0].message.startswith("Dit is geen GeoJSON-bestand")
    report = geo.read_file(workbook_with_sheet_xml(LAUGHS), filename="s.xlsx", locale="en")
    assert "XML entities" in report.errors[0].message
    report = geo.read_file(zip_bomb_workbook(), filename="s.xlsx", locale="nl")
    assert "groter dan 200 MB" in report.errors[0].message


def test_a_real_geopackage_in_rd_new_and_a_legacy_crs_geojson_still_import():
    sensors = geo.generate_sensors(5, seed=3, with_contacts=False)
    back = geo.read_file(geo.to_geopackage(sensors), filename="s.gpkg")
    assert len(back.rows) == 5 and not back.errors
    lon, lat = sensors[0]["lon"], sensors[0]["lat"]
    x, y = geo.wgs84_to_rd(lon, lat)
    doc = json.loads(geo.to_geojson(sensors[:1]))
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    doc["features"][0]["geometry"] = {"type": "Point", "coordinates": [x, y]}
    report = geo.read_file(json.dumps(doc).encode(), filename="s.geojson")
    assert not report.errors, report.errors
    assert report.rows[0].sensor["lon"] == pytest.approx(lon, abs=1e-6)


def test_a_geopackage_column_computed_by_a_function_is_never_computed():
    started = time.monotonic()
    report = geo.read_file(runaway_column_package(), filename="s.gpkg", locale="en")
    assert time.monotonic() - started < 60  # it ends: 100 MB per row had the function run
    assert "r" not in {e.field for e in report.errors} and not report.rows
    assert {e.reference for e in report.errors} == {"X-1"}  # the row itself is reported

