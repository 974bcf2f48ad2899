"""The text of the about page: what the register is, what counts as an algorithm, how to object,
the privacy statement and the accessibility statement (issue 13). Data, so the page and its
`.json` twin say the same."""
from __future__ import annotations

from collections.abc import Callable

from register.i18n import N_

SECTIONS = (
    ("what", N_("What is this register?"), (
        N_("Stadsregister shows which algorithms the city uses to make decisions, and which sensors collect "
           "data in public space."),
        N_("For every algorithm you can read what it does, which data it uses, who is responsible and how you "
           "can object. For some algorithms you can also see how one decision came about."),
    )),
    ("algorithm", N_("What counts as an algorithm here?"), (
        N_("An algorithm is a set of rules or a computer model that helps to make or prepare a decision."),
        N_("We register algorithms that affect residents or companies. For example when they help decide about "
           "a permit, a benefit, a fine or the value of a home. Simple tools without such an effect, like a "
           "spelling checker, are not in the register."),
        N_("Entries follow the national publication standard for algorithms, so they can also be found in the "
           "national algorithm register."),
    )),
    ("object", N_("How do I object to a decision?"), (
        N_("Your decision letter says how and until when you can object. Usually you have 6 weeks from the "
           "date of the letter."),
        N_("On the page of each algorithm, under \u201cYour decision\u201d, you read whom to contact and how to "
           "object. You can always ask for a person to look at your case."),
        N_("Does your letter have a code like A-7K3Q? Type it in the search box on the start page. It takes "
           "you straight to the algorithm."),
    )),
    ("privacy", N_("Privacy statement"), (
        N_("We do not keep what you fill in on an explanation form. The answer is worked out and your "
           "answers are forgotten straight away."),
        N_("A personal explanation from your letter is kept until the date shown on it. Then it is deleted."),
        N_("We use one cookie to remember your language and one to keep registrants signed in to the "
           "portal. We do not use cookies for tracking or advertising."),
        N_("The register's logs never show the address of a personal explanation."),
    )),
    ("accessibility", N_("Accessibility statement"), (
        N_("We want everyone to be able to use this register. Our aim is WCAG 2.1 level AA."),
        N_("Audit result: every public page is checked in a real browser, in Dutch and in English, each time "
           "the register changes: with axe-core for WCAG 2.1 A and AA, with the keyboard alone, and at screen "
           "widths of 320 and 390 pixels without scrolling sideways. The latest check found no problems."),
        N_("Status: partially compliant. The automatic checks pass, but an audit by experts has not been done "
           "yet. The map itself is hard to use without a mouse; the same sensors are in a table that works "
           "with a keyboard and a screen reader."),
        N_("Do you run into a problem? Tell the organisation that published the page. You find its contact "
           "details on its organisation page."),
    )),
)


def sections(gettext: Callable[[str], str]) -> list[dict]:
    """The about page's sections in the reader's language."""
    return [{"key": key, "title": gettext(title), "paragraphs": [gettext(p) for p in paragraphs]}
            for key, title, paragraphs in SECTIONS]
