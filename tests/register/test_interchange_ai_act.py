"""EU AI Act art. 86: every receipt of a high-risk system states the system's role, the main
elements of the decision, the human review and the way to appeal (issue #17, point 4)."""
import io
import re

import pytest
from pypdf import PdfReader

from register.services import accounts
from register.services import algorithms as algos
from tests.register.samples import WOZ_CASE, register

FOUR = {
    "nl": ["De rol van het AI-systeem bij uw besluit", "De belangrijkste onderdelen van het besluit",
           "Controle door een mens", "Zo maakt u bezwaar"],
    "en": ["The role of the AI system in your decision", "The main elements of the decision",
           "Review by a person", "How to appeal"],
}


def high_risk_woz(session, app, world, **changes):
    from tests.register.conftest import valid_entry

    data = valid_entry(**{"publication_category": "Hoog-risico AI-systeem (Categorie A)", "ai_act_risk_class": "high",
                          "eu_database_ref": "EU-2026-0001", "name": "WOZ-waarde schatten",
                          "human_intervention": "Een taxateur controleert elke waarde voordat de beschikking "
                                                "verstuurd wordt.",
                          "objection_route": "Maak binnen 6 weken bezwaar bij de gemeente.", **changes})
    algorithm = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=data)
    algos.submit(session=session, user=world.registrant_a, algorithm=algorithm)
    algos.approve(session=session, user=world.approver_a, algorithm=algorithm)
    register(session, app, algorithm)
    return algorithm


def receipt_url(session, client, world, algorithm):
    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="t")[1]
    session.commit()
    made = client.post(f"/api/v1/algorithms/{algorithm.code}/decisions", json={"inputs": WOZ_CASE},
                       headers={"Authorization": f"Bearer {plain}"})
    assert made.status_code == 201, made.get_json()
    return made.get_json()["url"].split("localhost")[1]


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\n", " ")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_form_of_a_high_risk_receipt_states_the_four(app, client, session, world, lang):
    algorithm = high_risk_woz(session, app, world)
    url = receipt_url(session, client, world, algorithm)
    html = client.get(f"{url}?lang={lang}").get_data(as_text=True)
    pdf = pdf_text(client.get(f"{url}.pdf?lang={lang}").data)
    data = client.get(f"{url}.json?lang={lang}").get_json()["ai_act_rights"]
    for text in (html, pdf):
        flat = re.sub(r"\s+", " ", text)
        assert all(heading in flat for heading in FOUR[lang]), FOUR[lang]
        assert "Een taxateur controleert elke waarde" in flat and "Maak binnen 6 weken bezwaar" in flat
        assert "WOZ-waarde schatten" in flat
    assert data["role"] and data["human_review"] and data["appeal"] and len(data["main_elements"]) >= 2
    outcome = data["main_elements"][0]
    assert outcome in html  # the main elements are this decision's own: its outcome and top factors
    assert re.sub(r"\s+", "", outcome)[:40] in re.sub(r"\s+", "", pdf)


def test_without_an_objection_route_the_receipt_still_says_how_to_appeal(app, client, session, world):
    algorithm = high_risk_woz(session, app, world, objection_route=None)
    url = receipt_url(session, client, world, algorithm)
    data = client.get(f"{url}.json?lang=en").get_json()["ai_act_rights"]
    assert "You can object to the decision" in data["appeal"] and "parkeren@amsterdam.example" in data["appeal"]


def test_a_receipt_of_a_system_that_is_not_high_risk_has_no_art_86_block(app, client, session, world, published):
    register(session, app, published)
    url = receipt_url(session, client, world, published)
    assert client.get(f"{url}.json").get_json()["ai_act_rights"] is None
    assert "artikel 86" not in client.get(url).get_data(as_text=True)
