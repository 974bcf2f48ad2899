"""Public pages kept per worker for anonymous visitors, keyed on the content generation (issue 16).

Every transaction that changes what public pages show moves one counter in the database (triggers
of migration ``0007_content_generation``, whatever code or tool wrote the rows). Each request reads
it first; a page rendered for an anonymous visitor is kept under (that number, today's date, the
language, the path and query string) and served again while all of these are the same. So a change
made through any worker or machine shows in the very next answer of every worker, and no worker
answers differently from another.

What is kept: GET answers of the public pages and their ``.json`` twins (status 200, HTML, JSON or
GeoJSON, at most ``PAGE_CACHE_MAX_KB``), for requests without a session cookie, and only when the
answer is not marked ``no-store`` or ``private``, sets no cookie and did not touch the session (a page with a form has a CSRF token: it is
never kept). Never kept: POSTs (a resident's explanation), receipts (``/d/``), the portal, the API,
files. An entry lives at most ``PAGE_CACHE_SECONDS`` (figures the register measures itself, such
as the CPU time of explanations, are written outside the counter). Each worker holds at most
``PAGE_CACHE_MB`` (32 in production); 0 turns the cache off (the default in development and testing).

The page's CSP nonce is replaced by this answer's own nonce on every answer from the cache. A page
without one is also kept as compressed for each ``Accept-Encoding`` it was asked with (at most four),
so it is not compressed again.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date

from flask import Flask, Response, current_app, g, request, session

from register.db import get_session
from register.services.published import content_generation
from register.web.common import locale

EXTENSION = "stadsregister.page_cache"
KEPT_TYPES = ("text/html", "application/json", "application/geo+json")
KEPT_HEADERS = ("Content-Type", "Content-Security-Policy", "Link")


class PageCache:
    """An LRU of answers bounded in bytes, shared by the threads of one process."""

    def __init__(self, max_bytes: int, max_age: float, clock=time.monotonic):
        self.max_bytes, self.max_age, self._clock = max_bytes, max_age, clock
        self._items: OrderedDict[tuple, tuple] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple):
        with self._lock:
            entry = self._items.get(key)
            if entry is None or self._clock() - entry[0] > self.max_age:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return entry[1]

    def put(self, key: tuple, value: tuple, size: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._items[key] = (self._clock(), value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _, (_, _, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def add_variant(self, key: tuple, accept: str, variant: tuple, size: int) -> None:
        """The answer as compressed for one ``Accept-Encoding`` (at most four per page)."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None or len(entry[1].encoded) >= 4 or accept in entry[1].encoded:
                return
            entry[1].encoded[accept] = variant
            self._items[key] = (entry[0], entry[1], entry[2] + size)
            self._bytes += size

    def __len__(self) -> int:
        return len(self._items)


class Kept:
    """One kept answer: the body as the view made it, and its compressed forms once made."""

    __slots__ = ("body", "encoded", "headers", "nonce", "status")

    def __init__(self, body: bytes, status: int, headers: list, nonce: str):
        self.body, self.status, self.headers, self.nonce = body, status, headers, nonce
        self.encoded: dict[str, tuple[str, bytes]] = {}  # Accept-Encoding → (Content-Encoding, bytes)


def _cache() -> PageCache | None:
    return current_app.extensions.get(EXTENSION)


def _eligible() -> bool:
    return (request.method == "GET" and request.blueprint == "public"
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
            and not request.path.startswith("/d/"))


def _lookup() -> Response | None:
    cache = _cache()
    if cache is None or not _eligible():
        return None
    generation = content_generation(get_session())  # first: what the page reads is at least this new
    if generation is None:
        return None
    key = (generation, date.today().toordinal(), locale(), request.path, request.query_string)
    g.page_cache_key = key
    kept = cache.get(key)
    if kept is None:
        return None
    g.page_cache_hit = True
    accept = request.headers.get("Accept-Encoding", "")
    variant = kept.encoded.get(accept)
    if variant is not None:  # compressed once for this Accept-Encoding: not compressed again
        response = Response(variant[1], status=kept.status, headers=kept.headers)
        response.headers["Content-Encoding"] = variant[0]
    else:
        body, headers = kept.body, kept.headers
        g.page_cache_stored = None if kept.nonce else key  # compressed below: keep that form too
        if kept.nonce:
            fresh = g.csp_nonce
            body = body.replace(kept.nonce.encode(), fresh.encode())
            headers = [(k, v.replace(kept.nonce, fresh)) for k, v in headers]
        response = Response(body, status=kept.status, headers=headers)
    response.vary.add("Cookie")
    return response


def _store(response: Response) -> Response:
    key = g.get("page_cache_key")
    cache = _cache()
    if key is None or cache is None or g.get("page_cache_hit"):
        return response
    limit = int(current_app.config.get("PAGE_CACHE_MAX_KB", 512)) * 1024
    if (response.status_code != 200 or response.is_streamed or response.direct_passthrough
            or response.mimetype not in KEPT_TYPES or "Set-Cookie" in response.headers
            or session.modified or response.content_length is None
            or response.cache_control.no_store or response.cache_control.private
            or response.content_length > limit):
        return response
    body = response.get_data()
    nonce = g.get("csp_nonce") or ""
    headers = [(k, v) for k, v in response.headers.items() if k in KEPT_HEADERS]
    if nonce and nonce.encode() not in body and not any(nonce in v for _, v in headers):
        nonce = ""
    cache.put(key, Kept(body, response.status_code, headers, nonce), len(body) + 512)
    g.page_cache_stored = key if not nonce else None
    return response


def _keep_compressed(response: Response) -> Response:
    """After compression (this runs last): keep the compressed form of an answer just kept, for the
    next request with the same ``Accept-Encoding``. Pages with a nonce are compressed per answer."""
    key = g.get("page_cache_stored")
    encoding = response.headers.get("Content-Encoding")
    cache = _cache()
    if key is not None and encoding and cache is not None and not response.is_streamed:
        data = response.get_data()
        cache.add_variant(key, request.headers.get("Accept-Encoding", ""), (encoding, data), len(data))
    return response


def init_app(app: Flask) -> None:
    """Call last in the web layer's set-up: the lookup runs after every other check of the request,
    and the answer is kept before compression and the shared security headers are added."""
    megabytes = float(app.config.get("PAGE_CACHE_MB") or 0)
    if megabytes <= 0:
        return
    app.extensions[EXTENSION] = PageCache(int(megabytes * 1024 * 1024),
                                          float(app.config.get("PAGE_CACHE_SECONDS", 60)))
    app.before_request(_lookup)
    app.after_request(_store)  # registered last: runs first, before compression and shared headers
    app.after_request_funcs.setdefault(None, []).insert(0, _keep_compressed)  # runs after all others
