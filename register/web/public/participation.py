"""Residents' questions, views and error reports on an entry, advice and the city's answers (issue 15)."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, current_app, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.models.participation import BODY_LIMIT, CONTRIBUTION_KINDS, FLAG_LIMIT, Contribution
from register.services import algorithms as algos
from register.services import participation as svc
from register.services.participation_advice import advice_of, public_advice, timeline
from register.services.standard import label
from register.web import ratelimit
from register.web.common import fail, locale, respond, to_json, twin
from register.web.public import bp


def client_must_wait(kind: str) -> int:
    """Seconds this client address must wait before sending again (0: go ahead).

    The only place participation calls the rate limiter, so replacing the limiter (Flask-Limiter)
    changes one function. The address lives in the limiter's memory only, never in the database.
    """
    per_hour = int(current_app.config["CONTRIBUTIONS_PER_HOUR"])
    return ratelimit.wait_for(f"participation-{kind}", f"{per_hour} per hour")


def _entry(code: str):
    session = get_session()
    algorithm = algos.get_by_code(session, code)
    version = algos.published_version(session, algorithm) if algorithm else None
    if version is None or algorithm.public_state == "retracted":
        fail(404, _("No algorithm with code %(code)s is published in this register. "
                    "Check the code on your letter, or search the register.", code=code.upper()))
    return session, algorithm, version


def _document_url(document_id: int):
    """The public page of the advice's document, once it is part of a published version."""
    from register.models.document import Document
    from register.services.documents import is_public

    document = get_session().get(Document, document_id)
    if document is None or not is_public(get_session(), document):
        return None
    return url_for("public.document", sha256=document.sha256, _external=True)


def _page(code: str, fmt: str, *, status: int = 200, values: dict | None = None, errors: dict | None = None,
          flag_errors: dict | None = None, wait: int = 0):
    session, algorithm, version = _entry(code)
    today = date.today()
    view = svc.entry_view(session, algorithm, today)
    for item in view["items"]:
        item["field_label"] = label(item["field"], locale()) if item["field"] else None
    fields = [(name, label(name, locale())) for name in svc.REPORTABLE_FIELDS]
    headers = {"Retry-After": str(wait)} if wait else {}
    response = respond("public/questions.html", fmt, status=status,
                       json_keys=("code", "name", "items", "counts", "in_moderation", "advice", "timeline",
                                  "answer_days"),
                       code=algorithm.code, name=version.name, items=view["items"], counts=view["counts"],
                       in_moderation=view["in_moderation"], answer_days=current_app.config["ANSWER_DAYS"],
                       advice=[public_advice(a, locale(), _document_url) for a in advice_of(session, algorithm)],
                       timeline=timeline(session, algorithm, locale()), kinds=CONTRIBUTION_KINDS, fields=fields,
                       values=values or {}, errors=errors or {}, flag_errors=flag_errors or {}, wait=wait,
                       body_limit=BODY_LIMIT, flag_limit=FLAG_LIMIT, sent=request.args.get("sent"),
                       archived=algorithm.public_state == "archived")
    return (response[0], response[1], headers) if headers else response


@twin(bp, "/algorithms/<code>/questions", methods=["GET", "POST"])
def questions_page(fmt: str, code: str):
    """Questions, views and error reports with the organisation's answers; advice and the city's response."""
    if request.method == "GET":
        return _page(code, fmt)
    session, algorithm, _version = _entry(code)
    values = {k: request.form.get(k, "") for k in ("kind", "field", "body", "email")}
    wait = client_must_wait("contribution")
    if wait:
        return _page(code, fmt, status=429, values=values, wait=wait, errors={"body": _(
            "You have sent several messages in a short time. Try again in %(minutes)d minutes.",
            minutes=max(1, -(-wait // 60)))})
    try:
        svc.submit(session=session, algorithm=algorithm, data=dict(values, website=request.form.get("website", "")),
                   locale=locale(), answer_days=int(current_app.config["ANSWER_DAYS"]))
    except svc.Honeypot:
        session.rollback()  # a robot filled in the hidden field: store nothing, say nothing
    except algos.ValidationFailed as error:
        session.rollback()
        return _page(code, fmt, status=422, values=values, errors={e.field: e.message for e in error.errors})
    return redirect(url_for("public.questions_page", code=algorithm.code, sent="question") + "#sent", 303)


@bp.post("/algorithms/<code>/questions/<int:item_id>/flag")
def flag_item(code: str, item_id: int):
    """Report that a published question or answer should not be public."""
    session, algorithm, _version = _entry(code)
    item = session.get(Contribution, item_id)
    if item is None or item.algorithm_id != algorithm.id or item.state != "published":
        fail(404)
    wait = client_must_wait("flag")
    if wait:
        return _page(code, "html", status=429, wait=wait, flag_errors={item_id: _(
            "You have sent several messages in a short time. Try again in %(minutes)d minutes.",
            minutes=max(1, -(-wait // 60)))})
    try:
        svc.flag(session=session, item=item, reason=request.form.get("reason", ""), locale=locale())
    except algos.ValidationFailed as error:
        session.rollback()
        return _page(code, "html", status=422, flag_errors={item_id: error.errors[0].message})
    return redirect(url_for("public.questions_page", code=algorithm.code, sent="flag") + "#sent", 303)


OPEN_DATA_COLUMNS = ["algorithm", "id", "kind", "field", "language", "body", "received_on", "due_on", "overdue",
                     "answer", "answered_on"]


@bp.get("/questions.json")
def questions_json():
    """Every published question with its answer as open data (no personal data)."""
    return jsonify(to_json({"items": svc.open_data(get_session(), date.today())}))


@bp.get("/questions.csv")
def questions_csv():
    """The same open data as CSV (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=OPEN_DATA_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in svc.open_data(get_session(), date.today()):
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="vragen.csv"'})
