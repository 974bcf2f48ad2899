"""API endpoints: entries and their workflow, described by /api/v1/openapi.json."""
from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.i18n import N_
from register.models import Organisation
from register.services import accounts
from register.services import algorithms as algos
from register.services.openapi import openapi_document
from register.services.standard import to_standard
from register.services.text_cleaning import clean_record
from register.web.api import bp
from register.web.common import json_error, locale

TOKEN_REFUSED = {  # issue 12: say why a token stopped working, so its owner knows what to do
    None: N_("Send a valid API token: Authorization: Bearer <token>."),
    "revoked": N_("This API token has been revoked. Make a new one at /portal/tokens."),
    "expired": N_("This API token has expired. Make a new one at /portal/tokens."),
    "no-membership": N_("The account of this API token no longer works for the token's organisation."),
}


def token_required(view):
    """Authenticate with ``Authorization: Bearer <token>``; 401 otherwise."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        plain = header.removeprefix("Bearer ").strip()
        found = accounts.user_for_token(session=get_session(), plain=plain) if header.startswith("Bearer ") else None
        if found is None:
            why = accounts.refused_token(session=get_session(), plain=plain) if header.startswith("Bearer ") else None
            return json_error(401, _(TOKEN_REFUSED.get(why, TOKEN_REFUSED[None])))
        g.api_user, g.api_token = found
        return view(*args, **kwargs)
    return wrapped


def _body() -> dict | tuple:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, _("Send a JSON object in the request body."))
    return data


def _entry(code: str):
    """The entry, when it belongs to the token's organisation; else an error response."""
    db = get_session()
    algorithm = algos.get_by_code(db, code)
    if algorithm is None:
        return db, None, json_error(404, _("No algorithm with code %(code)s.", code=code.upper()))
    if algorithm.organisation_id != g.api_token.organisation_id:
        return db, None, json_error(403, _("This token belongs to another organisation."))
    return db, algorithm, None


def _state(db, algorithm) -> dict:
    draft = algos.current_draft(db, algorithm)
    published = algos.published_version(db, algorithm)
    return {"ok": True, "code": algorithm.code, "public_state": algorithm.public_state,
            "draft_state": draft.state if draft else None,
            "return_reason": draft.return_reason if draft else None,
            "published_version": published.number if published else None,
            "draft": to_standard(algos.entry_data(draft)) if draft else None,
            "published": to_standard(algos.entry_data(published)) if published else None,
            "public_url": url_for("public.algorithm_detail", code=algorithm.code, _external=True)}


def _validation_error(error: algos.ValidationFailed):
    return json_error(422, _("Some fields are not filled in correctly."), [e.as_dict() for e in error.errors])


@bp.get("/")
def api_index():
    """Where to start: links to the description and the collections."""
    return jsonify({"ok": True, "openapi": url_for("api.openapi", _external=True),
                    "algorithms": url_for("api.list_algorithms", _external=True)})


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document(url_for("api.api_index", _external=True).rstrip("/")))


@bp.get("/algorithms")
@token_required
def list_algorithms():
    """The entries of the token's organisation, drafts included."""
    db = get_session()
    from register.services.portal import overview

    organisation = db.get(Organisation, g.api_token.organisation_id)
    items = [row for row in overview(db, g.api_user) if row["organisation"] == organisation.name]
    return jsonify({"ok": True, "items": items})


@bp.post("/algorithms")
@token_required
def create_algorithm():
    """Create an entry as a draft of the token's organisation."""
    data = _body()
    if isinstance(data, tuple):
        return data
    db = get_session()
    organisation = db.get(Organisation, g.api_token.organisation_id)
    # Cleaned as the import cleans (issue #17); strict validation still refuses whatever is left.
    data, notes = clean_record({k: v for k, v in data.items() if k not in ("language", "schema")}, locale())
    try:
        algorithm = algos.create_entry(session=db, user=g.api_user, organisation=organisation, data=data,
                                       locale=locale())
    except algos.ValidationFailed as error:
        db.rollback()
        return _validation_error(error)
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    return (jsonify(_state(db, algorithm) | {"notes": notes}), 201,
            {"Location": url_for("api.get_algorithm", code=algorithm.code)})


@bp.get("/algorithms/<code>")
@token_required
def get_algorithm(code: str):
    """An entry of the token's organisation with its draft and published version."""
    db, algorithm, error = _entry(code)
    return error or jsonify(_state(db, algorithm))


@bp.patch("/algorithms/<code>")
@token_required
def update_algorithm(code: str):
    """Change some fields; a published entry gets a new draft."""
    db, algorithm, error = _entry(code)
    if error:
        return error
    data = _body()
    if isinstance(data, tuple):
        return data
    data, notes = clean_record({k: v for k, v in data.items() if k not in ("language", "schema")}, locale())
    try:
        algos.update_entry(session=db, user=g.api_user, algorithm=algorithm, data=data, partial=True, locale=locale())
    except algos.ValidationFailed as failure:
        db.rollback()
        return _validation_error(failure)
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    return jsonify(_state(db, algorithm) | {"notes": notes})


@bp.post("/algorithms/<code>/<any(submit, approve, return, retract, archive):step>")
@token_required
def workflow_step(code: str, step: str):
    """Submit, approve, return (with ``reason``), retract or archive (with ``reason``)."""
    db, algorithm, error = _entry(code)
    if error:
        return error
    body = request.get_json(silent=True) if request.get_data(cache=True) else {}
    if not isinstance(body, dict):  # a bare number, list or text is no request (issue 12)
        return json_error(400, _('Send a JSON object, e.g. {"reason": "..."}, or no body.'))
    texts = {name: body.get(name) for name in ("reason", "override_reason")}
    wrong = [name for name, value in texts.items() if value is not None and not isinstance(value, str)]
    if wrong:
        return json_error(422, _("Some fields are not filled in correctly."),
                          [{"field": name, "message": _("A reason is a text.")} for name in wrong])
    reason, override = ((texts[name] or "").strip() for name in ("reason", "override_reason"))
    try:
        algos.take_step(session=db, user=g.api_user, algorithm=algorithm, step=step, reason=reason,
                        override_reason=override or None)
    except accounts.PermissionDenied:
        db.rollback()
        if step == "approve" and g.api_user.is_admin:
            return json_error(403, _(accounts.OVERRIDE_NEEDED))
        return json_error(403, _("Your role in this organisation does not allow this step."))
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    return jsonify(_state(db, algorithm))
