"""API: attach DPIAs and other assessments to an entry (multipart upload) and list them."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from flask_babel import gettext as _

from register.services import accounts, documents
from register.services import algorithms as algos
from register.web.api import bp
from register.web.api.views import _entry, token_required
from register.web.common import json_error, locale
from register.web.public.documents import urls


def _listing(db, algorithm) -> dict:
    document_urls = urls()
    published = {d.id for d in documents.version_documents(db, algorithm.published_version_id)}
    working = documents.working_set(db, algorithm)
    return {"ok": True, "code": algorithm.code,
            "working_copy": [dict(documents.describe(db, d, document_urls, locale=locale()), id=d.id,
                                  in_published_version=d.id in published) for d in working]}


@bp.get("/algorithms/<code>/documents")
@token_required
def list_documents(code: str):
    """The documents of the entry's working copy (and whether each is published)."""
    db, algorithm, error = _entry(code)
    return error or jsonify(_listing(db, algorithm))


@bp.post("/algorithms/<code>/documents")
@token_required
def attach_document(code: str):
    """Attach a PDF (multipart field ``file``) with its metadata fields to the entry's draft."""
    db, algorithm, error = _entry(code)
    if error:
        return error
    upload = request.files.get("file")
    data = upload.read() if upload is not None else None
    fields = {name: request.form.get(name, "") for name in (*documents.METADATA_FIELDS, "supersedes")}
    try:
        document = documents.attach(session=db, user=g.api_user, algorithm=algorithm, data=data,
                                    filename=upload.filename if upload else None, fields=fields,
                                    data_dir=current_app.config["DATA_DIR"],
                                    max_bytes=int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024,
                                    locale=locale())
    except documents.DocumentRefused as refused:
        db.rollback()
        message = refused.errors[0].message if refused.status == 413 else _("Some fields are not filled in correctly.")
        return json_error(refused.status, message, [e.as_dict() for e in refused.errors])
    except accounts.PermissionDenied:
        db.rollback()
        return json_error(403, _("Your account has no role in this organisation."))
    except algos.WorkflowError as failure:
        db.rollback()
        return json_error(409, _(str(failure)))
    body = dict(documents.describe(db, document, urls(), locale=locale()), ok=True, id=document.id)
    return jsonify(body), 201, {"Location": body["url"]}
