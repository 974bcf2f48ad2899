"""What a resident reads is true: the chance and its points add up, the method is named truthfully,
the counterfactual comes as data, every input used is listed, and every explanation (page,
receipt, PDF) says what it does not tell and how to object."""
import io

import pytest
from pypdf import PdfReader

from .samples import register
CHECK_CASE = {"leeftijdsgroep": "18-26", "woonsituatie": "alleenstaand", "aantal_adreswijzigingen": "3",
              "jaren_in_amsterdam": "2", "eerdere_aanvragen": "1", "inkomen_uit_werk": "nee",
              "schulden_bekend": "ja", "aanvraag_volledig": "nee"}


OBJECTION = "https://gemeente.example/bezwaar-tegen-een-besluit"


@pytest.fixture
def check(session, app, world, make_entry):
    """A published entry (with an objection address) explained with the sample yes/no model."""
    from register.services import algorithms as algos

    published = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a,
                                   data=make_entry(source_id="CHK-1", objection_link=OBJECTION,
                                                   objection_route="Bezwaar binnen 6 weken."))
    algos.submit(session=session, user=world.registrant_a, algorithm=published)
    algos.approve(session=session, user=world.approver_a, algorithm=published)
    register(session, app, published, "slimme_check")
    return published


def test_explain_json_gives_the_chance_and_points_that_add_up_and_the_change_as_data(client, check):
    data = client.post(f"/algorithms/{check.code}/explain.json", json=CHECK_CASE).get_json()
    exp = data["explanation"]
    assert exp["scale"] == "probability" and exp["method"] == "exact"
    assert abs(exp["base_value"] + sum(exp["contributions"].values()) - exp["score"]) <= 1e-6
    assert data["model"]["accuracy"] == {"kind": "exact", "method": "exact"}
    assert "exact" in data["method"]["text"] or "precies" in data["method"]["text"]
    changes = data["changes"]
    assert changes["found"] is True and changes["changes"][0]["feature"] == "aanvraag_volledig"
    assert changes["changes"][0]["to"] is True and changes["outcome_after"] < 0.4 <= changes["outcome_before"]
    assert [i["feature"] for i in data["inputs"]] == list(CHECK_CASE)
    assert "procentpunten" in " ".join(data["narrative"]["factors"])


@pytest.mark.parametrize("lang, words", [
    ("nl", ["De gegevens die we gebruikten", "Klopt iets niet?", "Wat deze uitleg u niet vertelt",
            "Het model is niet de wet", "Een factor is geen oorzaak", "Zo zochten we"]),
    ("en", ["The details we used", "Is something wrong?", "What this explanation does not tell you",
            "The model is not the law", "A factor is not a cause", "How we searched"]),
])
def test_the_page_receipt_and_pdf_list_every_input_and_what_the_explanation_does_not_tell(
        client, check, token_a, lang, words):
    made = client.post(f"/api/v1/algorithms/{check.code}/decisions", json={"inputs": CHECK_CASE},
                       headers=token_a).get_json()
    path = made["url"].split("localhost")[1]
    page = client.get(f"{path}?lang={lang}").get_data(as_text=True)
    for word in words:
        assert word in page
    for label in ("Jaren in Amsterdam", "Woonsituatie") if lang == "nl" else ("Years in Amsterdam", "Living situation"):
        assert label in page  # no input folded into "other details"
    reader = PdfReader(io.BytesIO(client.get(f"{path}.pdf?lang={lang}").data))
    text = " ".join(p.extract_text() for p in reader.pages).replace("\n", " ")
    for word in words[:3]:
        assert word in text
    assert client.get(f"{path}.json").get_json()["decision"]["objection_link"] == OBJECTION
    assert OBJECTION in text.replace(" ", "")  # the objection address is printed in the PDF


def test_how_it_works_promises_only_checks_that_ran(client, check):
    data = client.get(f"/algorithms/{check.code}/how-it-works.json?lang=en").get_json()
    assert data["fairness_checked"] == ["Age group", "Nationality group"]
    assert all(table["groups"] for table in data["fairness"])
    html = client.get(f"/algorithms/{check.code}/how-it-works?lang=en").get_data(as_text=True)
    assert "We compared groups of people in the example cases by: Age group, Nationality group." in html
    assert "this model has no protected details" not in html.lower()
    assert "The contributions are computed exactly" in html
