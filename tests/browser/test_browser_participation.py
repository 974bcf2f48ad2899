"""The participation, lock-in index and costs pages on a phone: axe-clean at 390 px, no sideways scrolling
from 320 px, in Dutch and English (``lang`` is parametrized by the conftest) (issue 15). The common checks at 1280 px run on them through ``PAGES``."""
import pytest

from tests.browser.conftest import (
    AXE_RUN,
    AXE_TAGS,
    PAGES,
    format_violations,
    new_context,
    open_spec,
)

NARROW_PAGES = [p for p in PAGES if p.name.startswith(("questions", "lock-in", "costs", "portal-questions",
                                                        "portal-advice"))]


@pytest.fixture
def narrow(browser, site, axe_source):
    """``narrow(spec, lang, width)`` → the page opened at ``width`` px (CSP bypassed so axe can run)."""
    contexts = []

    def _open(spec, lang, width):
        context = new_context(browser, site, lang=lang, bypass_csp=True)
        contexts.append(context)
        page, _status = open_spec(context, site, spec, lang)
        page.set_viewport_size({"width": width, "height": 800})
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("spec", NARROW_PAGES, ids=[p.name for p in NARROW_PAGES])
def test_no_wcag_violations_and_no_sideways_scrolling_on_a_phone(narrow, axe_source, spec, lang):
    page = narrow(spec, lang, 390)
    page.add_script_tag(content=axe_source)
    violations = page.evaluate(AXE_RUN, AXE_TAGS)
    assert not violations, f"{spec.name} ({lang}, 390 px):\n{format_violations(violations)}"
    page.set_viewport_size({"width": 320, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{spec.name} ({lang}) scrolls sideways by {overflow} px at 320 px"
