"""Sign-in limits, per account and per client address, shared by every worker and machine.

Flask-Limiter counts failed sign-ins in Redis when ``STADSREGISTER_REDIS_URL`` is set, so four
gunicorn workers on two machines see one count; without it the count lives in the process (the
embedded default, one worker). Issue 12, point 10: the hand-written per-worker limiter let 20
wrong passwords through in 4.7 s and never noticed password spraying over 40 accounts.
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from limits import parse as parse_limit

from register.web.common import json_error, wants_json

EXTENSION = "stadsregister.limiter"
LOGIN_ENDPOINT = "portal.login"


def storage_uri(config) -> str:
    """Redis when configured (shared by all workers and machines), else this process's memory."""
    return str(config.get("REDIS_URL") or "").strip() or "memory://"


def _address() -> str:
    return "address:" + (request.remote_addr or "unknown")


def _account() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()[:254]


def _per_account() -> str:
    return f"{int(current_app.config['LOGIN_ATTEMPTS_PER_MINUTE'])} per minute"


def _per_address() -> str:
    return f"{int(current_app.config['LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE'])} per minute"


def _failed(response) -> bool:
    """Only wrong passwords count: signing in is not an attack."""
    return response.status_code == 401


def seconds_to_wait() -> int:
    """Seconds until the limit that was reached lets the next attempt through."""
    limiter: Limiter = current_app.extensions[EXTENSION]
    reached = limiter.current_limit
    if reached is None:
        return 60
    window = reached.limit.get_expiry()  # the store rounds reset times up; never say more than one window
    return max(1, min(window, math.ceil(reached.reset_at - time.time())))


def wait_for(scope: str, limit: str) -> int:
    """Count one use of ``scope`` by this client address against ``limit`` (e.g. "5 per hour"),
    in the same shared store as the sign-in limits; seconds to wait before the next use (0: this
    use is allowed).  The address lives only in the limiter's store, with the window's expiry."""
    strategy = current_app.extensions[EXTENSION].limiter
    item = parse_limit(limit)
    key = (scope, _address())
    if strategy.hit(item, *key):
        return 0
    reset_at = strategy.get_window_stats(item, *key).reset_time
    return max(1, min(item.get_expiry(), math.ceil(reset_at - time.time())))


def _too_many(_error: RateLimitExceeded):
    wait = seconds_to_wait()
    message = _("Too many attempts. Try again in %(seconds)d seconds.", seconds=wait)
    headers = {"Retry-After": str(wait)}
    if wants_json():
        response, status = json_error(429, message)
        return response, status, headers
    if request.endpoint == LOGIN_ENDPOINT:
        email = (request.form.get("email") or "").strip().lower()
        return render_template("portal/login.html", email=email, error=message), 429, headers
    return render_template("errors/error.html", status=429, title=_("Too many attempts"), message=message), 429, headers


def init_app(app: Flask) -> None:
    """One limiter per application (its own store), guarding the sign-in form's POSTs."""
    limiter = Limiter(key_func=_address, app=app, storage_uri=storage_uri(app.config),
                      storage_options={"socket_timeout": 2, "socket_connect_timeout": 2}
                      if storage_uri(app.config).startswith(("redis://", "rediss://")) else {},
                      strategy="moving-window", key_prefix="stadsregister", headers_enabled=False,
                      in_memory_fallback_enabled=True)
    app.extensions[EXTENSION] = limiter
    # Only the sign-in form has limits here: every other request skips the limiter's look-up of
    # limits that do not apply to it (a fifth of a millisecond on each page; issue 16).
    limiter.request_filter(lambda: request.endpoint != LOGIN_ENDPOINT)
    view = app.view_functions[LOGIN_ENDPOINT]
    view = limiter.limit(_per_account, key_func=_account, methods=["POST"], deduct_when=_failed)(view)
    view = limiter.limit(_per_address, key_func=_address, methods=["POST"], deduct_when=_failed)(view)
    app.view_functions[LOGIN_ENDPOINT] = view
    app.register_error_handler(RateLimitExceeded, _too_many)
