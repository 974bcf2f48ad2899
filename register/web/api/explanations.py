"""API: register a model version with an entry, and create decision receipts for letters."""
from __future__ import annotations

from flask import current_app, g, jsonify, request, url_for
from flask_babel import gettext as _

from register.services import accounts, decisions
from register.services import algorithms as algos
from register.services.model_versions import RegistrationFailed, register_model
from register.web.api import bp
from register.web.api.views import _entry, token_required
from register.web.common import json_error, locale


@bp.post("/algorithms/<code>/models")
@token_required
def register_model_version(code: str):
    """Register a model (multipart: ``model`` .skops, ``spec`` JSON/YAML, ``reference`` CSV) on the draft."""
    db, algorithm, error = _entry(code)
    if error:
        return error
    files = {name: request.files.get(name) for name in ("model", "spec", "reference", "preprocessing")}
    missing = [{"field": name, "message": _("Please add this file.")} for name, f in files.items()
               if f is None and name in ("model", "spec")]  # reference: the kind decides (rules need none)
    if missing:
        return json_error(422, _("Some files are missing."), missing)
    try:
        version = register_model(session=db, user=g.api_user, algorithm=algorithm,
                                 data_dir=current_app.config["DATA_DIR"], model=files["model"].read(),
                                 model_name=files["model"].filename or "model.skops", spec=files["spec"].read(),
                                 spec_name=files["spec"].filename or "spec.json",
                                 reference=files["reference"].read() if files["reference"] else None,
                                 extra=files["preprocessing"].read() if files["preprocessing"] else None,
                                 note=request.form.get("note") or None)
    except RegistrationFailed as failure:
        db.rollback()
        return json_error(422, failure.message(locale()), [{"field": failure.field, "message": failure.message(locale())}])
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    return jsonify({"ok": True, "code": algorithm.code, "model_version": version.number, "sha256": version.sha256,
                    "kind": version.kind, "method": version.method, "draft_state": algos.current_draft(db, algorithm).state}), 201


@bp.post("/algorithms/<code>/decisions")
@token_required
def create_decision(code: str):
    """Explain a case with the published model and keep the explanation for the resident until it expires.

    Body: ``{"inputs": {...}, "case_ref": "optional"}``. Answer: the resident's URL and the references for
    the letter. The same case reference with the same inputs gives the same receipt.
    """
    db, algorithm, error = _entry(code)
    if error:
        return error
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), dict):
        return json_error(400, _('Send a JSON object with the case\'s inputs: {"inputs": {...}, "case_ref": "..."}.'))
    case_ref = body.get("case_ref")
    if case_ref is not None and (not isinstance(case_ref, str) or not case_ref.strip() or len(case_ref) > 200):
        return json_error(422, _("Some fields are not filled in correctly."),
                          [{"field": "case_ref", "message": _("A case reference is a text of at most 200 characters.")}])
    try:
        token, receipt = decisions.create_receipt(session=db, algorithm=algorithm, inputs=body["inputs"],
                                                  case_ref=case_ref.strip() if case_ref else None,
                                                  secret=current_app.config["SECRET_KEY"], data_dir=current_app.config["DATA_DIR"],
                                                  locale=locale())
    except decisions.Withdrawn as withdrawn:
        return json_error(410, _(withdrawn.message))
    except decisions.NoModel:
        return json_error(409, _("This algorithm has no registered model, so decisions cannot be explained here yet."))
    except decisions.InputRefused as refused:
        return json_error(422, _("Some fields are not filled in correctly."),
                          [{"field": k, "message": v} for k, v in refused.errors.items()])
    base = current_app.config["BASE_URL"].rstrip("/")
    return jsonify({"ok": True, "url": f"{base}{url_for('public.receipt', token=token)}",
                    "pdf": f"{base}{url_for('public.receipt_pdf', token=token)}",
                    "reference": receipt.short_code, "algorithm_code": algorithm.code,
                    "model_version": receipt.model_version_id and _model_number(db, receipt),
                    "expires_at": receipt.expires_at.isoformat()}), 201


def _model_number(db, receipt) -> int:
    return db.get(decisions.ModelVersion, receipt.model_version_id).number
