"""Portal: register a model version with an entry (it joins the draft; approval publishes it)."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from register.services import accounts
from register.services import algorithms as algos
from register.services.model_versions import RegistrationFailed, register_model
from register.web.common import fail, locale, login_required
from register.web.portal import bp
from register.web.portal.views import _own_algorithm

FILES = ("model", "spec", "reference")


@bp.route("/algorithms/<code>/models", methods=["GET", "POST"])
@login_required
def upload_model(code: str):
    """Upload a .skops model with its feature spec and reference data; refusals say why, per file."""
    db, user, algorithm = _own_algorithm(code)
    if request.method == "GET":
        return render_template("portal/model_upload.html", algorithm=algorithm, errors={})
    files = {name: request.files.get(name) for name in FILES + ("preprocessing",)}
    files = {name: f if f is not None and f.filename else None for name, f in files.items()}
    # the reference data is optional for decision rules only; the kind is told from the model file
    errors = {name: _("Please add this file.") for name in ("model", "spec") if files[name] is None}
    if not errors:
        try:
            version = register_model(session=db, user=user, algorithm=algorithm,
                                     data_dir=current_app.config["DATA_DIR"], model=files["model"].read(),
                                     model_name=files["model"].filename, spec=files["spec"].read(),
                                     spec_name=files["spec"].filename,
                                     reference=files["reference"].read() if files["reference"] else None,
                                     extra=files["preprocessing"].read() if files["preprocessing"] else None,
                                     note=request.form.get("note", "").strip()[:999] or None)
        except RegistrationFailed as failure:
            db.rollback()
            errors = {failure.field: failure.message(locale())}
        except accounts.PermissionDenied:
            db.rollback()
            fail(403, _("Your role in this organisation does not allow this step."))
        except algos.WorkflowError as failure:
            db.rollback()
            errors = {"model": _(str(failure))}
    if errors:
        return render_template("portal/model_upload.html", algorithm=algorithm, errors=errors), 422
    flash(_("Model version %(number)d is registered and added to the draft. Submit the draft for approval to "
            "publish it.", number=version.number))
    return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
