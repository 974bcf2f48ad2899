"""From the letter to the entry (issue 13): codes in any form, receipt references, the short
address and the label's QR code, the about and organisation pages, plain words for residents."""
import re

import segno
from sqlmodel import select

from register.models.explanation import DecisionReceipt
from register.services import accounts

from .samples import WOZ_CASE


def typed_forms(code: str) -> list[str]:
    body = code.removeprefix("A-")
    return [code, code.lower(), f"A{body}", body, body.lower(), f"a {body.lower()}", f"  {code}  "]


def test_a_code_from_a_letter_in_any_form_opens_the_entry(client, published):
    for typed in typed_forms(published.code):
        response = client.get("/algorithms", query_string={"q": typed})
        assert response.status_code == 303, typed
        assert response.headers["Location"].endswith(f"/algorithms/{published.code}"), typed


def test_search_also_finds_an_entry_by_its_code_among_other_words(client, published):
    body = published.code.removeprefix("A-").lower()
    data = client.get("/algorithms.json", query_string={"q": f"{body} parkeervergunning"}).get_json()
    assert [r["code"] for r in data["results"]] == [published.code]
    data = client.get("/algorithms.json", query_string={"q": f"woz {published.code}"}).get_json()
    assert [r["code"] for r in data["results"]] == [published.code]


def test_a_code_that_is_not_published_is_searched_as_words(client, session, world, make_entry):
    from register.services import algorithms as algos

    draft = algos.create_entry(session=session, user=world.registrant_a, organisation=world.org_a, data=make_entry())
    session.commit()
    response = client.get("/algorithms", query_string={"q": draft.code})
    assert response.status_code == 200 and "0 resultaten" in response.get_data(as_text=True)
    assert client.get(f"/{draft.code}").status_code == 404


def test_the_short_address_on_letters_leads_to_the_entry(client, published):
    for typed in (published.code, published.code.lower(), published.code.replace("-", "")):
        response = client.get(f"/{typed}")
        assert response.status_code == 301 and response.headers["Location"].endswith(f"/algorithms/{published.code}")
    missing = client.get("/A-ZZZZ")
    assert missing.status_code == 404 and "A-ZZZZ" in missing.get_data(as_text=True)
    assert client.get("/bestaat-niet").status_code == 404


def test_a_receipt_reference_gets_help_and_reveals_nothing_about_the_receipt(client, session, woz, world):
    plain = accounts.create_api_token(session=session, user=world.registrant_a, organisation=world.org_a, name="a")[1]
    session.commit()
    made = client.post(f"/api/v1/algorithms/{woz.code}/decisions", json={"inputs": WOZ_CASE},
                       headers={"Authorization": f"Bearer {plain}"}).get_json()
    real = made["reference"]
    token = made["url"].split("/d/")[1]
    assert session.exec(select(DecisionReceipt)).one().short_code == real
    fake = "D-2345-6789" if real != "D-2345-6789" else "D-9876-5432"
    pages = {}
    for reference in (real, fake):
        response = client.get("/algorithms", query_string={"q": reference.lower().replace("-", " ")})
        assert response.status_code == 303
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert token not in html and "WOZ" not in html and woz.code not in html
        pages[reference] = html.replace(reference, "REF")
    assert pages[real] == pages[fake], "the page differs for a reference that exists"
    assert "/d/" in pages[real] and "organisatie die u de brief stuurde" in pages[real]
    english = client.get(f"/explanation-reference.json?ref={real}&lang=en").get_json()
    assert english == {"reference": real}


def test_the_label_carries_the_short_address_and_a_qr_code_for_it(client, published):
    svg = client.get(f"/algorithms/{published.code}/label.svg").get_data(as_text=True)
    short = f"localhost/{published.code}"
    assert short in svg
    size, path = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1)), re.search(r'<path d="([^"]+)"', svg).group(1)
    dark = {(x + i, y) for x, y, n in ((int(a), int(b), int(c)) for a, b, c in re.findall(r"M(\d+) (\d+)h(\d+)", path))
            for i in range(n)}
    expected = segno.make(f"http://localhost/{published.code}", error="m", micro=False)
    wanted = {(x, y) for y, row in enumerate(expected.matrix_iter(border=2)) for x, dark_ in enumerate(row) if dark_}
    assert size == expected.symbol_size(border=2)[0] and dark == wanted, "the QR code does not encode the short address"
    page = client.get(f"/algorithms/{published.code}/label").get_data(as_text=True)
    assert f'href="http://localhost/{published.code}"' in page and short in page


def test_about_page_and_its_twin_in_both_languages(client, published):
    nl = client.get("/about").get_data(as_text=True)
    for heading in ("Wat is dit register?", "Wat is hier een algoritme?", "Hoe maak ik bezwaar tegen een besluit?",
                    "Privacyverklaring", "Toegankelijkheidsverklaring"):
        assert f">{heading}</h2>" in nl, heading
    assert "Uitkomst van de toets" in nl and 'href="/organisations/gemeente-amsterdam"' in nl
    en = client.get("/about.json?lang=en").get_json()
    assert [s["key"] for s in en["sections"]] == ["what", "algorithm", "object", "privacy", "accessibility"]
    assert en["sections"][4]["title"] == "Accessibility statement"


def test_organisation_page_lists_its_algorithms_and_contact(client, published, world):
    html = client.get("/organisations/gemeente-amsterdam").get_data(as_text=True)
    assert "<h1>Gemeente Amsterdam</h1>" in html and f"/algorithms/{published.code}" in html
    assert 'href="mailto:parkeren@amsterdam.example"' in html
    data = client.get("/organisations/gemeente-amsterdam.json?lang=en").get_json()
    assert data["organisation"]["name"] == "Gemeente Amsterdam" and data["sensor_total"] == 0
    assert [a["code"] for a in data["algorithms"]] == [published.code]
    assert client.get("/organisations/gemeente-zaanstad.json").get_json()["algorithms"] == []
    assert client.get("/organisations/bestaat-niet").status_code == 404
    detail = client.get(f"/algorithms/{published.code}").get_data(as_text=True)
    assert 'href="/organisations/gemeente-amsterdam"' in detail


def test_english_pages_mark_dutch_entry_text_and_translate_fixed_values(client, published):
    en = client.get(f"/algorithms/{published.code}?lang=en").get_data(as_text=True)
    assert '<h1 lang="nl">Aanvragen parkeervergunning beoordelen</h1>' in en
    assert "<dd>In use</dd>" in en and "<dd>Traffic</dd>" in en and "Impactful algorithms (Category B)" in en
    assert "Entries are written in Dutch" in en and en.count("Entries are written in Dutch") == 1
    assert '<span lang="nl">Sneller beslissen over aanvragen voor een parkeervergunning.</span>' in en
    nl = client.get(f"/algorithms/{published.code}?lang=nl").get_data(as_text=True)
    assert "<dd>In gebruik</dd>" in nl and "Entries are written in Dutch" not in nl
    listing = client.get("/algorithms?lang=en").get_data(as_text=True)
    assert "In use (1)" in listing and "Traffic (1)" in listing
    assert client.get("/algorithms.json?lang=en").get_json()["results"][0]["status"] == "In gebruik"


def test_dates_are_written_out_and_phone_numbers_can_be_called(client, session, published):
    from register.services import algorithms as algos

    version = algos.published_version(session, published)
    day = version.published_at
    nl = client.get(f"/algorithms/{published.code}?lang=nl").get_data(as_text=True)
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
              "november", "december"]
    assert f"{day.day}\u00a0{months[day.month - 1]}\u00a0{day.year}" in nl
    en = client.get(f"/algorithms/{published.code}?lang=en").get_data(as_text=True)
    assert f"{day.day}\u00a0{day.strftime('%B')}\u00a0{day.year}" in en
    assert day.strftime("%Y-%m-%d") not in nl


def test_technical_details_are_folded_but_still_linked(client, woz):
    html = client.get(f"/algorithms/{woz.code}").get_data(as_text=True)
    folded = html[html.index('<details class="technical">'):]
    main = html[:html.index('<details class="technical">')]
    assert "SHA-256" not in main and "scikit-learn" not in main
    assert "SHA-256" in folded and "scikit-learn" in folded and f"/algorithms/{woz.code}.json" in folded
    assert "<summary>Technische gegevens</summary>" in html and "<summary>Voor ontwikkelaars</summary>" in html
    history = client.get(f"/algorithms/{woz.code}/history").get_data(as_text=True)
    assert "None" not in history and "<ol" not in history.split("<main")[1]
    model_row = history[history.index("Modelversie 1"):]
    assert "SHA-256" not in history[:history.index('<details class="technical">')] and model_row


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)


def test_the_explain_form_says_when_a_whole_number_is_needed(client, woz):
    html = client.get(f"/algorithms/{woz.code}/explain").get_data(as_text=True)
    assert "Een heel getal, zonder komma" in html
    assert "Van 1.600 tot 2.026" in html or "Van 1600 tot 2026" in html
