"""Absolute links come from ``STADSREGISTER_BASE_URL`` only; other Host headers are refused in production.

Issue 12, point 11: links in pages, `.json` twins and the OpenAPI ``servers`` were built from the
request's Host header, so anyone could make the register print links to their own site. Every
request is rewritten to the public address before Flask sees it, so ``url_for(_external=True)``,
``request.url_root`` and friends can only ever name that address.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from register.web.common import fail

ORIGINAL_HOST = "stadsregister.original_host"
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _normal(host: str, scheme: str) -> str:
    host = host.strip().lower()
    name, _sep, port = host.rpartition(":")
    if name and "]" not in port and port == DEFAULT_PORTS.get(scheme):  # "[::1]:443" yes, "[::1]" no
        return name
    return host


def allowed_hosts(config) -> set[str]:
    """The public address's host plus ``STADSREGISTER_ALLOWED_HOSTS`` (comma-separated)."""
    base = urlsplit(str(config.get("BASE_URL") or ""))
    hosts = {_normal(base.netloc, base.scheme)} if base.netloc else set()
    extra = config.get("ALLOWED_HOSTS") or ""
    items = extra.split(",") if isinstance(extra, str) else list(extra)
    hosts |= {_normal(h, base.scheme) for h in items if h.strip()}
    return hosts


class PublicAddress:
    """WSGI middleware: the request's scheme and host become those of ``BASE_URL``."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        base = urlsplit(str(self.app.config.get("BASE_URL") or ""))  # read per request: tests change it
        environ[ORIGINAL_HOST] = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        if base.scheme in DEFAULT_PORTS and base.netloc:
            environ["HTTP_HOST"] = base.netloc
            environ["wsgi.url_scheme"] = base.scheme
            environ.pop("HTTP_X_FORWARDED_HOST", None)
        return self.wsgi_app(environ, start_response)


def _refuse_other_hosts() -> None:
    """In production, answer 400 to a request that names another host."""
    if current_app.config.get("ENV") != "production":
        return
    scheme = urlsplit(str(current_app.config.get("BASE_URL") or "")).scheme
    if _normal(request.environ.get(ORIGINAL_HOST, ""), scheme) not in allowed_hosts(current_app.config):
        fail(400, _("This register does not answer to this host name."))


def init_app(app: Flask) -> None:
    app.wsgi_app = PublicAddress(app, app.wsgi_app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # the client's address (for sign-in limits) from X-Forwarded-For, set by that many proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_other_hosts)
