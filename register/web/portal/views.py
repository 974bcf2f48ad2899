"""Portal pages: sign in and out, the work list, entry forms, the workflow and API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.i18n import N_
from register.models import ApiToken, Organisation
from register.services import accounts
from register.services import algorithms as algos
from register.services import portal as portal_service
from register.services import documents
from register.services.presenters import entry_sections
from register.services.standard import ENTRY_FIELDS, LIST_FIELDS, invisible_in, label, layout, normalise_form
from register.web.common import current_user, fail, locale, login_required
from register.web.portal import bp


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    return target if target and not parts.scheme and not parts.netloc and target.startswith("/") else url_for("portal.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail address and password (failed attempts are limited, see web/ratelimit.py)."""
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        user = accounts.authenticate(session=get_session(), email=email, password=request.form.get("password", ""))
        if user is not None:
            session.clear()
            session["user_id"], session["epoch"] = user.id, user.session_epoch or 0
            return redirect(_safe_next(request.args.get("next")))
        error = _("The e-mail address or password is not correct.")
        return render_template("portal/login.html", email=email, error=error), 401
    return render_template("portal/login.html", email="", error=None)


@bp.post("/logout")
def logout():
    """Sign out, here and on every other device the account is signed in on."""
    user = current_user()
    if user is not None:
        db = get_session()
        accounts.end_sessions(session=db, user=user)
        db.commit()
    session.clear()
    return redirect(url_for("public.index"))


@bp.route("/")
@login_required
def home():
    """The entries of the account's organisations and what awaits its approval."""
    db = get_session()
    return render_template("portal/home.html", entries=portal_service.overview(db, current_user()))


def _form_context(values: dict, errors: dict, organisations: list[Organisation] | None = None) -> dict:
    sections = []
    for section in layout(locale(), include_hidden=True):
        fields = []
        for field in section["fields"]:
            if field["name"] == "organization":  # follows from the organisation (issue 12, point 2)
                continue
            if field["widget"] == "checkboxes":  # keep values from imports that are not in the list
                known = {value for value, _text in field["choices"]}
                extra = [(v, v) for v in values.get(field["name"]) or [] if v not in known]
                field = dict(field, choices=field["choices"] + extra)
            fields.append(field)
        sections.append(dict(section, fields=fields))
    return {"sections": sections, "values": values, "errors": errors,
            "organisations": organisations or [], "list_fields": LIST_FIELDS}


def _errors_by_field(error: algos.ValidationFailed) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


def _form_data() -> dict:
    raw = {name: (request.form.getlist(name) if name == "theme" else request.form.get(name))
           for name in ENTRY_FIELDS if name != "organization"}
    cleaned = invisible_in(raw)
    if cleaned:  # normalised as on import, and said so (issue #17)
        flash(_("Invisible characters and non-breaking spaces were removed from: %(fields)s.",
                fields=", ".join(label(name, locale()) for name in cleaned)))
    return normalise_form(raw)


@bp.route("/algorithms/new", methods=["GET", "POST"])
@login_required
def new_algorithm():
    """Register a new algorithm (saved as a draft of the chosen organisation)."""
    db, user = get_session(), current_user()
    organisations = portal_service.organisations_for(db, user)
    if not organisations:
        fail(403, _("Your account does not work for any organisation yet. Ask a site administrator."))
    if request.method == "GET":
        values = {"theme": [], "decision_kinds": []}
        return render_template("portal/edit.html", mode="new", **_form_context(values, {}, organisations))
    data = _form_data()
    chosen = request.form.get("organisation_id", "")
    organisation = next((o for o in organisations if str(o.id) == chosen), None)
    errors = {} if organisation else {"organisation_id": _("Choose the organisation this entry belongs to.")}
    try:
        if organisation is None:
            raise algos.ValidationFailed([])
        algorithm = algos.create_entry(session=db, user=user, organisation=organisation, data=data,
                                       locale=locale(), strict=False)
    except algos.ValidationFailed as error:
        db.rollback()
        errors |= _errors_by_field(error)
        return render_template("portal/edit.html", mode="new", **_form_context(data, errors, organisations)), 422
    flash(_("Draft saved. Submit it when it is ready for approval."))
    return redirect(url_for("portal.algorithm", code=algorithm.code))


def _own_algorithm(code: str):
    """The entry, if the account works for its organisation; 404 or 403 otherwise."""
    db, user = get_session(), current_user()
    algorithm = algos.get_by_code(db, code)
    if algorithm is None:
        fail(404)
    if not algos.visible_to(db, user, algorithm):
        fail(403, _("This entry belongs to another organisation."))
    return db, user, algorithm


@bp.route("/algorithms/<code>")
@login_required
def algorithm(code: str):
    """An entry's working copy, state, history of actions and the steps the account may take."""
    db, user, algorithm = _own_algorithm(code)
    draft = algos.current_draft(db, algorithm)
    copy = algos.working_copy(db, algorithm)
    is_approver = accounts.has_role(session=db, user=user, organisation_id=algorithm.organisation_id, role="approver")
    member = accounts.is_member(session=db, user=user, organisation_id=algorithm.organisation_id, role="approver")
    awaiting = bool(draft and draft.state == "submitted" and draft.last_editor_id != user.id)
    return render_template("portal/algorithm.html", algorithm=algorithm, draft=draft, name=copy.name,
                           sections=entry_sections(copy, locale()), events=portal_service.events(db, algorithm),
                           can_approve=awaiting and is_approver, needs_override=awaiting and not member,
                           is_approver=is_approver, document_set=documents.portal_documents(db, algorithm))


@bp.route("/algorithms/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_algorithm(code: str):
    """Edit the draft (a published entry gets a new draft; the public page stays as it is)."""
    db, user, algorithm = _own_algorithm(code)
    if request.method == "GET":
        values = algos.entry_data(algos.working_copy(db, algorithm))
        return render_template("portal/edit.html", mode="edit", algorithm=algorithm, **_form_context(values, {}))
    data = _form_data()
    try:
        algos.update_entry(session=db, user=user, algorithm=algorithm, data=data, locale=locale(), strict=False)
    except algos.ValidationFailed as error:
        db.rollback()
        return render_template("portal/edit.html", mode="edit", algorithm=algorithm,
                               **_form_context(data, _errors_by_field(error))), 422
    flash(_("Draft saved."))
    return redirect(url_for("portal.algorithm", code=algorithm.code))


NOT_YOUR_STEP = N_("Your role in this organisation does not allow this step.")
STEP_DONE = {
    "submit": N_("Submitted for approval."),
    "approve": N_("Published. The public page now shows this version."),
    "return": N_("Returned to the registrants."),
    "retract": N_("Retracted. The public page says so; the history stays visible."),
    "archive": N_("Archived."),
}


@bp.post("/algorithms/<code>/<any(submit, approve, return, retract, archive):step>")
@login_required
def workflow(code: str, step: str):
    """Take a workflow step: submit, approve, return, retract or archive."""
    db, user, algorithm = _own_algorithm(code)
    try:
        algos.take_step(session=db, user=user, algorithm=algorithm, step=step,
                        reason=request.form.get("reason", "").strip(),
                        override_reason=request.form.get("override_reason", "").strip() or None)
    except accounts.PermissionDenied:
        db.rollback()
        refused = accounts.OVERRIDE_NEEDED if step == "approve" and user.is_admin else NOT_YOUR_STEP
        fail(403, _(refused))
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
    flash(_(STEP_DONE[step]))
    return redirect(url_for("portal.algorithm", code=algorithm.code)), 303


def _token_form() -> tuple[str, Organisation | None, int | None]:
    name = request.form.get("name", "").strip()[:120]
    chosen = request.form.get("organisation_id")
    organisation = next((o for o in portal_service.organisations_for(get_session(), current_user())
                         if str(o.id) == chosen), None)
    days = request.form.get("days") or str(accounts.DEFAULT_TOKEN_DAYS)
    return name, organisation, int(days) if days.isascii() and days.isdigit() and int(days) in accounts.TOKEN_DAYS else None


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """API tokens for department systems: made (shown once, stored as a hash), expiring, revocable."""
    db, user = get_session(), current_user()
    created, errors = None, {}
    if request.method == "POST":
        name, organisation, days = _token_form()
        errors = {key: message for key, message, bad in (
            ("name", _("Give the token a name."), not name),
            ("organisation_id", _("Choose an organisation."), organisation is None),
            ("days", _("Choose how long the token may be used."), days is None)) if bad}
        if not errors:
            _token, created = accounts.create_api_token(session=db, user=user, organisation=organisation,
                                                        name=name, days=days)
            db.commit()
    return render_template("portal/tokens.html", **portal_service.token_page(db, user), created=created,
                           errors=errors, choices=accounts.TOKEN_DAYS, default_days=accounts.DEFAULT_TOKEN_DAYS,
                           ), (422 if errors else 200)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the account's tokens (a site administrator may revoke anyone's)."""
    db, user = get_session(), current_user()
    token = db.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and not user.is_admin):
        fail(404, _("There is no such token among yours."))
    if accounts.revoke_token(session=db, token=token):
        db.commit()
    flash(_("Token %(name)s is revoked; systems using it are refused from now on.", name=token.name))
    return redirect(url_for("portal.tokens"), 303)
