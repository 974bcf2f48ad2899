"""What every view shares: the `.json` twin, locale, current account, errors and headers."""
from __future__ import annotations

import dataclasses
import logging
import secrets
from datetime import date, datetime
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from register.db import get_session
from register.i18n import N_
from register.models import User

JSON_SUFFIX = ".json"


def locale() -> str:
    return str(get_locale() or "nl")


def twin(bp, rule: str, **options):
    """Register a view at ``rule`` and at ``rule + '.json'``; the view gets ``fmt``."""

    def decorator(view):
        bp.add_url_rule(rule, view_func=view, defaults={"fmt": "html"}, **options)
        bp.add_url_rule(rule + JSON_SUFFIX, view_func=view, defaults={"fmt": "json"},
                        endpoint=view.__name__ + "_json", **options)
        return view

    return decorator


_PLAIN = (str, int, float, bool, type(None))


def to_json(value: Any) -> Any:
    """Make ``value`` JSON-serialisable (models, dataclasses, dates)."""
    if isinstance(value, _PLAIN):  # most of an answer: checked first, it is walked for every request
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, BaseModel):
        return to_json(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_json(dataclasses.asdict(value))
    if isinstance(value, set):
        return [to_json(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def respond(template: str, fmt: str, *, status: int = 200, json_keys: tuple[str, ...] | None = None,
            **context: Any) -> Response | tuple:
    """The HTML page, or with ``fmt == 'json'`` the same context as JSON."""
    if fmt == "json":
        data = {k: v for k, v in context.items() if json_keys is None or k in json_keys}
        return jsonify(to_json(data)), status
    return render_template(template, **context), status


def fail(status: int, message: str | None = None, **extra: Any):
    """Stop with an HTTP error whose page (or JSON) shows ``message`` (already translated)."""
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[status]()
    error.plain_message = message
    error.extra = extra
    raise error


def json_error(status: int, message: str, errors: list | None = None) -> tuple[Response, int]:
    """The one JSON error shape: ``{"ok": false, "error": ..., "errors": [...]}``."""
    return jsonify({"ok": False, "error": message, "errors": errors or []}), status


def current_user() -> User | None:
    """The signed-in account (portal session) or the API token's account."""
    if "current_user" not in g:
        from register.services.accounts import session_is_current

        user_id = session.get("user_id")
        user = get_session().get(User, user_id) if isinstance(user_id, int) else None
        # A copied cookie dies with sign-out, a password change or a removed membership (issue 12).
        g.current_user = user if session_is_current(user, session.get("epoch")) else None
    return g.current_user


def wants_json() -> bool:
    return request.path.endswith(JSON_SUFFIX) or request.path.startswith(("/api/", "/sta/"))


ERROR_TEXT = {
    400: (N_("Bad request"), N_("We could not understand this request.")),
    403: (N_("Not allowed"), N_("You do not have permission to see or change this.")),
    404: (N_("Page not found"), N_("This page does not exist (any more). Check the address, or search the register.")),
    405: (N_("Not allowed"), N_("This page cannot be used this way.")),
    409: (N_("Not possible now"), N_("This cannot be done in the current state.")),
    410: (N_("No longer available"), N_("This page has been removed on purpose.")),
    413: (N_("File too large"), N_("The file is larger than this register accepts.")),
    422: (N_("Check your input"), N_("Some fields are not filled in correctly.")),
    429: (N_("Too many attempts"), N_("Please wait a moment and try again.")),
    500: (N_("Something went wrong"), N_("An error occurred on our side. Please try again later.")),
}


def _handle_http_error(error: HTTPException):
    status = error.code or 500
    title, text = ERROR_TEXT.get(status, ERROR_TEXT[500])
    message = getattr(error, "plain_message", None) or _(text)
    # Keep what the error says about itself, e.g. ``Allow`` on a 405 (not its HTML content type).
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if wants_json():
        response, status = json_error(status, message)
        response.headers.extend(headers)
        return response, status
    return render_template("errors/error.html", status=status, title=_(title), message=message), status, headers


# The policy every response gets unless its view sets its own Content-Security-Policy header
# (a page-specific policy must keep frame-ancestors, object-src and base-uri as strict as this).
# No inline scripts or styles: inline scripts need the request's nonce (``csp_nonce``).
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'nonce-{nonce}'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _security_headers(response: Response) -> Response:
    """Headers on every response (HTML, JSON, files, errors).

    Cookies (the session and the remembered language) are HttpOnly and SameSite=Lax, and Secure
    when the register is served over HTTPS, i.e. when ``STADSREGISTER_BASE_URL`` starts with
    ``https://`` (``SESSION_COOKIE_SECURE``, set in ``config.finalise``); then browsers are also
    told to use HTTPS only (Strict-Transport-Security).
    """
    nonce = g.get("csp_nonce", "")
    response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=nonce))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), payment=(), usb=()")
    secure = bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure
    if secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if g.get("remember_lang"):
        response.set_cookie("lang", g.remember_lang, max_age=365 * 24 * 3600, samesite="Lax",
                            secure=secure, httponly=True)
    return response


def alternate_json_url() -> str | None:
    """The `.json` twin of the current page, for ``<link rel="alternate">``."""
    if request.endpoint and not request.endpoint.endswith("_json") and request.view_args \
            and request.view_args.get("fmt") == "html":
        args = {k: v for k, v in request.view_args.items() if k != "fmt"}
        args.update(request.args.to_dict())
        return url_for(request.endpoint + "_json", **args)
    return None


def login_required(view):
    """Send anonymous visitors to the sign-in page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            from flask import redirect
            return redirect(url_for("portal.login", next=request.full_path))
        return view(*args, **kwargs)
    return wrapped


def init_app(app: Flask) -> None:
    from register.web import guards, log_redaction

    guards.init_app(app)
    # The development server's access log and the app's own log (e.g. "Exception on /d/<token> [GET]").
    log_redaction.protect(logging.getLogger("werkzeug"), app.logger)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.after_request(_security_headers)

    @app.before_request
    def _nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.context_processor
    def _globals() -> dict:
        return {"current_user": current_user(), "locale": locale(), "csp_nonce": g.get("csp_nonce"),
                "alternate_json": alternate_json_url()}

    app.jinja_env.globals["now"] = datetime.now
