"""Portal pages: sign in and out, the work list, entry forms, the workflow and API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.i18n import N_
from register.models import Organisation
from register.services import accounts
from register.services import algorithms as algos
from register.services import portal as portal_service
from register.services import documents
from register.services.presenters import entry_sections
from register.services.ratelimit import RateLimiter
from register.services.standard import ENTRY_FIELDS, LIST_FIELDS, layout, normalise_form
from register.web.common import current_user, fail, locale, login_required
from register.web.portal import bp


def _limiter() -> RateLimiter:
    if "stadsregister.login_limiter" not in current_app.extensions:
        current_app.extensions["stadsregister.login_limiter"] = RateLimiter(
            int(current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"]))
    return current_app.extensions["stadsregister.login_limiter"]


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    return target if target and not parts.scheme and not parts.netloc and target.startswith("/") else url_for("portal.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail address and password (attempts are rate-limited)."""
    error = None
    if request.method == "POST":
        email = request.form.get("email", "").strip().lower()
        wait = _limiter().retry_after(f"{request.remote_addr}|{email}")
        if wait:
            return render_template("portal/login.html", email=email, error=_(
                "Too many attempts. Try again in %(seconds)d seconds.", seconds=wait)), 429, {"Retry-After": str(wait)}
        user = accounts.authenticate(session=get_session(), email=email, password=request.form.get("password", ""))
        if user is not None:
            session.clear()
            session["user_id"] = user.id
            return redirect(_safe_next(request.args.get("next")))
        error = _("The e-mail address or password is not correct.")
        return render_template("portal/login.html", email=email, error=error), 401
    return render_template("portal/login.html", email="", error=error)


@bp.post("/logout")
def logout():
    """Sign out."""
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
    raw = {name: (request.form.getlist(name) if name == "theme" else request.form.get(name)) for name in ENTRY_FIELDS}
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
        values = {"organization": organisations[0].name, "theme": [], "decision_kinds": []}
        return render_template("portal/edit.html", mode="new", **_form_context(values, {}, organisations))
    data = _form_data()
    chosen = request.form.get("organisation_id", "")
    organisation = next((o for o in organisations if str(o.id) == chosen), None)
    data["organization"] = organisation.name if organisation else None  # the form asks for it once
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
    can_approve = bool(is_approver and draft and draft.state == "submitted" and draft.last_editor_id != user.id)
    return render_template("portal/algorithm.html", algorithm=algorithm, draft=draft, name=copy.name,
                           sections=entry_sections(copy, locale()), events=portal_service.events(db, algorithm, locale()),
                           can_approve=can_approve, is_approver=is_approver,
                           review=portal_service.review(db, algorithm, draft, locale()) if can_approve else None,
                           models=portal_service.models(db, algorithm, draft),
                           document_set=documents.portal_documents(db, algorithm))


@bp.route("/algorithms/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_algorithm(code: str):
    """Edit the draft (a published entry gets a new draft; the public page stays as it is)."""
    db, user, algorithm = _own_algorithm(code)
    if request.method == "GET":
        values = algos.entry_data(algos.working_copy(db, algorithm))
        return render_template("portal/edit.html", mode="edit", algorithm=algorithm, **_form_context(values, {}))
    data = _form_data()
    data["organization"] = algos.working_copy(db, algorithm).organization  # not asked again when editing
    try:
        algos.update_entry(session=db, user=user, algorithm=algorithm, data=data, locale=locale(), strict=False)
    except algos.ValidationFailed as error:
        db.rollback()
        return render_template("portal/edit.html", mode="edit", algorithm=algorithm,
                               **_form_context(data, _errors_by_field(error))), 422
    flash(_("Draft saved."))
    return redirect(url_for("portal.algorithm", code=algorithm.code))


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
                        reason=request.form.get("reason", "").strip())
    except accounts.PermissionDenied:
        db.rollback()
        fail(403, _("Your role in this organisation does not allow this step."))
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
    flash(_(STEP_DONE[step]))
    return redirect(url_for("portal.algorithm", code=algorithm.code)), 303


@bp.route("/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """Create API tokens for department systems; a token is shown once and stored only as a hash."""
    db, user = get_session(), current_user()
    organisations = portal_service.organisations_for(db, user)
    created, error = None, None
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        organisation = next((o for o in organisations if str(o.id) == request.form.get("organisation_id")), None)
        if not name or organisation is None:
            error = _("Give the token a name and choose an organisation.")
        else:
            _token, created = accounts.create_api_token(session=db, user=user, organisation=organisation, name=name[:120])
            db.commit()
    return render_template("portal/tokens.html", organisations=organisations, created=created, error=error,
                           tokens=accounts.tokens_of(session=db, user=user)), (422 if error else 200)
