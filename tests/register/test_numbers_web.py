"""Numbers typed on the explain form and sent to the JSON API are read in the request's language,
and a number that could mean two plausible values is refused naming both (issue 10, point 3)."""
import json

import pytest

from .samples import ARTEFACTS, register
from .samples import WOZ_CASE as CASE

WOZ = ARTEFACTS / "woz"


def woz_spec(**plot_rules) -> dict:
    spec = json.loads((WOZ / "spec.json").read_text())
    plot = next(f for f in spec["features"] if f["name"] == "perceeloppervlak")
    for key, value in plot_rules.items():
        if value is None:
            plot.pop(key, None)
        else:
            plot[key] = value
    return spec


@pytest.fixture
def woz_decimal_plot(session, app, published):
    """The WOZ model with a plot size that may have decimals: '1.250' fits as 1250 and as 1.25."""
    register(session, app, published, spec=woz_spec(integer=None, step=None, decimals=2))
    return published


def post_form(client, code, lang, **values):
    page = client.get(f"/algorithms/{code}/explain?lang={lang}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(f"/algorithms/{code}/explain?lang={lang}", data=dict(CASE, csrf_token=csrf, **values))


@pytest.mark.parametrize("lang,typed,shown", [
    ("nl", "1.250", "1.250 m²"), ("en", "1,250", "1,250 m²"),
    ("en", "1.250", "1,250 m²"),  # 1.25 is no whole number of m², so only one reading fits
    ("nl", "1.250,0", "1.250 m²"),
])
def test_the_form_reads_numbers_the_way_the_page_writes_them(client, woz, lang, typed, shown):
    response = post_form(client, woz.code, lang, perceeloppervlak=typed)
    assert response.status_code == 200
    assert shown in response.get_data(as_text=True)


@pytest.mark.parametrize("lang,typed,named", [
    ("nl", "1.250", ("1250", "1,25")), ("en", "1,250", ("1250", "1.25")), ("en", "1.250", ("1.25", "1250")),
])
def test_the_form_refuses_a_number_with_two_plausible_readings_naming_both(client, woz_decimal_plot, lang,
                                                                            typed, named):
    response = post_form(client, woz_decimal_plot.code, lang, perceeloppervlak=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="e-perceeloppervlak"' in html
    message = html.split('id="e-perceeloppervlak"')[1].split("</p>")[0]
    assert all(reading in message for reading in named), message


def test_the_form_takes_an_unambiguous_decimal_in_either_language(client, woz_decimal_plot):
    assert "1.250,50 m²" in post_form(client, woz_decimal_plot.code, "nl", perceeloppervlak="1.250,5").get_data(as_text=True)
    assert "1,250.50 m²" in post_form(client, woz_decimal_plot.code, "en", perceeloppervlak="1,250.5").get_data(as_text=True)
    assert "12.50 m²" in post_form(client, woz_decimal_plot.code, "en", perceeloppervlak="12,5").get_data(as_text=True)


def test_explain_json_takes_json_numbers_and_reads_strings_in_the_requests_language(client, woz_decimal_plot):
    url = f"/algorithms/{woz_decimal_plot.code}/explain.json"
    as_number = client.post(url, json=dict(CASE, perceeloppervlak=1250))
    assert as_number.status_code == 200
    assert as_number.get_json()["explanation"]["inputs"]["perceeloppervlak"] == 1250
    fraction = client.post(url + "?lang=en", json=dict(CASE, perceeloppervlak=0.125))
    assert fraction.get_json()["explanation"]["inputs"]["perceeloppervlak"] == 0.125
    dutch = client.post(url + "?lang=nl", json=dict(CASE, perceeloppervlak="0,125"))
    assert dutch.get_json()["explanation"]["inputs"]["perceeloppervlak"] == 0.125
    refused = client.post(url + "?lang=en", json=dict(CASE, perceeloppervlak="2.125"))
    assert refused.status_code == 422
    error = refused.get_json()["errors"][0]
    assert error["field"] == "perceeloppervlak" and "2.125" in error["message"] and "2125" in error["message"]


def test_the_decisions_api_reads_strings_in_the_requests_language(client, woz_decimal_plot, token_a):
    url = f"/api/v1/algorithms/{woz_decimal_plot.code}/decisions"
    made = client.post(url + "?lang=nl", json={"inputs": dict(CASE, perceeloppervlak="1.250,5")}, headers=token_a)
    assert made.status_code == 201
    receipt = client.get(made.get_json()["url"].split("localhost")[1] + ".json").get_json()
    assert receipt["answer"]["explanation"]["inputs"]["perceeloppervlak"] == 1250.5
    english = client.post(url + "?lang=en", json={"inputs": dict(CASE, perceeloppervlak="0,5")}, headers=token_a)
    receipt = client.get(english.get_json()["url"].split("localhost")[1] + ".json").get_json()
    assert receipt["answer"]["explanation"]["inputs"]["perceeloppervlak"] == 0.5
    refused = client.post(url + "?lang=nl", json={"inputs": dict(CASE, perceeloppervlak="1.250")}, headers=token_a)
    assert refused.status_code == 422
    assert "1250" in refused.get_json()["errors"][0]["message"] and "1,25" in refused.get_json()["errors"][0]["message"]
