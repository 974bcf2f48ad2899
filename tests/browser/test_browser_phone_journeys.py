"""The three journeys of issue 13, step by step, on a desktop (1280 px) and a phone (390 px), in
Dutch and in English: a resident with a letter (code → entry → explain), a registrant and an
approver, and a person going from the sensor map to one sensor. Every step must fit the screen
(no sideways scrolling) and keep to the CSP. Screenshots: ``test-artifacts/journey-13-*``.
"""
from __future__ import annotations

import uuid

import pytest

WIDTHS = (1280, 390)  # each test also runs once per language (`lang`, see conftest)


@pytest.fixture
def walker(person_factory, checks):
    """``walker(journey, width, lang)`` → a Person on a screen that wide; ``step(p, name)`` checks
    the page fits and takes a screenshot."""
    def make(journey: str, width: int, lang: str):
        p = person_factory(f"13-{journey}-{width}-{lang}", "mouse", lang)
        p.page.set_viewport_size({"width": width, "height": 900})
        return p
    return make


def step(p, checks, name: str) -> None:
    p.page.wait_for_load_state()
    found = checks.sideways(p.page)
    assert found["scrollWidth"] <= found["clientWidth"], f"step {name} at {p.page.url} scrolls sideways: {found}"
    assert p.page.evaluate("document.documentElement.lang") in ("nl", "en")
    p.screenshot(name)


@pytest.mark.parametrize("width", WIDTHS)
def test_resident_with_a_letter_goes_from_the_code_to_the_explanation(walker, site, checks, width, lang):
    p = walker("letter", width, lang)
    page = p.page
    code = site.model_code()
    p.goto(f"/?lang={lang}")
    step(p, checks, "start")
    # The code as a resident might type it from the letter: small letters, no dash.
    p.submit_search(page.locator("#q"), code.replace("-", "").lower())
    assert page.url.endswith(f"/algorithms/{code}"), f"the code did not lead to the entry: {page.url}"
    assert "WOZ" in page.get_by_role("heading", level=1).inner_text()
    if lang == "en":
        assert page.locator("h1").get_attribute("lang") == "nl"
        assert page.locator(".language-note").count() == 1
    step(p, checks, "entry")
    p.activate(page.locator("main a[href$='/explain']").first)
    step(p, checks, "explain-form")
    site.fill_explain_form(page)
    p.activate(page.locator("main form").first.locator("button[type=submit]"))
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").all_inner_texts()
    assert page.locator("main figure.chart svg").count() >= 1, "no chart in the answer"
    step(p, checks, "explain-answer")
    # A receipt reference typed instead of the code leads to where the personal link is.
    p.goto(f"/?lang={lang}")
    p.submit_search(page.locator("#q"), "D-64ME-QSHS")
    assert "/explanation-reference" in page.url
    assert "/d/" in page.locator("main").inner_text()
    step(p, checks, "receipt-reference")
    p.watch.assert_clean(f"in the letter journey at {width} px ({lang})")


@pytest.mark.parametrize("width", WIDTHS)
def test_registrant_registers_and_approver_checks_and_approves(walker, site, checks, sign_in_as, width, lang):
    p = walker("register", width, lang)
    page = p.page
    name = f"Afvalcontainers legen op volgorde {uuid.uuid4().hex[:4]}"
    sign_in_as(page, "registrant@amsterdam.example")
    p.goto(f"/portal/algorithms/new?lang={lang}")
    assert page.locator("#f-organization").count() == 0 and page.locator("#f-organisation_id").count() == 1
    assert page.locator("nav.form-menu a").count() >= 4, "the entry form has no menu of its parts"
    step(p, checks, "entry-form")
    for selector, text in {
        "#f-name": name,
        "#f-description_short": "Een algoritme bepaalt in welke volgorde afvalcontainers worden geleegd.",
        "#f-contact": "afval@amsterdam.example", "#f-start_date": "2026-01",
        "#f-purpose_and_impact": "Minder ritten en volle containers.",
        "#f-considerations": "Sneller dan plannen met de hand.",
        "#f-human_intervention": "Een planner past de volgorde aan als dat nodig is.",
        "#f-risk_management": "Elke week een steekproef.", "#f-impact_assessments": "Geen DPIA nodig",
        "#f-data": "Vulgraad van de containers.", "#f-technical_operation": "Regels, geen zelflerend model.",
        "#f-supplier": "Intern ontwikkeld",
    }.items():
        page.fill(selector, text)
    page.locator("#f-status").select_option(value="In gebruik")
    page.locator("#f-publication_category").select_option(value="Overige algoritmes (Categorie C)")
    page.locator("input[name=theme][value='Natuur en milieu']").check()
    p.activate(page.locator("main form.form button[type=submit]").last)
    assert page.get_by_role("heading", level=1).inner_text() == name, page.locator(".error-summary").all_inner_texts()
    code = page.locator(".meta .code").first.inner_text().strip()
    # Assessments and models are near the top, before the entry's fields.
    assert page.evaluate("() => document.getElementById('documents-heading').compareDocumentPosition("
                         "document.getElementById('entry-heading')) & Node.DOCUMENT_POSITION_FOLLOWING")
    step(p, checks, "draft")
    p.activate(page.locator(f"form[action$='/portal/algorithms/{code}/submit'] button"))
    step(p, checks, "submitted")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "lang", "value": lang, "url": site.base_url}])
    sign_in_as(page, "approver@amsterdam.example")
    p.goto(f"/portal/algorithms/{code}?lang={lang}")
    review = page.locator("section.review")
    assert review.count() == 1, "the approver sees no review before approving"
    assert ("eerste publicatie" if lang == "nl" else "first publication") in review.inner_text()
    assert review.locator("h3").count() >= 3, "the review does not cover changes, model and assessments"
    log = page.locator("section[aria-labelledby=log-heading]").inner_text()
    assert ("Ingediend voor goedkeuring" if lang == "nl" else "Submitted for approval") in log
    assert "submitted" not in log.split()
    step(p, checks, "approver-review")
    p.activate(page.locator(f"form[action$='/portal/algorithms/{code}/approve'] button"))
    step(p, checks, "approved")
    p.goto(f"/algorithms/{code}?lang={lang}")
    assert page.get_by_role("heading", level=1).inner_text() == name
    step(p, checks, "public-entry")
    p.watch.assert_clean(f"in the registrant journey at {width} px ({lang})")


@pytest.mark.parametrize("width", WIDTHS)
def test_from_the_sensor_map_to_one_sensor(walker, site, checks, width, lang):
    if not site.has("public.sensor_map"):
        pytest.skip("page not built yet: sensor map /sensors")
    p = walker("sensors", width, lang)
    page = p.page
    p.goto(f"/sensors?lang={lang}")
    page.wait_for_load_state("networkidle")
    step(p, checks, "map")
    p.activate(page.locator("main a[href*='/sensors/list']").first)
    step(p, checks, "list")
    first = page.locator("main table tbody tr").first.get_by_role("link").first
    reference = first.inner_text().strip()
    p.activate(first)
    assert reference in page.locator("main").inner_text()
    step(p, checks, "sensor")
    p.watch.assert_clean(f"in the sensor journey at {width} px ({lang})")


def test_list_filters_fold_away_on_a_phone_and_results_come_first(context_factory, lang):
    """On a phone the first result is on the first screen; on a desktop the filters are open beside it."""
    page = context_factory(lang).new_page()
    for width, folded in ((390, True), (1280, False)):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"/algorithms?lang={lang}")
        page.wait_for_load_state()
        details = page.locator("details.filters")
        assert details.evaluate("(d) => !d.open") == folded, f"filters {'open' if folded else 'folded'} at {width} px"
        first = page.locator("main .cards li").first.bounding_box()
        if folded:
            assert first["y"] < 800, f"the first result starts at {first['y']} px, below the first screen"
            page.locator("details.filters > summary").click()
            assert page.locator("details.filters a").first.is_visible(), "the folded filters do not open"
