"""Bulk import of sensors: every format, Amsterdam's messy workbook, RD New, the boundary, all or
nothing, valid rows only, and re-importing by reference — on SQLite and PostGIS."""
from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook
from sqlmodel import select

import geo
from register.models import Sensor, SensorChange
from register.services import sensor_io
from register.services import sensors as svc

END = (dt.date.today() + dt.timedelta(days=400)).strftime("%d-%m-%Y")
HEADER = ["Referentie", "Kies soort / type sensor", "Latitude", "Longitude",
          "In welk gebied bevindt zich de mobiele sensor?", "Wat meet de sensor?", "Waarvoor meet u dat?",
          "Thema 1", *[f"Thema {i} (niet verplicht)" for i in range(2, 9)],
          "Worden er persoonsgegevens verwerkt? (Ja/Nee)", "Wettelijke grondslag", "Privacyverklaring",
          "Wanneer wordt de sensor verwijderd? (dd-mm-jjjj)", "Opmerking (niet verplicht)", "Project"]


def stored(session):
    """Everything stored about sensors, to prove a refused import changed nothing."""
    session.expire_all()
    return ([s.model_dump() for s in session.exec(select(Sensor).order_by(Sensor.id))],
            len(session.exec(select(SensorChange)).all()))


def ws_row(ref, typ="Optische / camera sensor", lat="52,3731", lon=" 4,8926 ", area=None, personal="Nee",
           ground=None, privacy=None, end=END, theme="Veiligheid: bewakings- en/of beveiligingscamera"):
    return [ref, typ, lat, lon, area, "Beelden van de stoep", "Beveiliging", theme, *[None] * 7, personal,
            ground, privacy, end, None, "Winkelstraat"]


def workbook(rows) -> bytes:
    book = Workbook()
    owner = book.active
    owner.title = "Uw gegevens"
    for label, value in [("Naam organisatie/bedrijf", "Bakkerij Test B.V."), ("E-mail", "jan.jansen@gmail.com"),
                         ("Telefoonnummer", "06-12345678"), ("Voornaam", "Jan"), ("Achternaam", "Jansen")]:
        owner.append([label, value])
    sheet = book.create_sheet("Sensorregistratie")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_text(rows: list[dict]) -> bytes:
    columns = ["reference", "sensor_type", "lat", "lon", "measures", "purpose", "themes", "personal_data",
               "end_date"]
    lines = [";".join(columns)] + [";".join(str(r.get(c, "")) for c in columns) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_row(ref, lat="52.3731", lon="4.8926", **extra):
    return {"reference": ref, "sensor_type": "Geluidsensor", "lat": lat, "lon": lon, "measures": "Geluid in dB",
            "purpose": "Overlast meten", "themes": "Milieu: geluid", "personal_data": "Nee", "end_date": END,
            **extra}


def test_workbook_with_messy_rows_imports_after_choosing_valid_rows(session, world):
    rows = [ws_row("W-1 "), [None] * len(HEADER), ws_row("W-2", lat="52.36", lon="4.90"),
            ws_row("W-3", typ="Radar"),  # unknown type
            ws_row("W-1"),  # the same reference twice
            ws_row("W-4", end=None),  # no end date
            ws_row("W-5", typ="Optische / camera sensor", personal="Ja", ground="Gerechtvaardigd belang",
                   privacy="https://bakkerij.example/privacy"),  # personal data without retention period
            ws_row("W-6", lat=None, lon=None, area="Centrum; Oost ", typ="Optische / camera sensor")]
    data = workbook(rows)
    before = stored(session)
    result = sensor_io.import_file(session, data, filename="registratie.xlsx", organisation=world.org_b,
                                   user=world.registrant_b)
    assert not result.written and stored(session) == before
    problems = {(e.row, e.field) for e in result.report.errors}
    assert (5, "sensor_type") in problems and (6, "reference") in problems and (7, "end_date") in problems
    assert (8, "retention_days") in problems
    assert result.report.skipped_empty == [3]
    result = sensor_io.import_file(session, data, filename="registratie.xlsx", organisation=world.org_b,
                                   user=world.registrant_b, valid_only=True)
    assert result.written and sorted(result.created) == ["W-1", "W-2", "W-6"]
    w1 = svc.by_reference(session, world.org_b.id, "W-1")
    assert (w1.lat, w1.lon) == (52.3731, 4.8926)  # decimal commas and stray spaces read
    assert w1.owner_name == "Gemeente Zaanstad"  # the organisation owns it, not the workbook's text
    assert w1.contact_email == "jan.jansen@gmail.com" and not w1.contact_is_organisational
    mobile = svc.by_reference(session, world.org_b.id, "W-6")
    assert mobile.mobile and mobile.area_names == ["Centrum", "Oost"]
    assert mobile.max_lon - mobile.min_lon > 0.02  # the areas' bounding box, not a point


def test_rd_new_coordinates_are_converted_end_to_end(session, world, client):
    x, y = geo.wgs84_to_rd(4.8926, 52.3731)
    data = csv_text([csv_row("RD-1", lat=f"{y:.2f}".replace(".", ","), lon=f"{x:.2f}".replace(".", ","))])
    result = sensor_io.import_file(session, data, filename="rd.csv", organisation=world.org_a,
                                   user=world.registrant_a)
    assert result.written, result.lines()
    sensor = svc.by_reference(session, world.org_a.id, "RD-1")
    assert sensor.lon == pytest.approx(4.8926, abs=1e-5) and sensor.lat == pytest.approx(52.3731, abs=1e-5)
    # ... and the map finds it where it is.
    found = client.get("/sensors.geojson?bbox=4.89,52.372,4.895,52.374&zoom=18").get_json()
    assert [f["id"] for f in found["features"]] == [sensor.id]


def test_points_outside_the_city_are_refused_row_by_row(session, world):
    data = csv_text([csv_row("IN-1"), csv_row("UTRECHT-1", lat="52.0907", lon="5.1214")])
    before = stored(session)
    result = sensor_io.import_file(session, data, filename="s.csv", organisation=world.org_a,
                                   user=world.registrant_a, locale="en")
    assert not result.written and stored(session) == before
    [error] = result.report.errors
    assert (error.row, error.field, error.reference) == (3, "geometry", "UTRECHT-1")
    assert "outside" in error.message


def test_geojson_and_geopackage_import(session, world):
    sensors = geo.generate_sensors(30, seed=7, with_contacts=False)
    for rec in sensors:
        rec["reference"] = f"GJ-{rec['id']}"
    gj = sensor_io.import_file(session, geo.to_geojson(sensors), filename="s.geojson", organisation=world.org_a,
                               user=world.registrant_a)
    assert gj.written and len(gj.created) == 30, gj.lines()
    for rec in sensors:
        rec["reference"] = f"GP-{rec['id']}"
    gp = sensor_io.import_file(session, geo.to_geopackage(sensors), filename="s.gpkg", organisation=world.org_a,
                               user=world.registrant_a)
    assert gp.written and len(gp.created) == 30, gp.lines()
    mobile = [r for r in sensors if r["mobile"]]
    assert mobile
    stored_mobile = svc.by_reference(session, world.org_a.id, mobile[0]["reference"])
    assert stored_mobile.mobile and stored_mobile.geometry["type"] in ("Polygon", "MultiPolygon")
    cams = [r for r in sensors if r.get("field_of_view")]
    assert svc.by_reference(session, world.org_a.id, cams[0]["reference"]).field_of_view["type"] == "Polygon"


def test_reimport_updates_by_reference_and_records_the_change(session, world, client):
    first = csv_text([csv_row("R-1"), csv_row("R-2")])
    assert sensor_io.import_file(session, first, filename="a.csv", organisation=world.org_a,
                                 user=world.registrant_a).written
    again = csv_text([csv_row("R-1", measures="Geluid en trillingen"), csv_row("R-2")])
    result = sensor_io.import_file(session, again, filename="a.csv", organisation=world.org_a,
                                   user=world.registrant_a)
    assert (result.created, result.updated, result.unchanged) == ([], ["R-1"], ["R-2"])
    assert session.exec(select(Sensor).where(Sensor.organisation_id == world.org_a.id)).all().__len__() == 2
    sensor = svc.by_reference(session, world.org_a.id, "R-1")
    history = client.get(f"/sensors/{sensor.id}.json").get_json()["history"]
    assert history[0]["action"] == "updated"
    assert history[0]["changes"] == [{"field": "measures", "old": "Geluid in dB", "new": "Geluid en trillingen",
                                      "private": False}]
    # The same reference at another owner is another sensor.
    assert sensor_io.import_file(session, first, filename="a.csv", organisation=world.org_b,
                                 user=world.registrant_b).created == ["R-1", "R-2"]


def test_cli_import_all_or_nothing_then_valid_only_and_export(runner, session, world, tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_text([csv_row("C-1"), csv_row("C-2", sensor_type="Radar")]))
    before = stored(session)
    out = runner.invoke(args=["sensors", "import", str(path), "--owner", "Gemeente Amsterdam"])
    assert out.exit_code == 1 and "row 3 (C-2) [sensor_type]" in out.output
    assert stored(session) == before
    out = runner.invoke(args=["sensors", "import", str(path), "--owner", "Gemeente Amsterdam", "--valid-only"])
    assert out.exit_code == 1 and "1 new" in out.output  # written, but a row was refused (README: exit codes)
    target = tmp_path / "out.geojson"
    out = runner.invoke(args=["sensors", "export", "--format", "geojson", str(target)])
    assert out.exit_code == 0
    assert [f["properties"]["reference"] for f in json.loads(target.read_text())["features"]] == ["C-1"]
    out = runner.invoke(args=["sensors", "import", str(path), "--owner", "Nobody"])
    assert out.exit_code != 0 and "No organisation" in out.output


def test_portal_upload_shows_the_report_before_importing(session, world, auth, client):
    auth.login(world.registrant_a.email)
    data = csv_text([csv_row("P-1"), csv_row("P-2", end_date="")])
    before = stored(session)
    page = auth.post("/portal/sensors/import", {"action": "check", "organisation_id": str(world.org_a.id),
                                                "file": (io.BytesIO(data), "sensoren.csv")},
                     form_url="/portal/sensors/import", content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and "P-2" in text and "end_date" in text
    assert stored(session) == before  # checking writes nothing
    done = auth.post("/portal/sensors/import", {"action": "import_valid", "organisation_id": str(world.org_a.id)},
                     form_url="/portal/sensors/import")
    assert done.status_code == 303
    assert [s.reference for s in session.exec(select(Sensor))] == ["P-1"]


def test_api_import_is_all_or_nothing_and_reports_rows(session, world, client):
    from register.services import accounts

    _token, plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a,
                                              name="t")
    session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    data = csv_text([csv_row("A-1"), csv_row("A-2", lat="52.0907", lon="5.1214")])
    before = stored(session)
    response = client.post("/api/v1/sensors/import", headers=headers,
                           data={"file": (io.BytesIO(data), "s.csv")}, content_type="multipart/form-data")
    body = response.get_json()
    assert response.status_code == 422 and body["ok"] is False and body["errors"][0]["row"] == 3
    assert stored(session) == before
    response = client.post("/api/v1/sensors/import", headers=headers,
                           data={"file": (io.BytesIO(data), "s.csv"), "valid_only": "true"},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.get_json()["created_references"] == ["A-1"]
