"""An outside review of the GDAL-free sensor readers (issue 12, point 1): hostile files the first
corpus did not try. Each must get a clear refusal a person can act on — never a crash of the
process, a server error, or gigabytes of memory from a file of a few kilobytes.
"""
from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import geo
from register.services import accounts

from .test_geo_hostile import package, workbook_with_sheet_xml

ROOT = Path(__file__).resolve().parents[2]
HEADER = b"reference,sensor_type,measures,purpose,personal_data,end_date,lat,lon\n"


def _gpkg_tables(db, geometry_column: str = "geom", srs=("EPSG", 4326)) -> None:
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, "
               "organization TEXT, organization_coordsys_id INTEGER, definition TEXT)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('x', 5, ?, ?, '')", srs)
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
               "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)")
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('sensors', ?, 'POINT', 5, 0, 0)",
               (geometry_column,))
    db.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT)")
    db.execute("INSERT INTO gpkg_contents VALUES ('sensors', 'features')")


def computed_geometry_package(megabytes: int, rows: int) -> bytes:
    """The geometry column named in gpkg_geometry_columns is a generated column: zeroblob(N)."""
    def build(db):
        _gpkg_tables(db, "g")
        db.execute("CREATE TABLE sensors (fid INTEGER PRIMARY KEY, reference TEXT, "
                   f"g BLOB GENERATED ALWAYS AS (zeroblob({megabytes * 2**20})) VIRTUAL)")
        db.executemany("INSERT INTO sensors (reference) VALUES (?)", [(f"X-{i}",) for i in range(rows)])
    return package(build)


def point_package(wkb: bytes, srs=("EPSG", 4326)) -> bytes:
    def build(db):
        _gpkg_tables(db, srs=srs)
        db.execute("CREATE TABLE sensors (fid INTEGER PRIMARY KEY, geom BLOB, reference TEXT)")
        db.execute("INSERT INTO sensors VALUES (1, ?, 'R-1')", (b"GP\x00\x01" + struct.pack("<i", 5) + wkb,))
    return package(build)


def nested_collections_wkb(depth: int) -> bytes:
    """GeometryCollection(GeometryCollection(…(Point)…)), ``depth`` deep: 9 bytes a level."""
    return struct.pack("<BII", 1, 7, 1) * depth + struct.pack("<Bidd", 1, 1, 4.9, 52.37)


def _file_error_only(report) -> str:
    assert not report.rows
    assert [e.row for e in report.errors] == [None], report.errors
    return report.errors[0].message


def test_a_geopackage_geometry_column_that_is_computed_is_refused_not_computed():
    # 20 KB file; unrefused, each row made SQLite and Python hold 3 copies of a 64 MB blob
    report = geo.read_file(computed_geometry_package(64, 3), filename="s.gpkg", locale="en")
    assert "GeoPackage" in _file_error_only(report)


def _read_in_child(content: bytes, filename: str, tmp_path) -> subprocess.CompletedProcess:
    """Read the file in a child process: a crash there must not take the test run with it."""
    path = tmp_path / filename
    path.write_bytes(content)
    code = textwrap.dedent(f"""
        import geo
        report = geo.read_file({str(path)!r}, locale="en")
        print(len(report.rows), [e.row for e in report.errors], report.errors[0].message if report.errors else "")
    """)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_deeply_nested_geometry_collections_in_a_geopackage_do_not_crash_the_server(tmp_path):
    # 1.8 MB: GEOS's WKB reader recursed once per level and the process died (SIGSEGV)
    done = _read_in_child(point_package(nested_collections_wkb(200_000)), "s.gpkg", tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-400:])
    assert done.stdout.startswith("0 ")


def test_deeply_nested_wkt_in_a_geojson_geometry_does_not_crash_the_server(tmp_path):
    wkt = "GEOMETRYCOLLECTION (" * 100_000 + "POINT (4.9 52.37)" + ")" * 100_000
    doc = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"reference":"R-1"},'
           f'"geometry":"{wkt}"}}]}}').encode()
    done = _read_in_child(doc, "s.geojson", tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-400:])


def test_a_csv_that_is_neither_utf8_nor_windows_1252_gets_a_clear_refusal():
    report = geo.read_file(HEADER + b"A\x81,x,y,z,nee,2030-01-01,52.37,4.89\n", filename="s.csv", locale="en")
    _file_error_only(report)


def test_a_csv_cell_over_128_kb_gets_a_clear_refusal():
    report = geo.read_file(HEADER + b"A," + b"x" * 200_000 + b",y,z,nee,2030-01-01,52.37,4.89\n",
                           filename="s.csv", locale="en")
    _file_error_only(report)


def _geojson(crs: object) -> bytes:
    import json
    return json.dumps({"type": "FeatureCollection", "crs": crs, "features": [
        {"type": "Feature", "properties": {"reference": "R-1"},
         "geometry": {"type": "Point", "coordinates": [4.9, 52.37]}}]}).encode()


def test_geojson_naming_an_unknown_or_malformed_crs_gets_a_clear_refusal():
    for crs in ({"type": "name", "properties": {"name": "EPSG:99999"}},
                {"type": "name", "properties": "EPSG:4326"}):
        report = geo.read_file(_geojson(crs), filename="s.geojson", locale="en")
        assert "coordinate" in _file_error_only(report).lower(), crs


def test_a_geopackage_in_an_unknown_epsg_code_gets_a_clear_refusal():
    report = geo.read_file(point_package(struct.pack("<Bidd", 1, 1, 4.9, 52.37), srs=("EPSG", 99999)),
                           filename="s.gpkg", locale="en")
    assert "99999" in _file_error_only(report)


def test_a_5_kb_workbook_that_claims_16384_columns_is_read_in_moments():
    import time
    cols = ["Referentie", "Type sensor", "Meet", "Doel", "Persoonsgegevens", "Einddatum", "Latitude", "Longitude"]
    header = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode() for c in cols)
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">' + header + b'</row>'
             b'<row r="4000"><c r="A4000" t="inlineStr"><is><t>R-1</t></is></c></row></sheetData></worksheet>')
    started = time.monotonic()  # unbounded: 11 s here, 45 minutes with the last row at 1,048,576
    report = geo.read_file(workbook_with_sheet_xml(sheet), filename="s.xlsx", locale="en")
    assert time.monotonic() - started < 60  # it ends: 45 minutes before reset_dimensions()
    assert {e.row for e in report.errors} == {4000}


def test_the_api_answers_a_broken_upload_with_422_not_a_server_error(client, session, world):
    _token, plain = accounts.create_api_token(session=session, user=world.registrant_a,
                                              organisation=world.org_a, name="review")
    session.commit()
    uploads = [("s.csv", HEADER + b"A\x81,x,y,z,nee,2030-01-01,52.37,4.89\n"),
               ("s.geojson", _geojson({"type": "name", "properties": {"name": "EPSG:99999"}}))]
    for name, content in uploads:
        response = client.post("/api/v1/sensors/import?lang=en", headers={"Authorization": f"Bearer {plain}"},
                               data={"file": (io.BytesIO(content), name)})
        assert response.status_code == 422, (name, response.status_code)


def _run_child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_deeply_nested_wkt_sent_as_a_sensors_geometry_does_not_crash_the_server():
    # validate_sensor is what POST/PATCH /api/v1/sensors, the portal's sensor form and every
    # import row call; a 2 MB WKT string in "geometry" made GEOS recurse until the worker died
    done = _run_child("""
        from geo.validate import validate_sensor
        wkt = "GEOMETRYCOLLECTION (" * 100_000 + "POINT (4.9 52.37)" + ")" * 100_000
        clean, errors = validate_sensor({"reference": "R-1", "geometry": wkt}, locale="en")
        print(errors.get("geometry"))
    """)
    assert done.returncode == 0, (done.returncode, done.stderr[-400:])


def test_deeply_nested_wkt_in_a_workbooks_geometry_cell_does_not_crash_the_server(tmp_path):
    cols = ["Referentie", "Type sensor", "Meet", "Doel", "Persoonsgegevens", "Einddatum", "Geometrie"]
    header = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % c.encode() for c in cols)
    wkt = b"GEOMETRYCOLLECTION (" * 100_000 + b"POINT (4.9 52.37)" + b")" * 100_000
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="1">' + header + b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>R-1</t></is></c>'
             b'<c r="G2" t="inlineStr"><is><t>' + wkt + b'</t></is></c></row></sheetData></worksheet>')
    done = _read_in_child(workbook_with_sheet_xml(sheet), "s.xlsx", tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-400:])


def test_a_200_kb_csv_of_junk_rows_is_answered_in_moments():
    # 100,000 one-letter rows: 800,000 row errors and 27 s of one worker's CPU here; the 25 MB
    # upload limit allows 60 times that (and its memory) from any registrant's token
    from geo.imports.report import MAX_INVALID_ROWS

    report = geo.read_file(HEADER + b"a\n" * 100_000, filename="s.csv", locale="en")
    assert not report.rows and len(report.error_rows) == MAX_INVALID_ROWS  # reading stopped there
    assert report.errors[-1].row is None and "We stopped reading at row" in report.errors[-1].message
