"""Start page, algorithm list and search, detail and history pages (each with a `.json` twin)."""
from __future__ import annotations

from datetime import date

from flask import current_app, redirect, request, url_for
from flask_babel import gettext as _
from sqlmodel import select

from register.db import get_session
from register.services import algorithms as algos
from register.services import costs, lockin, participation, search
from register.services.organisations import slug as organisation_slug
from register.services.presenters import entry_sections, listing, published_entry
from register.services.documents import entry_documents, history as documents_history
from register.services.standard import label
from register.models.explanation import ModelVersion
from register.services.model_pages import model_facts
from register.web.common import fail, locale, respond, twin
from register.web.public import bp
from register.web.public.documents import urls as document_urls


def _listing_cache() -> dict:
    """Per-app cache of the list's facet index (see services/listing.py and web/warm.py)."""
    return current_app.extensions.setdefault("stadsregister.listing", {})


def _published_or_fail(code: str):
    """The entry with a published version, or a 404/410 page that says why not."""
    session = get_session()
    algorithm = algos.get_by_code(session, code)
    version = algos.published_version(session, algorithm) if algorithm else None
    if version is None:
        fail(404, _("No algorithm with code %(code)s is published in this register. "
                    "Check the code on your letter, or search the register.", code=code.upper()))
    return session, algorithm, version


@twin(bp, "/")
def index(fmt: str):
    """Start page: search box, what the register is, recent publications."""
    result = search.search(get_session(), page_size=6, cache=_listing_cache())
    return respond("public/index.html", fmt, total=result["total"],
                   recent=[listing(a) for a in result["items"]])


@twin(bp, "/algorithms")
def algorithm_list(fmt: str):
    """List and search published algorithms, with filters and counts per filter value."""
    q = request.args.get("q", "").strip()[:200]
    filters = {facet: request.args.get(facet, "").strip() for facet in search.FACETS}
    if fmt == "html" and q and not any(filters.values()):
        # A code from a letter always leads somewhere (issue 13).
        found = search.find_by_code(get_session(), q)
        if found is not None:
            return redirect(url_for("public.algorithm_detail", code=found.code), code=303)
        reference = search.receipt_reference(q)
        if reference is not None:
            return redirect(url_for("public.receipt_reference", ref=reference), code=303)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() else 1
    result = search.search(get_session(), q=q, filters=filters, page=page,
                           page_size=current_app.config["PAGE_SIZE"], cache=_listing_cache())
    return respond("public/algorithms.html", fmt, q=q, filters={k: v for k, v in filters.items() if v},
                   total=result["total"], page=result["page"], pages=result["pages"],
                   results=[listing(a) for a in result["items"]], facets=result["facets"])


@twin(bp, "/algorithms/<code>")
def algorithm_detail(fmt: str, code: str):
    """One published algorithm, grouped by the standard's categories plus "Your decision"."""
    session, algorithm, version = _published_or_fail(code)
    status = 410 if algorithm.public_state == "retracted" else 200
    model = session.get(ModelVersion, version.model_version_id) if version.model_version_id else None
    links = {"history": url_for("public.algorithm_history", code=algorithm.code, _external=True),
             "label": url_for("public.label_page", code=algorithm.code, _external=True)}
    if model is not None:
        links |= {"how_it_works": url_for("public.how_it_works_page", code=algorithm.code, _external=True),
                  "explain": url_for("public.explain_page", code=algorithm.code, _external=True)}
    links |= {"questions": url_for("public.questions_page", code=algorithm.code, _external=True),  # issue 15
              "costs": url_for("public.costs_overview", _external=True),
              "lock_in_method": url_for("public.lockin_method", _external=True)}
    return respond("public/algorithm.html", fmt, status=status,
                   json_keys=("algorithm", "links", "documents", "model", "participation", "footprint", "lockin"),
                   participation=participation.entry_counts(session, algorithm.id, date.today()),
                   lockin=lockin.entry_score(version) | {"method_version": lockin.METHOD_VERSION},
                   footprint=costs.entry_footprint(session, algorithm.id), algorithm=published_entry(algorithm, version),
                   documents=entry_documents(session, version, document_urls(), locale=locale()),
                   sections=entry_sections(version, locale()), links=links,
                   organisation_slug=organisation_slug(version.organization or algorithm.organisation_name or ""),
                   model=model_facts(model) if model else None)


@twin(bp, "/algorithms/<code>/history")
def algorithm_history(fmt: str, code: str):
    """The published versions of an algorithm and what changed between them."""
    session, algorithm, version = _published_or_fail(code)
    history = algos.history(session, algorithm)
    models = {m.id: m for m in session.exec(select(ModelVersion).where(ModelVersion.algorithm_id == algorithm.id))}

    def describe(model_id):
        """In words; the model file's fingerprint is in the version's technical details (issue 13)."""
        return _("Model version %(version)d", version=models[model_id].number) if model_id in models else None

    for item in history["versions"]:
        item["model_version"] = model_facts(models[item["model_version"]]) if item["model_version"] in models else None
        for change in item["changes"]:
            change["label"] = label(change["field"], locale())
            if change["field"] == "model_version":
                change["before"], change["after"] = describe(change["before"]), describe(change["after"])
    return respond("public/history.html", fmt, json_keys=("code", "name", "history", "documents"),
                   code=algorithm.code, name=version.name, history=history,
                   documents=documents_history(session, algorithm, document_urls(), locale=locale()),
                   public_state=algorithm.public_state)
