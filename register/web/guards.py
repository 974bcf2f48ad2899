"""Odd input is refused at the door with a clear 4xx, before any view or database sees it.

Issue 12 found 500s on input no person types but anyone can send: Unicode digits (``?page=²``,
which ``str.isdigit`` accepts and ``int`` does not), ids beyond the database's integer range,
JSON nested 50,000 deep, a lone UTF-16 surrogate in JSON and, on PostgreSQL, a NUL byte in any
text. One place checks them all:

- ``int`` in URL rules accepts ASCII digits up to :data:`MAX_ID` only (else the URL is a 404);
- the numeric query parameters in :data:`NUMERIC_ARGS` must be ASCII whole numbers in range;
- no path, query or form value (or file name) may contain a NUL character;
- a JSON body is parsed once, here, and refused when it is not valid UTF-8 JSON, nested deeper
  than :data:`MAX_JSON_DEPTH`, or holds a NUL or a lone surrogate in any key or string.
Views then read the parsed body as usual (``request.get_json`` returns the cached value).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask.wrappers import Request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from register.i18n import N_

MAX_ID = 2**31 - 1  # PostgreSQL's integer; SQLite holds more, but one limit keeps both alike
MAX_JSON_DEPTH = 64  # a GeoJSON multipolygon inside a sensor is about 6 deep
#: Query parameters that are whole numbers: name → (smallest, largest, comma-separated list?).
NUMERIC_ARGS = {"page": (1, MAX_ID, False), "zoom": (0, 30, False), "sensor": (1, MAX_ID, True),
                "$top": (0, MAX_ID, False), "$skip": (0, MAX_ID, False)}


class BoundedInt(IntegerConverter):
    """``<int:…>`` in a URL rule: ASCII digits, at most :data:`MAX_ID` (otherwise no match: 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(text: Any) -> int | None:
    """A database id written in ASCII digits and in range, else None."""
    text = str(text)
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class BodyRefused(ValueError):
    """A JSON body the register does not read; ``message`` is a message id."""

    def __init__(self, message: str, **params: Any):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


def _check_text(value: str) -> None:
    if "\x00" in value:
        raise BodyRefused(N_("The JSON contains a NUL character (\\u0000); no text in this register may contain it."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BodyRefused(N_("The JSON contains half of a UTF-16 character pair (a lone surrogate such as "
                             "\\ud800); send valid Unicode text.")) from None


def check_json(value: Any) -> None:
    """Refuse a parsed JSON value nested too deep or holding NUL characters or lone surrogates."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BodyRefused(N_("The JSON is nested more than %(depth)d levels deep."), depth=MAX_JSON_DEPTH)
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict):
            for key, item in node.items():
                _check_text(key)
                stack.append((item, depth + 1))
        elif isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)


def _iso_default(value: Any) -> Any:
    """Dates as ISO 8601 (OpenAPI ``date``/``date-time``), not Flask's default HTTP date."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return DefaultJSONProvider.default(value)


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with loads that refuses what :func:`check_json` refuses (as ValueError), and
    dates written as ISO 8601 (issue 12: ``assessment_date`` came out as ``Fri, 15 Mar 2024 …``)."""

    default = staticmethod(_iso_default)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if isinstance(s, (bytes, bytearray)):
            try:
                s = s.decode("utf-8")
            except UnicodeDecodeError:
                raise BodyRefused(N_("The request body is not UTF-8 text.")) from None
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise BodyRefused(N_("The JSON is nested more than %(depth)d levels deep."),
                              depth=MAX_JSON_DEPTH) from None
        except ValueError as error:
            raise BodyRefused(N_("The request body is not valid JSON (%(reason)s)."),
                              reason=str(error)[:120]) from None
        check_json(value)
        return value


class StrictRequest(Request):
    """A refused JSON body is a 400 that says why, in the user's language."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        from register.web.common import fail

        if isinstance(e, BodyRefused):
            fail(400, _(e.message, **e.params))
        return super().on_json_loading_failed(e)


def _has_nul(values) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


def _check_request() -> None:
    from register.web.common import fail

    if "\x00" in request.path or _has_nul(request.args.keys()) or _has_nul(request.args.values()):
        fail(400, _("The address contains a NUL character; no text in this register may contain it."))
    for name, (low, high, many) in NUMERIC_ARGS.items():
        for raw in request.args.getlist(name):
            parts = [p.strip() for p in raw.split(",")] if many else [raw.strip()]
            for part in parts:
                if part == "" and not many:
                    continue
                ok = part.isascii() and part.isdigit() and len(part) <= 10 and low <= int(part) <= high
                if not ok:
                    fail(400, _("%(name)s must be a whole number from %(low)d to %(high)d (digits 0-9).",
                                name=name, low=low, high=high))
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form_values = [*request.form.keys(), *request.form.values(),
                           *(f.filename or "" for f in request.files.values())]
            if _has_nul(form_values):
                fail(400, _("The form contains a NUL character; no text in this register may contain it."))
        elif request.is_json and request.get_data(cache=True):
            request.get_json()  # parsed and checked once (StrictJSONProvider); views read the cache


def init_app(app: Flask) -> None:
    """Install the guards; call before blueprints are registered (the URL converter)."""
    app.url_map.converters["int"] = BoundedInt
    app.request_class = StrictRequest
    app.json = StrictJSONProvider(app)
    app.before_request(_check_request)
