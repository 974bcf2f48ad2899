"""Bulk import of CSV, GeoJSON, GeoPackage and Amsterdam's workbook, reported row by row."""

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point, Polygon

import geo
from geo import read_csv, read_file, read_geojson, read_geopackage, read_workbook


@pytest.fixture
def messy_workbook(workbook) -> bytes:
    make_workbook, workbook_row = workbook.make, workbook.row
    return make_workbook([
        workbook_row("S-01"),                                            # row 2: fine
        workbook_row(" S-02 ", lat=" 52.3600 ", lon="4.9000 "),          # row 3: stray spaces
        [None] * 22,                                                     # row 4: empty
        workbook_row("S-03", kind="Koffiezetapparaat"),                  # row 5: unknown type
        workbook_row("S-01"),                                            # row 6: duplicate
        workbook_row("S-04", lat="52,0907", lon="5,1214"),               # row 7: Utrecht
        workbook_row("S-05", end=None),                                  # row 8: no end date
        workbook_row("S-06", kind="Optische / camera sensor", lat=None, lon=None,
                     area="Centrum; Noord;West", themes=("Mobiliteit: auto",),
                     personal="Ja", ground="Publieke taak",
                     privacy="https://www.amsterdam.nl/privacy"),        # row 9: mobile
        workbook_row("S-07", lat=487400, lon=121400),                    # row 10: RD New
        workbook_row("S-08", themes=("Milieu: herrie",)),                # row 11: unknown theme
        [None] * 22, [None] * 22,                                        # trailing empties
    ])


def test_amsterdam_workbook_with_messy_rows_is_reported_by_excel_row_number(messy_workbook):
    report = read_workbook(messy_workbook, defaults={"retention_days": 28})
    by_row = report.errors_by_row()
    assert [r.row for r in report.rows] == [2, 3, 9, 10]
    assert report.skipped_empty == [4]
    assert report.total == 9 and not report.ok
    assert by_row[5][0].field == "sensor_type" and by_row[5][0].column == "Kies soort / type sensor"
    assert "rij 2" in by_row[6][0].message and by_row[6][0].reference == "S-01"
    assert by_row[7][0].field == "geometry" and "buiten" in by_row[7][0].message
    assert by_row[8][0].column == "Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)"
    assert by_row[11][0].field == "themes"
    mobile = report.rows[2].sensor
    assert mobile["mobile"] and mobile["area_names"] == ["Centrum", "Noord", "West"]
    rd = report.rows[3].sensor
    assert (round(rd["lat"], 3), round(rd["lon"], 3)) == (52.373, 4.894)


def test_workbook_owner_sheet_fills_owner_but_keeps_the_contact_private(messy_workbook):
    report = read_workbook(messy_workbook, defaults={"retention_days": 28})
    assert report.owner["organisation"] == "Bakkerij Test B.V."
    sensor = report.rows[0].sensor
    assert sensor["owner_name"] == "Bakkerij Test B.V."
    assert sensor["contact_email"] == "jan.jansen@gmail.com"
    assert sensor["contact_is_organisational"] is False


def test_workbook_without_retention_imports_rows_with_personal_data_unspecified(workbook):
    report = read_workbook(workbook.make([workbook.row(
        "C-1", kind="Optische / camera sensor", personal="Ja", ground="Publieke taak",
        privacy="https://x.example/p")]), locale="en")
    assert report.ok and report.rows[0].sensor["retention_days"] is None
    assert geo.validate.missing_retention(report.rows[0].sensor)


def test_workbook_without_the_sensor_sheet_is_one_file_error(workbook):
    book = workbook.make([workbook.row("A")], sensor_sheet="Blad1")
    report = read_workbook(book)
    assert len(report.errors) == 1 and report.errors[0].row is None
    assert "Sensorregistratie" in report.errors[0].message and report.rows == []


def test_csv_with_semicolons_decimal_commas_and_empty_lines():
    text = ("Referentie;Kies soort / type sensor;Latitude;Longitude;Wat meet de sensor?;"
            "Waarvoor meet u dat?;Thema 1;Thema 2;Worden er persoonsgegevens verwerkt?;"
            "Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)\n"
            "L-1;Chemiesensor;52,35;4,91;NO2;Lucht;Milieu: stoffen;;Nee;01-01-2028\n"
            ";;;;;;;;;\n"
            "L-2;Chemiesensor;52,35;4,91;NO2;Lucht;Milieu: stoffen;;Misschien;01-01-2028\n"
            "l-1 ;Chemiesensor;52,36;4,92;NO2;Lucht;Milieu: stoffen;;Nee;01-01-2028\n")
    report = read_csv(text.encode("utf-8-sig"), locale="en")
    assert [r.row for r in report.rows] == [2]
    assert report.skipped_empty == [3]
    assert [(e.row, e.field) for e in report.errors] == [(4, "personal_data"), (5, "reference")]


def test_csv_missing_required_columns_is_refused_as_a_whole():
    report = read_csv(b"reference,lat,lon\nA,52.37,4.89\n")
    assert report.error_rows == [] and len(report.errors) == 1
    assert "sensor_type" in report.errors[0].message


def _frame(crs="EPSG:4326"):
    rows = [
        {"reference": "G-1", "sensor_type": "sound", "themes": "environment-noise",
         "measures": "dB", "purpose": "noise", "personal_data": "false",
         "end_date": "2028-01-01", "geometry": Point(4.89, 52.37)},
        {"reference": "G-2", "sensor_type": "camera", "themes": "mobility-car",
         "measures": "plates", "purpose": "parking", "personal_data": "true",
         "legal_ground": "public-task", "privacy_statement_url": "https://a.example/p",
         "retention_days": "4 weeks", "end_date": "2028-01-01",
         "geometry": Polygon([(4.88, 52.36), (4.90, 52.36), (4.90, 52.38), (4.88, 52.36)])},
        {"reference": "G-3", "sensor_type": "sound", "themes": "environment-noise",
         "measures": "dB", "purpose": "noise", "personal_data": "false",
         "end_date": "2028-01-01", "geometry": Point(5.12, 52.09)},
    ]
    return gpd.GeoDataFrame(rows, crs="EPSG:4326").to_crs(crs)


def test_geojson_points_and_mobile_areas(tmp_path):
    path = tmp_path / "sensors.geojson"
    _frame().to_file(path, driver="GeoJSON")
    report = read_file(path)
    assert report.format == "geojson"
    assert [r.row for r in report.rows] == [1, 2]
    assert report.rows[1].sensor["mobile"] is True
    assert [(e.row, e.field) for e in report.errors] == [(3, "geometry")]


def test_geopackage_in_rd_new_is_converted_to_wgs84(tmp_path):
    path = tmp_path / "sensors.gpkg"
    _frame("EPSG:28992").to_file(path, driver="GPKG", layer="sensoren")
    report = read_geopackage(path.read_bytes())
    assert {r.sensor["reference"] for r in report.rows} == {"G-1", "G-2"}
    assert report.rows[0].sensor["lon"] == pytest.approx(4.89, abs=1e-6)
    assert len(report.errors) == 1 and report.errors[0].reference == "G-3"


def test_reading_never_changes_anything_and_unknown_formats_are_refused(tmp_path):
    with pytest.raises(ValueError):
        read_file(b"", filename="sensors.shp")
    broken = read_geojson(b"{not json")
    assert broken.errors and broken.errors[0].row is None and not broken.rows


def test_summary_is_json_ready(messy_workbook):
    report = read_workbook(messy_workbook, defaults={"retention_days": 28})
    summary = json.loads(json.dumps(report.summary()))
    assert summary["valid"] == 4 and summary["invalid"] == 5
