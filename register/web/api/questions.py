"""API: the organisation's queue of residents' questions, answers and their approval (issue 15).

The same steps and the same four eyes as the portal's /portal/questions: an answer written through
the API is published only when a different approver approves it; then the resident who left an
e-mail address gets it by e-mail. Residents' e-mail addresses are never part of an answer here.
"""
from __future__ import annotations

from datetime import date

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from register.db import get_session
from register.models.participation import Contribution
from register.services import accounts
from register.services import algorithms as algos
from register.services import participation as svc
from register.services import participation_mail as mail_svc
from register.web.api import bp
from register.web.api.views import token_required
from register.web.common import json_error, locale


def _described(row: dict) -> dict:
    item = row["item"]
    return {"id": item.id, "algorithm": row["code"], "step": row["step"], "kind": item.kind, "field": item.field,
            "body": item.body, "language": item.language, "received_on": item.received_at.date().isoformat(),
            "due_on": item.due_on.isoformat(), "overdue": row["overdue"], "state": item.state,
            "answer": item.answer, "answer_state": item.answer_state, "flags": row["flags"],
            "answer_by_email": row["has_email"], "email_state": item.answer_email_state,
            "may_approve": row["may_approve"]}


def _queue(db) -> list[dict]:
    return [_described(row) for row in svc.queue(db, g.api_user, date.today())
            if row["item"].organisation_id == g.api_token.organisation_id]


def _item(item_id: int):
    """The question, when it is about an entry of the token's organisation; else an error response."""
    db = get_session()
    item = db.get(Contribution, item_id)
    if item is None or item.state not in ("received", "published"):
        return db, None, json_error(404, _("No open question with number %(id)d.", id=item_id))
    if item.organisation_id != g.api_token.organisation_id:
        return db, None, json_error(403, _("This token belongs to another organisation."))
    return db, item, None


def _one(db, item: Contribution) -> dict:
    found = [row for row in _queue(db) if row["id"] == item.id]
    public = svc.public_item(item, date.today())
    return {"ok": True, "question": found[0] if found else None,
            "public": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in public.items()}}


@bp.get("/questions")
@token_required
def list_questions():
    """The queue of the token's organisation: to moderate, answer, approve, flagged, e-mail failed."""
    return jsonify({"ok": True, "items": _queue(get_session())})


@bp.post("/questions/<int:item_id>/answer")
@token_required
def answer_question(item_id: int):
    """Write (or rewrite) the answer; it waits for a different approver."""
    db, item, error = _item(item_id)
    if error:
        return error
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return json_error(400, _('Send a JSON object, e.g. {"answer": "..."}.'))
    text = body.get("answer")
    if not isinstance(text, str):
        return json_error(422, _("Some fields are not filled in correctly."),
                          [{"field": "answer", "message": _("Please write the answer.")}])
    try:
        svc.write_answer(session=db, user=g.api_user, item=item, text=text, locale=locale())
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    except algos.ValidationFailed as failure:
        db.rollback()
        return json_error(422, _("Some fields are not filled in correctly."), [e.as_dict() for e in failure.errors])
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    return jsonify(_one(db, item))


@bp.post("/questions/<int:item_id>/approve")
@token_required
def approve_question_answer(item_id: int):
    """Publish the waiting answer (an approver who did not write it); the resident gets it by e-mail."""
    db, item, error = _item(item_id)
    if error:
        return error
    try:
        svc.approve_answer(session=db, user=g.api_user, item=item)
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your role in this organisation does not allow this step."))
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    emailed = mail_svc.deliver(db, item, config=current_app.config)
    return jsonify(_one(db, item) | {"email": emailed})


@bp.post("/questions/<int:item_id>/resend")
@token_required
def resend_question_answer(item_id: int):
    """Send a published answer's failed e-mail to the resident again."""
    db, item, error = _item(item_id)
    if error:
        return error
    try:
        emailed = mail_svc.deliver(db, item, config=current_app.config, resent_by=g.api_user)
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    return jsonify(_one(db, item) | {"email": emailed})
