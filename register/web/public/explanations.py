"""How it works, explain a decision, decision receipts and the algorithm label."""
from __future__ import annotations

from flask import current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.models import AlgorithmVersion
from register.services import ai_act_rights  # EU AI Act art. 86 on receipts (issue #17)
from register.services import decisions, labels, model_kinds, published
from register.services.model_pages import decision_help, form_fields, how_it_works, model_facts
from register.services.model_versions import published_model
from register.web.reports import render_pdf
from register.web import csrf
from register.web.common import fail, json_error, locale, respond, to_json, twin
from register.web.public import bp
from register.web.public.views import _published_or_fail


def data_dir() -> str:
    return current_app.config["DATA_DIR"]


@twin(bp, "/algorithms/<code>/how-it-works")
def how_it_works_page(fmt: str, code: str):
    """What the model looks at, each feature's effect, performance, fairness and who is accountable."""
    session, algorithm, version = _published_or_fail(code)
    found = published_model(session, algorithm)
    context = how_it_works(algorithm, version, found[1] if found else None, locale(), data_dir())
    keys = tuple(k for k in context if k != "chart_svg")
    return respond("public/how_it_works.html", fmt, json_keys=keys, **context)


def _explain_context(algorithm, version, model, values=None, errors=None, answer=None) -> dict:
    if model.kind != "sklearn":  # rules, boosters, text, ONNX: the kind's own form (issue 11)
        runtime = model_kinds.runtime_for(model, data_dir())
        outcome, fields = runtime.outcome_label(locale()), runtime.fields(locale(), values, errors)
    else:
        spec = decisions.spec_of(model)
        outcome, fields = spec.outcome.label.get(locale()), form_fields(spec, locale(), values, errors)
    return {"code": algorithm.code, "name": version.name, "outcome": outcome, "kind": model.kind,
            "fields": fields, "errors": errors or {}, "answer": answer,
            "model": model_facts(model, locale()), "decision": decision_help(version)}


def _form_values(model) -> dict:
    """What was typed into the explain form, per feature (kept only for this request)."""
    names = [f.name for f in decisions.spec_of(model).features] if model.kind == "sklearn" \
        else model_kinds.runtime_for(model, data_dir()).names()
    return {name: request.form.get(name, "") for name in names}


def _model_or_fail(session, algorithm, found=None):
    if algorithm.public_state in decisions.Withdrawn.MESSAGES:  # retracted or archived: no new decisions
        fail(410, _(decisions.Withdrawn.MESSAGES[algorithm.public_state]))
    found = found if found is not None else published_model(session, algorithm)
    if found is None:
        fail(404, _("This algorithm has no registered model, so decisions cannot be explained here yet."))
    return found


def _explainable(code: str):
    """(session, entry, published version, (version, model)) for a resident's explanation, read
    once per content generation (services/published.py); a 404 or 410 page that says why not."""
    session = get_session()
    found = published.entry(session, code)
    if found is None or found[1] is None:
        _published_or_fail(code)  # says why, in the same words as the entry's own page
    algorithm, version, model_found = found
    if model_found is None:
        _model_or_fail(session, algorithm, None)
    return session, algorithm, version, _model_or_fail(session, algorithm, model_found)


@bp.route("/algorithms/<code>/explain", methods=["GET", "POST"], defaults={"fmt": "html"})
def explain_page(fmt: str, code: str):
    """A form from the model's feature spec, answered in place. The inputs are never stored or logged."""
    session, algorithm, version, found = _explainable(code)
    model = found[1]
    if request.method == "GET":
        return render_template("public/explain.html", **_explain_context(algorithm, version, model))
    values = _form_values(model)
    try:
        answer, _model = decisions.what_if(session=session, algorithm=algorithm, inputs=values, locale=locale(),
                                           data_dir=data_dir(), found=found)
    except decisions.InputRefused as refused:
        return render_template("public/explain.html", **_explain_context(
            algorithm, version, model, values, refused.errors)), 422
    response = make_response(render_template("public/explain.html", **_explain_context(
        algorithm, version, model, values, answer=answer)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/algorithms/<code>/explain.json", methods=["GET", "POST"], defaults={"fmt": "json"},
          endpoint="explain_page_json")
@csrf.exempt
def explain_json(fmt: str, code: str):
    """GET: the form's fields. POST (JSON object or form): the same answer as the page, as JSON."""
    session, algorithm, version, found = _explainable(code)
    model = found[1]
    if request.method == "GET":
        return jsonify(to_json(_explain_context(algorithm, version, model)))
    values = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if not isinstance(values, dict):
        return json_error(400, _("Send the case as a JSON object of field names and values."))
    try:
        answer, model = decisions.what_if(session=session, algorithm=algorithm, inputs=values, locale=locale(),
                                          data_dir=data_dir(), found=found)
    except decisions.InputRefused as refused:
        return json_error(422, _("Some fields are not filled in correctly."),
                          [{"field": k, "message": v} for k, v in refused.errors.items()])
    response = jsonify(to_json({"ok": True, "code": algorithm.code, "model": model_facts(model, locale()), **answer.to_dict(),
                                "decision": decision_help(version)}))
    response.headers["Cache-Control"] = "no-store"
    return response


def _receipt_context(token: str):
    session = get_session()
    try:
        receipt = decisions.open_receipt(session, token)
    except decisions.ReceiptExpired:
        fail(410, _("This explanation was kept until its expiry date and has now been deleted, as promised. "
                    "Your decision itself still stands. Ask the organisation that sent your letter if you "
                    "need the explanation again."))
    if receipt is None:
        fail(404, _("We cannot find an explanation at this address. Check that you typed the whole link "
                    "from your letter."))
    context = decisions.receipt_view(session, receipt, locale(), data_dir())
    context["ai_act_rights"] = ai_act_rights.for_receipt(  # EU AI Act art. 86 (issue #17)
        session.get(AlgorithmVersion, receipt.algorithm_version_id), context["answer"].narrative, locale())
    return dict(context, algorithm_url=url_for("public.algorithm_detail", code=context["code"], _external=True))


def _private(response):
    """Receipts are personal: never indexed, cached or passed on as a referrer."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/d/<token>", defaults={"fmt": "html"})
@bp.route("/d/<token>.json", defaults={"fmt": "json"}, endpoint="receipt_json")
def receipt(fmt: str, token: str):
    """One resident's decision explanation, as it was made, until it expires."""
    context = _receipt_context(token)
    if fmt == "json":
        data = dict(context, answer=context["answer"].to_dict())
        return _private(jsonify(to_json(data)))
    return _private(make_response(render_template("public/receipt.html", **context)))


@bp.route("/d/<token>.pdf")
def receipt_pdf(token: str):
    """The same explanation as a tagged PDF."""
    context = _receipt_context(token)
    pdf = render_pdf("reports/explanation.html", locale(), **context)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="uitleg-{context["reference"]}.pdf"'
    return _private(response)


@bp.route("/algorithms/<code>/explain.pdf", methods=["POST"])
def explain_pdf(code: str):
    """The answer to the explain form as a PDF (the inputs come with the request and are not kept)."""
    session, algorithm, version = _published_or_fail(code)
    _version, model = _model_or_fail(session, algorithm)
    values = _form_values(model)
    try:
        answer, model = decisions.what_if(session=session, algorithm=algorithm, inputs=values, locale=locale(),
                                          data_dir=data_dir())
    except decisions.InputRefused as refused:
        return render_template("public/explain.html", **_explain_context(
            algorithm, version, model, values, refused.errors)), 422
    pdf = render_pdf("reports/explanation.html", locale(), code=algorithm.code, name=version.name,
                     organisation=version.organization, reference=None, created_at=None, expires_at=None,
                     model=model_facts(model, locale()), answer=answer, decision=decision_help(version),
                     algorithm_url=url_for("public.algorithm_detail", code=algorithm.code, _external=True))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="uitleg-{algorithm.code}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _label_context(algorithm) -> dict:
    page = url_for("public.algorithm_detail", code=algorithm.code, _external=True)
    short = url_for("public.short_address", code=algorithm.code, _external=True)
    size, path = labels.qr_path(short)
    return {"code": algorithm.code, "page": page, "short_url": short, "short": labels.short_address(short),
            "qr": {"size": size, "path": path}}


@twin(bp, "/algorithms/<code>/label")
def label_page(fmt: str, code: str):
    """The algorithm label: an embeddable badge and HTML snippet for web pages and letters."""
    _session, algorithm, version = _published_or_fail(code)
    context = _label_context(algorithm)
    badge = url_for("public.label_svg", code=algorithm.code, _external=True)
    snippet = render_template("public/_label_snippet.html", badge=badge, **context)
    return respond("public/label.html", fmt, json_keys=("code", "name", "page", "short_url", "badge", "snippet"),
                   name=version.name, badge=badge, snippet=snippet.strip(), **context)


@bp.route("/algorithms/<code>/label.svg")
def label_svg(code: str):
    """The badge as SVG: the code, "Bij dit besluit is een algoritme gebruikt", the short address and a QR code."""
    _session, algorithm, _version = _published_or_fail(code)
    response = make_response(render_template("public/label.svg", **_label_context(algorithm)))
    response.headers["Content-Type"] = "image/svg+xml; charset=utf-8"
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
