"""Portal: attach a DPIA or other assessment to an entry's working copy, or take one out."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from register.models.document import DOCUMENT_KINDS, DOCUMENT_LANGUAGES
from register.services import accounts, documents
from register.services import algorithms as algos
from register.web.common import fail, locale, login_required
from register.web.portal import bp
from register.web.portal.views import _own_algorithm


def _form(algorithm, db, values: dict, errors: dict, status: int = 200):
    return render_template("portal/document_form.html", algorithm=algorithm, values=values, errors=errors,
                           kinds=DOCUMENT_KINDS, languages=DOCUMENT_LANGUAGES,
                           current=documents.working_set(db, algorithm),
                           max_mb=int(current_app.config["MAX_UPLOAD_MB"])), status


@bp.route("/algorithms/<code>/documents/new", methods=["GET", "POST"])
@login_required
def attach_document(code: str):
    """Upload a PDF assessment with its metadata; it becomes part of the draft."""
    db, user, algorithm = _own_algorithm(code)
    if request.method == "GET":
        values = {"language": "nl", "supersedes": request.args.get("replaces", "")}
        return _form(algorithm, db, values, {})
    values = {name: request.form.get(name, "") for name in (*documents.METADATA_FIELDS, "supersedes")}
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else None
    try:
        document = documents.attach(session=db, user=user, algorithm=algorithm, data=data,
                                    filename=upload.filename if upload else None, fields=values,
                                    data_dir=current_app.config["DATA_DIR"],
                                    max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
                                    locale=locale())
    except documents.DocumentRefused as refused:
        db.rollback()
        return _form(algorithm, db, values, {e.field: e.message for e in refused.errors}, refused.status)
    except accounts.PermissionDenied:
        db.rollback()
        fail(403, _("This entry belongs to another organisation."))
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
    flash(_("Document “%(title)s” added to the draft. It is published when the draft is approved.",
            title=document.title))
    return redirect(url_for("portal.algorithm", code=algorithm.code)), 303


@bp.post("/algorithms/<code>/documents/<int:document_id>/remove")
@login_required
def remove_document(code: str, document_id: int):
    """Take a document out of the working copy (published versions keep it)."""
    db, user, algorithm = _own_algorithm(code)
    document = documents.get_document(db, algorithm, document_id)
    if document is None:
        fail(404)
    try:
        documents.remove_from_working_copy(session=db, user=user, algorithm=algorithm, document=document,
                                           data_dir=current_app.config["DATA_DIR"])
    except accounts.PermissionDenied:
        db.rollback()
        fail(403, _("This entry belongs to another organisation."))
    except algos.WorkflowError as error:
        db.rollback()
        flash(_(str(error)), "error")
        return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
    flash(_("Document removed from the draft."))
    return redirect(url_for("portal.algorithm", code=algorithm.code)), 303
