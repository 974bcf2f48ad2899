"""Portal: residents' questions to moderate and answer (four eyes), flags, and advice with responses (issue 15)."""
from __future__ import annotations

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.i18n import N_
from register.models.participation import ADVICE_OUTCOMES, ADVISER_KINDS, Advice, Contribution
from register.services import accounts
from register.services import algorithms as algos
from register.services import participation as svc
from register.services import participation_advice as advice_svc
from register.services import participation_mail as mail_svc
from register.services.standard import label
from register.web.common import current_user, fail, locale, login_required
from register.web.portal import bp
from register.web.portal.views import _own_algorithm

DONE = {"publish": N_("The question is now public."), "reject": N_("The question was rejected; it stays hidden."),
        "answer": N_("Answer saved. A second person must approve it before it is published."),
        "approve": N_("The answer is published."), "keep": N_("The item stays public; the reports are closed."),
        "hide": N_("The item is hidden; the page says why."), "resend": N_("The answer was e-mailed to the sender.")}
EMAIL_FAILED = N_("The answer is published, but the e-mail to the sender failed. It waits in this list to be sent "
                  "again.")
EMAIL_SENT = N_("The answer is published and e-mailed to the sender.")


def _queue_page(status: int = 200, errors: dict | None = None, values: dict | None = None):
    db, user = get_session(), current_user()
    work = svc.queue(db, user, date.today())
    for row in work:
        error = row["item"].answer_email_error
        row["email_error"] = _(mail_svc.ERROR_TEXTS[error]) if error in mail_svc.ERROR_TEXTS else None
        row["field_label"] = label(row["item"].field, locale()) if row["item"].field else None
        row["flag_reasons"] = [f.reason for f in svc.flags_of(db, row["item"])] if row["flags"] else []
    return render_template("portal/questions.html", work=work, errors=errors or {}, values=values or {}), status


@bp.route("/questions")
@login_required
def questions():
    """The queue of residents' questions, with deadlines: moderate, answer, approve, flags."""
    return _queue_page()


@bp.post("/questions/<int:item_id>/<any(publish, reject, answer, approve, keep, hide, resend):step>")
@login_required
def question_step(item_id: int, step: str):
    """Take one step on a question: moderate it, answer it, approve the answer or handle a flag."""
    db, user = get_session(), current_user()
    item = db.get(Contribution, item_id)
    if item is None:
        fail(404)
    reason = request.form.get("reason", "")
    emailed = None
    try:
        if step in ("publish", "reject"):
            svc.moderate(session=db, user=user, item=item, decision=step, reason=reason)
        elif step == "answer":
            svc.write_answer(session=db, user=user, item=item, text=request.form.get("answer", ""), locale=locale())
        elif step == "approve":
            svc.approve_answer(session=db, user=user, item=item)
            emailed = mail_svc.deliver(db, item, config=current_app.config)
        elif step == "resend":
            emailed = mail_svc.deliver(db, item, config=current_app.config, resent_by=user)
        else:
            svc.resolve_flags(session=db, user=user, item=item, outcome={"keep": "kept", "hide": "hidden"}[step],
                              reason=reason)
    except accounts.PermissionDenied:
        db.rollback()
        fail(403, _("This question is about an entry of another organisation, or your role does not allow this step."))
    except algos.ValidationFailed as error:
        db.rollback()
        return _queue_page(422, {item_id: error.errors[0].message}, {item_id: request.form.get("answer", "")})
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.questions")), 303
    if emailed == mail_svc.FAILED:
        flash(_(EMAIL_FAILED), "error")
    else:
        done = EMAIL_SENT if step == "approve" and emailed == mail_svc.SENT else DONE[step]
        flash(_(done))
    return redirect(url_for("portal.questions")), 303


def _advice_page(code: str, status: int = 200, errors: dict | None = None, values: dict | None = None):
    db, user, algorithm = _own_algorithm(code)
    is_approver = accounts.has_role(session=db, user=user, organisation_id=algorithm.organisation_id, role="approver")
    return render_template("portal/advice.html", algorithm=algorithm, name=algos.working_copy(db, algorithm).name,
                           advice=advice_svc.advice_of(db, algorithm, published_only=False), errors=errors or {},
                           values=values or {}, kinds=ADVISER_KINDS, outcomes=ADVICE_OUTCOMES,
                           adviser_labels=advice_svc.ADVISER_LABELS, outcome_labels=advice_svc.OUTCOME_LABELS,
                           is_approver=is_approver, user=user,
                           documents=advice_svc.advice_documents(db, algorithm)), status


@bp.route("/algorithms/<code>/advice", methods=["GET", "POST"])
@login_required
def advice(code: str):
    """Advice on the entry with the organisation's response: register it, see what waits for approval."""
    if request.method == "GET":
        return _advice_page(code)
    db, user, algorithm = _own_algorithm(code)
    values = {k: request.form.get(k, "") for k in ("adviser_kind", "adviser_name", "given_on", "summary", "link",
                                                   "response", "outcome", "decided_on", "document_id")}
    try:
        advice_svc.submit_advice(session=db, user=user, algorithm=algorithm, data=values, locale=locale())
    except algos.ValidationFailed as error:
        db.rollback()
        return _advice_page(code, 422, {e.field: e.message for e in error.errors}, values)
    flash(_("Advice saved. A second person must approve it before it is published."))
    return redirect(url_for("portal.advice", code=algorithm.code)), 303


@bp.post("/advice/<int:advice_id>/approve")
@login_required
def approve_advice(advice_id: int):
    """Publish advice and response (by a different person than who registered it)."""
    db, user = get_session(), current_user()
    item = db.get(Advice, advice_id)
    if item is None:
        fail(404)
    code = db.get(algos.Algorithm, item.algorithm_id).code
    try:
        advice_svc.approve_advice(session=db, user=user, advice=item)
    except accounts.PermissionDenied:
        db.rollback()
        fail(403, _("Your role in this organisation does not allow this step."))
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.advice", code=code)), 303
    flash(_("The advice and the response are published."))
    return redirect(url_for("portal.advice", code=code)), 303
