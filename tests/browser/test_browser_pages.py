"""Every public page (``PAGES`` in conftest.py), in Dutch and English, in a real browser.

axe-core finds no WCAG 2.1 A/AA violation; the page keeps to its Content-Security-Policy; the
language attribute follows the chosen language; headings are in order; the keyboard reaches the
skip link first and every control shows where the focus is.
"""
from __future__ import annotations


def test_no_wcag_violations(axe, page_spec, lang, checks):
    violations = axe(page_spec, lang)
    assert not violations, (f"axe-core: WCAG 2.1 A/AA violations on {page_spec.name} ({lang}):\n"
                            + checks.format_violations(violations))


def test_page_works_under_its_csp_in_the_right_language(visit, page_spec, lang, checks):
    page, status, watch = visit(page_spec, lang)
    assert status == page_spec.status
    assert page.evaluate("document.documentElement.lang") == lang
    assert page.title().strip(), "the page has no title"
    problems = checks.heading_problems(page)
    assert not problems, f"headings on {page_spec.name} ({lang}): " + "; ".join(problems)
    watch.assert_clean(f"on {page_spec.name} ({lang})")


def test_keyboard_reaches_skip_link_first_and_focus_is_always_visible(visit, page_spec, checks):
    page, _status, watch = visit(page_spec, "nl")
    if checks.active_element(page) is None:  # pages with errors move focus to their summary instead
        page.keyboard.press("Tab")
        first = checks.active_element(page)
        assert first and first["tag"] == "a" and first["text"] == "Direct naar de inhoud", first
        assert checks.focus_is_visible(page)["visible"]
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main", "the skip link does not move focus to the content"
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        active = checks.active_element(page)
        if active is None:  # past the last control
            break
        seen += 1
        style = checks.focus_is_visible(page)
        assert style["visible"] or not active["visibleBox"], f"focus not visible on {active}: {style}"
    assert seen, "no control in the content can be reached with Tab"
    watch.assert_clean()


def test_language_switch_changes_html_lang_and_is_remembered(context_factory, site):
    page = context_factory("nl").new_page()
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "nl"
    switch = page.get_by_role("link", name="English")
    assert switch.get_attribute("lang") == "en" and switch.get_attribute("hreflang") == "en"
    switch.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Which algorithms does the city use?"
    page.get_by_role("link", name="Algorithms", exact=True).first.click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en", "the choice of English is not remembered"
    assert page.get_by_role("link", name="Nederlands").get_attribute("lang") == "nl"


def test_entry_form_errors_are_announced_and_linked_to_their_fields(context_factory, sign_in_as):
    page = context_factory("nl").new_page()
    sign_in_as(page, "registrant@amsterdam.example")
    page.goto("/portal/algorithms/new")
    page.fill("#f-name", "Half ingevuld algoritme")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    summary = page.locator("[role=alert]#error-summary")
    assert summary.count() == 1, "no error summary with role=alert"
    links = summary.locator("a")
    assert links.count() >= 5
    for i in range(links.count()):
        link = links.nth(i)
        target_id = link.get_attribute("href").removeprefix("#")
        target = page.locator(f"[id='{target_id}']")
        assert target.count() == 1, f"the summary links to #{target_id}, which does not exist"
        described = (target.get_attribute("aria-describedby") or "").split()
        errors = [d for d in described if d.startswith("e-")]
        assert errors, f"#{target_id} is not described by an error message"
        message = page.locator(f"[id='{errors[0]}']").inner_text().split(":", 1)[-1].strip()  # after "Fout:"
        assert message and link.inner_text().strip().endswith(message), (link.inner_text(), message)
        assert ":" in link.inner_text(), f"the summary does not say which field: {link.inner_text()!r}"
        if target.evaluate("(el) => el.tagName") != "FIELDSET":
            assert target.get_attribute("aria-invalid") == "true"
    assert page.locator("#f-name").input_value() == "Half ingevuld algoritme", "the form forgot what was typed"


def test_failed_sign_in_is_announced_and_linked_to_the_field(context_factory):
    page = context_factory("en").new_page()
    page.goto("/portal/login")
    page.fill("#email", "registrant@amsterdam.example")
    page.fill("#password", "not the password")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "not correct" in alert.inner_text()
    assert alert.get_attribute("id") in (page.locator("#email").get_attribute("aria-describedby") or "").split()


def test_sign_in_rate_limit_tells_when_to_try_again(context_factory, checks):
    for lang, expected in (("nl", r"Probeer het over (\d+) seconden opnieuw"), ("en", r"Try again in (\d+) seconds")):
        page = context_factory(lang).new_page()
        page.goto("/portal/login")
        email = f"rate-{lang}@example.org"
        statuses = []
        page.on("response", lambda r: statuses.append(r.status) if r.request.is_navigation_request() else None)
        for _ in range(checks.LOGIN_LIMIT + 1):
            page.fill("#email", email)
            page.fill("#password", "guessing")
            page.click("main form button[type=submit]")
            page.wait_for_load_state()
        assert statuses[-1] == 429
        import re

        message = page.get_by_role("alert").inner_text()
        match = re.search(expected, message)
        assert match and 1 <= int(match.group(1)) <= 60, message
        page.screenshot(path=str(checks.ARTIFACTS / f"sign-in-rate-limited-{lang}.png"))


def test_demo_content_loads(site):
    """Every room's demo loader works: the pages above are checked with the demo content."""
    assert not site.demo_failures, site.demo_failures


CHARTS = """() => Array.from(document.querySelectorAll('main svg, main canvas, main img'))
  .filter(el => !el.closest('[aria-hidden=true]') && el.getAttribute('alt') !== '' && !el.closest('.leaflet-container'))
  .map(el => {
    const name = el.getAttribute('aria-label') || (el.getAttribute('aria-labelledby') || '').split(' ')
      .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim()
      || el.getAttribute('alt') || (el.querySelector && el.querySelector('title') ? el.querySelector('title').textContent : '');
    const box = el.closest('figure, section') || el.parentElement;
    const text = box.querySelector('table, ol, ul, figcaption, dl');
    return {tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: (name || '').trim(),
            textEquivalent: text ? text.textContent.trim().slice(0, 80) : ''};
  })"""


def test_charts_have_a_text_equivalent(visit, page_spec, checks):
    """Every chart or image has a name, and next to it the same content as text (a table or list)."""
    page, _status, _watch = visit(page_spec, "nl")
    for chart in page.evaluate(CHARTS):
        assert chart["name"], f"a {chart['tag']} on {page_spec.name} has no accessible name"
        if chart["tag"] == "svg":
            assert chart["role"] == "img", f"an svg chart on {page_spec.name} lacks role=img"
            assert chart["textEquivalent"], f"the chart '{chart['name']}' on {page_spec.name} has no text equivalent"


def test_the_map_has_its_list_alternative(visit, checks):
    spec = next(p for p in checks.PAGES if p.name == "sensor-map")
    for lang in ("nl", "en"):
        page, _status, _watch = visit(spec, lang)
        link = page.locator("main a[href*='/sensors/list']")
        assert link.count() >= 1 and link.first.inner_text().strip(), "the map has no link to its list"
        # Before the map in reading order, so keyboard and screen-reader users meet it first.
        assert link.first.evaluate("(a) => !!(a.compareDocumentPosition(document.querySelector('.leaflet-container')) "
                                   "& Node.DOCUMENT_POSITION_FOLLOWING)")


# --------------------------------------------------------------------------------------------
# Phones (issue 13): no page scrolls sideways from 320 px up, and charts stay readable
# --------------------------------------------------------------------------------------------

PHONE_WIDTHS = (320, 390)

def test_no_page_scrolls_sideways_on_a_phone(visit, page_spec, lang, checks):
    page, _status, _watch = visit(page_spec, lang)
    for width in PHONE_WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(50)
        found = checks.sideways(page)
        assert found["scrollWidth"] <= found["clientWidth"], (
            f"{page_spec.name} ({lang}) scrolls sideways at {width} px: {found['scrollWidth']} px wide; "
            f"widest: {found['culprits']}")


CHART_TEXT = """() => Array.from(document.querySelectorAll('main svg[role=img]')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  // what the reader can see: the chart's own box, within its scrolling figure and the screen
  const figure = (svg.closest('figure') || svg.parentElement).getBoundingClientRect();
  const fig = svg.closest('figure') || svg.parentElement;
  const scrolls = fig.scrollWidth > fig.clientWidth + 1;  // then every part is reachable in its figure
  const right = scrolls ? box.right : Math.min(box.right, figure.right, document.documentElement.clientWidth);
  const view = svg.viewBox && svg.viewBox.baseVal && svg.viewBox.baseVal.width ? svg.viewBox.baseVal.width : box.width;
  const scale = box.width / view;
  return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent.trim().slice(0, 40), px: parseFloat(getComputedStyle(t).fontSize) * scale,
            cut: r.left < (scrolls ? box.left : Math.max(box.left, figure.left)) - 1 || r.right > right + 1 ||
                 r.top < box.top - 1 ||
                 r.bottom > box.bottom + 1};
  });
})"""


def test_chart_text_is_at_least_12px_and_never_cut(visit, page_spec, lang):
    page, _status, _watch = visit(page_spec, lang)
    for width in (1280, *PHONE_WIDTHS):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(50)
        for label in page.evaluate(CHART_TEXT):
            assert label["px"] >= 12 - 0.05, f"chart text {label['text']!r} on {page_spec.name} is {label['px']:.1f} px at {width} px"
            assert not label["cut"], f"chart text {label['text']!r} on {page_spec.name} is cut off at {width} px"
