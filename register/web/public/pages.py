"""About, organisation pages, the short address on letters, receipt references and the favicon (issue 13)."""
from __future__ import annotations

import datetime as dt
import re

from markupsafe import Markup, escape
from flask import abort, current_app, redirect, request, send_from_directory, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from register.db import get_session
from register.services import about, organisations, search
from register.services.presenters import fixed_value
from register.web.common import fail, locale, respond, twin
from register.web.public import bp


bp.add_app_template_global(fixed_value, "fixed_value")
bp.add_app_template_global(locale, "page_locale")  # for imported macros, which do not see the context


@bp.app_template_filter("version_text")
def version_text(label: str | None) -> str:
    """Without a leading "versie"/"version", so "Versie: versie 1.2" reads "Versie: 1.2" (issue 13)."""
    return re.sub(r"^\s*(versie|version|v)\.?\s*(?=\d)", "", label or "", flags=re.IGNORECASE)


@bp.app_template_filter("month_text")
def month_text(value: str | None) -> str:
    """The standard's "2016-01" written out: "januari 2016" / "January 2016" (issue 13)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return value or ""
    return format_date(dt.date(int(match.group(1)), int(match.group(2)), 1), "MMMM y").replace(" ", "\u00a0")


# Dutch phone numbers as people write them: "14 020", "020 123 4567", "06-12345678", "+31 20 123 4567".
_PHONE = re.compile(r"(?<![\w+])(14 ?0\d{2,3}|0\d{1,3}[ -]?\d{3}[ -]?\d{2,4}|\+31[ \d]{9,13}\d)(?!\w)")


@bp.app_template_filter("phone_links")
def phone_links(text: str | None) -> Markup:
    """Text with every phone number made a ``tel:`` link, so a phone calls it with one tap (issue 13)."""
    escaped = str(escape(text or ""))
    return Markup(_PHONE.sub(lambda m: f'<a href="tel:{re.sub(r"[^0-9+]", "", m.group(1))}">{m.group(1)}</a>',
                             escaped))


@twin(bp, "/about")
def about_page(fmt: str):
    """What the register is, what counts as an algorithm, how to object, privacy and accessibility."""
    session = get_session()
    orgs = [{"name": o.name, "url": url_for("public.organisation_page", slug=organisations.slug(o.name),
                                            _external=fmt == "json")} for o in organisations.publishing(session)]
    return respond("public/about.html", fmt, sections=about.sections(_), organisations=orgs)


@twin(bp, "/organisations/<slug>")
def organisation_page(fmt: str, slug: str):
    """One organisation: its algorithms, its sensors and how to reach it."""
    session = get_session()
    organisation = organisations.by_slug(session, slug)
    if organisation is None:
        fail(404, _("There is no organisation at this address in the register."))
    context = organisations.page(session, organisation, locale())
    for item in context["algorithms"]:
        item["url"] = url_for("public.algorithm_detail", code=item["code"], _external=fmt == "json")
    for item in context["sensors"]:
        item["url"] = url_for("public.sensor_detail", sensor_id=item["id"], _external=fmt == "json")
    return respond("public/organisation.html", fmt, **context)


@twin(bp, "/explanation-reference")
def receipt_reference(fmt: str):
    """Where a resident finds their own explanation. Says nothing about any receipt, not even whether it exists."""
    reference = search.receipt_reference(request.args.get("ref", "")[:40])
    return respond("public/reference.html", fmt, reference=reference)


@bp.route("/<code>")
def short_address(code: str):
    """The short address printed on letters and labels (``/A-7K3Q``, any case) leads to the entry."""
    if not search.code_candidates(code):
        abort(404)
    algorithm = search.find_by_code(get_session(), code)
    if algorithm is None:
        fail(404, _("No algorithm with code %(code)s is published in this register. "
                    "Check the code on your letter, or search the register.", code=code.upper()[:20]))
    return redirect(url_for("public.algorithm_detail", code=algorithm.code), code=301)


@bp.route("/favicon.ico")
def favicon():
    """The register's icon (browsers ask for it on every page)."""
    response = send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")
    response.headers["Cache-Control"] = "public, max-age=604800"
    return response
