"""The sensor map, list and report form in a real browser at desktop and phone widths (issue 14):
the popup survives the reload Leaflet's pan causes, keyboard users reach and open each sensor in
view, the list's location filter, reporting by pasted coordinates, and the phone layout."""
from __future__ import annotations

import re

import pytest

WIDTHS = {"desktop": 1280, "phone": 390}
MAP = "window[document.querySelector('.folium-map').id]"


@pytest.fixture(params=list(WIDTHS))
def page_at(request, browser, site):
    """A page in a CSP-enforcing context at 1280 or 390 px wide (fixtures only; no conftest imports)."""
    width = WIDTHS[request.param]
    context = browser.new_context(base_url=site.base_url, locale="nl-NL",
                                  viewport={"width": width, "height": 844 if width < 500 else 900})
    context.set_default_timeout(15_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if (m.type == "error" and "Failed to load resource" not in m.text)
            or "Content Security" in m.text else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.width, page.errors = width, errors
    yield page
    context.close()


def _settle(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


def _sensor(site):
    item = site._get_json("/sensors/list.json?mobile=false&sensor_type=camera")["items"][0]
    return item


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width + 1, "the page scrolls sideways"


def test_a_popup_opened_near_the_edge_survives_the_reload_its_pan_causes(page_at, site):
    page, sensor = page_at, _sensor(site)
    page.goto(f"/sensors#map=18/{sensor['lat']:.5f}/{sensor['lon']:.5f}")
    _settle(page)
    # Put the sensor 12 px from the map's right edge, then click it as a person would.
    page.evaluate(f"""() => {{ const m = {MAP}; const size = m.getSize();
        m.panBy([-(size.x / 2 - 12), 0], {{animate: false}}); }}""")
    _settle(page)
    page.locator(".folium-map").scroll_into_view_if_needed()
    box = page.locator(".folium-map").bounding_box()
    point = page.evaluate(f"() => {MAP}.latLngToContainerPoint([{sensor['lat']}, {sensor['lon']}])")
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    _settle(page)  # Leaflet pans to fit the popup; moveend reloads the sensors
    popup = page.locator(".leaflet-popup")
    assert popup.count() == 1 and sensor["reference"] in popup.inner_text()
    page.wait_for_timeout(600)
    assert page.locator(".leaflet-popup").count() == 1, "the reload closed the popup"
    assert not page.errors, page.errors


def test_keyboard_users_reach_and_open_each_sensor_in_view(page_at, site):
    page, sensor = page_at, _sensor(site)
    page.goto(f"/sensors#map=19/{sensor['lat']:.5f}/{sensor['lon']:.5f}")
    _settle(page)
    buttons = page.locator("#sensor-map-inview-list button")
    assert buttons.count() >= 1
    target = page.locator("#sensor-map-inview-list button", has_text=sensor["reference"])
    for _ in range(400):  # Tab only, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("(el) => el === document.activeElement", target.element_handle()):
            break
    else:
        raise AssertionError("Tab never reached the sensor's button")
    page.keyboard.press("Enter")
    _settle(page)
    focused = page.evaluate("() => document.activeElement.closest('.leaflet-popup') !== null")
    assert focused, "the popup's link does not have focus"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert sensor["reference"] in page.locator("h1").inner_text()


def test_the_list_filters_on_district_and_near_a_place(page_at, site):
    page = page_at
    page.goto("/sensors/list")
    page.locator("#list-location input[name=district][value=Centrum]").check()
    with page.expect_navigation():
        page.locator("aside form button[type=submit]").click()
    cells = page.locator("main table tbody tr td:nth-of-type(2)").all_inner_texts()
    assert cells and all(c.startswith("Centrum") for c in cells)
    _no_sideways_scroll(page)
    page.locator("#list-location input[name=district][value=Centrum]").uncheck()
    page.fill("#f-address", "De Pijp")
    with page.expect_navigation():
        page.locator("aside form button[type=submit]").click()
    assert "De Pijp (Zuid)" in page.locator("main").inner_text()
    assert page.locator("main table tbody tr").count() >= 1
    assert not page.errors, page.errors


def test_a_resident_reports_a_sensor_by_pasting_what_a_map_app_copies(page_at, site):
    page = page_at
    page.goto("/sensors/report")
    _settle(page)
    page.fill("#f-place", "52,3731; 4,8926")
    page.locator("#f-place-find").click()
    _settle(page)
    assert page.locator(".report-map .sensor-focus").count() == 1, "the pasted place is not marked on the map"
    page.fill("#f-description", "Een camera boven de ingang van de winkel.")
    with page.expect_navigation():
        page.locator("#report-form button[type=submit]").click()
    assert "Dank u wel" in page.locator("main").inner_text()
    # Clicking the map chooses a place too.
    page.goto("/sensors/report")
    _settle(page)
    box = page.locator(".report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert re.match(r"^52\.\d{6}, 4\.\d{6}$", page.input_value("#f-place"))
    _no_sideways_scroll(page)
    assert not page.errors, page.errors


def test_filters_beside_the_map_folded_on_phones_and_the_count_follows_them(page_at, site):
    page = page_at
    page.goto("/sensors")
    _settle(page)
    _no_sideways_scroll(page)
    filters = page.locator("#sensor-map-filters")
    map_top = page.locator(".folium-map").bounding_box()["y"]
    if page.width < 500:
        assert not filters.evaluate("(el) => el.open"), "the filters are not folded on a phone"
        assert map_top < 1000, f"the map starts {map_top} px down"
        filters.locator("summary").click()
    else:
        assert filters.evaluate("(el) => el.open")
        assert filters.bounding_box()["x"] > page.locator(".folium-map").bounding_box()["x"] + 300, \
            "the filters are not beside the map"
    before = page.locator("#sensor-map-count").inner_text()
    page.locator("#sensor-filters input[name=sensor_type][value=camera]").check()
    _settle(page)
    after = page.locator("#sensor-map-count").inner_text()
    cameras = site._get_json("/sensors.json?sensor_type=camera")["total"]
    assert after != before and after.startswith(f"{cameras} ")
    assert not page.errors, page.errors


def test_show_on_the_map_marks_that_sensor_and_its_page_has_a_small_map(page_at, site):
    page, sensor = page_at, _sensor(site)
    page.goto(f"/sensors/{sensor['id']}")
    _settle(page)
    assert page.locator(".sensor-minimap .sensor-focus").count() == 1
    assert page.locator(".sensor-minimap path.leaflet-interactive, .sensor-minimap svg path").count() > 0, \
        "the offline background (districts and water) is not drawn"
    assert "Stadsdeel" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Toon op de kaart").click()
    _settle(page)
    assert page.locator(".folium-map .sensor-focus").count() == 1
    assert sensor["reference"] in page.locator(".leaflet-popup").inner_text()
    assert not page.errors, page.errors


def test_the_map_finds_a_neighbourhood_offline_and_the_background_is_never_blank(page_at, site):
    page = page_at
    page.goto("/sensors")
    _settle(page)
    assert page.locator(".leaflet-base-pane canvas").count() == 1, "no districts and water drawn without tiles"
    assert "stadsdelen en water" in page.locator(".leaflet-control-attribution").inner_text()
    page.fill("#sensor-map-q", "De Pijp")
    page.press("#sensor-map-q", "Enter")
    _settle(page)
    assert page.locator("#sensor-map-places button", has_text="De Pijp (Zuid)").count() == 1
    centre = page.evaluate(f"() => {MAP}.getCenter()")
    assert abs(centre["lat"] - 52.354) < 0.003 and abs(centre["lng"] - 4.894) < 0.005
    assert not page.errors, page.errors


def test_a_mobile_sensors_area_is_fetched_once_and_drawn_again_from_memory(page_at, site):
    """Issue 16: the viewport names a scan car's area by its id; the map asks for the area once
    and draws it again from memory when the view moves."""
    item = site._get_json("/sensors/list.json?mobile=true")["items"][0]
    asked: list[str] = []
    page = page_at
    page.on("request", lambda r: asked.append(r.url) if "/sensors/areas/" in r.url else None)
    page.goto(f"/sensors#map=13/{item['lat']:.5f}/{item['lon']:.5f}")
    _settle(page)
    dashed = (f"Object.values({MAP}._layers).filter(l => l.options && l.options.dashArray === '6 4'"
              " && l.getLatLngs).length")  # the map draws on a canvas: its layers are counted
    assert asked and page.evaluate(dashed) >= 1, "the area is not drawn"
    assert len(asked) == len(set(asked)), "an area was asked for twice"
    first = list(asked)
    page.evaluate(f"{MAP}.panBy([60, 40])")
    _settle(page)
    assert page.evaluate(dashed) >= 1 and asked == first, "the area was fetched again after a pan"
    assert not page.errors, page.errors
