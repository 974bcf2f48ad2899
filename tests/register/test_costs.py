"""Costs and footprint: declared figures with source and year, and the register's own measured CPU time (issue 15)."""
import json

import pytest
from sqlmodel import select

from register.models import AlgorithmVersion
from register.models.footprint import CpuMeasurement
from register.services import algorithms as algos
from register.services import costs, decisions
from tests.register.conftest import valid_entry
from tests.register.samples import WOZ_CASE

FIGURES = {"cost_licence_eur": 48000, "cost_licence_source": "invoiced", "cost_licence_year": 2025,
           "energy_running_kwh": 1250.5, "energy_running_source": "measured", "energy_running_year": 2025}


def form(**changes):
    data = {k: v for k, v in valid_entry().items() if not isinstance(v, list)}
    return data | {"theme": "Verkeer", "decision_kinds": "Besluit parkeervergunning"} | changes


@pytest.mark.parametrize("lang, changes, field, message", [
    ("nl", {"cost_staff_eur": "12000"}, "cost_staff_source", "Zeg waar dit cijfer vandaan komt en over welk jaar"),
    ("en", {"cost_staff_eur": "12000", "cost_staff_source": "declared"}, "cost_staff_year", "for which year"),
    ("en", {"energy_training_kwh": "veel"}, "energy_training_kwh", "This must be a number."),
    ("nl", {"cost_hosting_eur": "-5", "cost_hosting_source": "declared", "cost_hosting_year": "2025"},
     "cost_hosting_eur", "Geef een heel getal van 0 tot 1000000000."),
    ("en", {"cost_licence_eur": "10", "cost_licence_source": "guessed", "cost_licence_year": "2025"},
     "cost_licence_source", "Choose one of: declared, invoiced, measured."),
    ("en", {"cost_licence_eur": "10", "cost_licence_source": "declared", "cost_licence_year": "1850"},
     "cost_licence_year", "from 2000 to 2100"),
])
def test_a_cost_figure_is_refused_without_a_valid_source_and_year(auth, session, world, published, lang, changes,
                                                                  field, message):
    auth.login(world.registrant_a.email)
    url = f"/portal/algorithms/{published.code}/edit?lang={lang}"
    auth.client.get(url)
    count = len(session.exec(select(AlgorithmVersion)).all())
    response = auth.post(f"/portal/algorithms/{published.code}/edit", form(**changes), form_url=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#f-{field}"' in page and message in page
    session.expire_all()
    assert len(session.exec(select(AlgorithmVersion)).all()) == count


def test_costs_are_published_with_four_eyes_and_are_in_the_json_export(auth, client, runner, session, world,
                                                                      published, tmp_path):
    auth.login(world.registrant_a.email)
    url = f"/portal/algorithms/{published.code}/edit"
    data = form(cost_licence_eur="48.000", cost_licence_source="invoiced", cost_licence_year="2025",
                energy_running_kwh="1250,5", energy_running_source="measured", energy_running_year="2025")
    assert auth.post(url, data, form_url=url).status_code == 302
    assert "cost_licence_eur" not in client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]["entry"]
    session.expire_all()
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published)
    entry = client.get(f"/algorithms/{published.code}.json").get_json()["algorithm"]["entry"]
    assert {k: entry[k] for k in FIGURES} == FIGURES
    page = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    assert "Kosten en energie" in page and "gefactureerd" in page
    out = tmp_path / "export.json"
    assert runner.invoke(args=["algorithms", "export", str(out)]).exit_code == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert {k: exported[0][k] for k in FIGURES} == FIGURES
    overview = client.get("/costs.json").get_json()["overview"]
    assert overview["city"]["cost_licence_eur"] == 48000 and overview["city"]["with_figures"] == 1
    assert overview["domains"][0]["domain"] == "Verkeer" and overview["domains"][0]["energy_running_kwh"] == 1250.5


def test_the_footprint_formula_is_the_published_one():
    result = costs.footprint(3600.0)  # one CPU hour
    assert result["energy_wh"] == pytest.approx(3600 * 8 * 1.2 / 3600)  # 9.6 Wh
    assert result["co2e_g"] == pytest.approx(9.6 / 1000 * 268)
    assert result["energy_wh_low"] == pytest.approx(4 * 1.1) and result["energy_wh_high"] == pytest.approx(15 * 1.5)
    assert result["co2e_g_low"] < result["co2e_g"] < result["co2e_g_high"]


def test_the_register_measures_cpu_time_per_explanation_and_per_batch_receipt(app, client, session, woz):  # noqa: F811
    from tests.conftest import csrf_token

    token = csrf_token(client, f"/algorithms/{woz.code}/explain")
    for _ in range(2):
        assert client.post(f"/algorithms/{woz.code}/explain", data=dict(WOZ_CASE, csrf_token=token)).status_code == 200
    decisions.create_receipts(session=session, algorithm=woz, cases=[(WOZ_CASE, None), (WOZ_CASE, "zaak-1"),
                                                                      (dict(WOZ_CASE, wijk="Atlantis"), None)],
                              secret="s" * 32, data_dir=app.config["DATA_DIR"])
    costs.flush()  # sums are written at most every costs.FLUSH_SECONDS per process
    session.expire_all()
    rows = {r.kind: r for r in session.exec(select(CpuMeasurement)).all()}
    assert rows["explanation"].count == 2 and rows["receipt"].count == 2  # the refused case is not counted
    assert rows["explanation"].cpu_seconds > 0 and rows["receipt"].cpu_seconds > 0
    footprint = client.get(f"/algorithms/{woz.code}.json").get_json()["footprint"]
    each = footprint["explanation"]["each"]
    assert each["cpu_seconds"] == pytest.approx(rows["explanation"].cpu_seconds / 2)
    assert each["energy_wh_low"] < each["energy_wh"] < each["energy_wh_high"]
    assert footprint["method"]["grid_year"] == 2023
    page = client.get(f"/algorithms/{woz.code}?lang=en").get_data(as_text=True)
    assert "Energy this register uses to explain decisions" in page and "measured over 2 since" in page


def test_the_api_takes_cost_and_lockin_fields_and_refuses_bad_ones_field_by_field(client, session, world, published):
    from register.services import accounts

    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="t")[1]
    other = accounts.create_api_token(session=session, user=world.registrant_b, organisation=world.org_b, name="b")[1]
    session.commit()
    url = f"/api/v1/algorithms/{published.code}"
    count = len(session.exec(select(AlgorithmVersion)).all())
    bad = client.patch(url + "?lang=en", headers={"Authorization": f"Bearer {plain}"},
                       json={"cost_staff_eur": 1000, "hosting": "moon", "energy_training_kwh": -1})
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.get_json()["errors"]}
    assert fields == {"cost_staff_source", "cost_staff_year", "hosting", "energy_training_kwh",
                      "energy_training_source", "energy_training_year"}
    assert client.patch(url, headers={"Authorization": f"Bearer {other}"}, json=FIGURES).status_code == 403
    session.expire_all()
    assert len(session.exec(select(AlgorithmVersion)).all()) == count
    good = client.patch(url, headers={"Authorization": f"Bearer {plain}"}, json=FIGURES | {"hosting": "own"})
    assert good.status_code == 200 and good.get_json()["draft"]["cost_licence_eur"] == 48000
    assert "cost_licence_eur" not in good.get_json()["published"]


@pytest.mark.parametrize("lang, formula, basis", [
    ("nl", "CO2e = energie × 268 g CO2e per kWh (Nederlandse stroom, 2023)", "Het stroomcijfer geldt voor 2023"),
    ("en", "CO2e = energy × 268 g CO2e per kWh (Dutch electricity, 2023)", "The grid figure is for 2023"),
])
def test_the_costs_page_states_the_dutch_grid_figure_with_its_year_and_source(client, lang, formula, basis):
    page = client.get(f"/costs?lang={lang}").get_data(as_text=True)
    assert formula in page and basis in page
    assert '<a href="https://ember-energy.org/data/yearly-electricity-data/" lang="en">Ember, Yearly Electricity ' \
           'Data, Netherlands (2023)</a>' in page
    method = client.get("/costs.json").get_json()["overview"]["method"]
    assert method["grid_g_co2e_per_kwh"][0] == 268 and method["grid_year"] == 2023
    assert method["grid_source_url"].startswith("https://ember-energy.org/")
