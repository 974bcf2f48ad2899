"""Published DPIAs and other assessments: the metadata page (with `.json` twin) and the file itself."""
from __future__ import annotations

from flask import current_app, request, send_file, url_for
from flask_babel import gettext as _

from register.db import get_session
from register.services import accounts, documents, filestore
from register.web.common import current_user, fail, locale, respond, twin
from register.web.public import bp

# The PDF is served as a download in a sandbox: no scripts, no plugins, nothing loaded from it.
# (A sandboxed response cannot be shown by the browsers' built-in PDF viewers, hence "attachment".)
FILE_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def urls() -> documents.Urls:
    return documents.Urls(page=lambda sha: url_for("public.document", sha256=sha, _external=True),
                          file=lambda sha: url_for("public.document_file", sha256=sha, _external=True))


def _viewer() -> dict:
    """Who is asking: a portal session, or a department system with an API token."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        found = accounts.user_for_token(session=get_session(), plain=header.removeprefix("Bearer ").strip())
        if found is not None:
            return {"user": found[0], "token_organisation_id": found[1].organisation_id}
    return {"user": current_user()}


def _page_or_404(sha256: str) -> dict:
    if not filestore.SHA256.match(sha256):
        fail(404, _("There is no document with this address. Check the link, or search the register."))
    page = documents.document_page(get_session(), sha256, urls(), locale=locale(), **_viewer())
    if page is None:  # unknown, or a draft of another organisation: the same answer for both
        fail(404, _("There is no document with this address. Check the link, or search the register."))
    return page


@twin(bp, "/documents/<sha256>")
def document(fmt: str, sha256: str):
    """A published DPIA or other assessment: what it is, its versions, and the file."""
    page = _page_or_404(sha256)
    return respond("public/document.html", fmt, json_keys=("sha256", "size_bytes", "page_count", "file_url",
                                                           "documents"), **page)


@bp.get("/documents/<sha256>.pdf")
def document_file(sha256: str):
    """The PDF itself, as a download with a safe name and a sandboxing content policy."""
    page = _page_or_404(sha256)
    path = filestore.path_for(current_app.config["DATA_DIR"], sha256)
    if not path.is_file():
        fail(404, _("There is no document with this address. Check the link, or search the register."))
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=page["documents"][0]["filename"], etag=sha256, conditional=True,
                         max_age=0)
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "public, max-age=86400" if page["public"] else "private, no-store"
    return response
