"""Warm the app's caches before it serves and keep them current in each worker (issue 16).

Under gunicorn with ``preload_app`` (``register/gunicorn_conf.py``) the app is created in the
master, whose ``when_ready`` hook calls ``finish``: ``services.warmup.warm`` runs there and the
master's database connections are closed, so the workers are forked with every cache built (shared
copy-on-write) and open connections of their own. Without preload, gunicorn's ``post_worker_init``
hook calls ``start`` (a background warm-up per worker); any other server warms at its first
request. Command-line runs never warm. Each worker process starts its cache keeper at its first
request.
"""
from __future__ import annotations

import gc
import logging
import os
import threading

from flask import Flask, current_app

from register.services import warmup

EXTENSION = "stadsregister.warmup"
LISTING_CACHE = "stadsregister.listing"
MAP_CACHE = "stadsregister.sensor_map"


def caches(app: Flask) -> warmup.Caches:
    return app.extensions[EXTENSION]["caches"]


def init_app(app: Flask) -> None:
    listing_cache = app.extensions.setdefault(LISTING_CACHE, {})
    map_cache = app.extensions.setdefault(MAP_CACHE, {})
    app.extensions[EXTENSION] = {
        "caches": warmup.Caches(engine=app.extensions["stadsregister.engine"], data_dir=app.config["DATA_DIR"],
                                listing=listing_cache, sensor_map=map_cache),
        "thread": None, "keeper": None, "keeper_pid": None}
    if app.config.get("TESTING"):
        return
    listing_cache["wait"] = map_cache["wait"] = float(app.config.get("CACHE_WAIT_SECONDS", 1))
    app.before_request(_keep)


def _warm(app: Flask) -> None:
    try:
        report = warmup.warm(caches(app))
        logging.getLogger(__name__).info("caches warm: %s", report)
    except Exception:
        app.extensions[MAP_CACHE]["build_on_request"] = True  # the map answers in SQL until a request builds it
        logging.getLogger(__name__).warning("caches not warmed at start-up", exc_info=True)


def start(app: Flask) -> None:
    """Warm the caches in a background thread of this process (once), so no visitor waits for them."""
    state = app.extensions[EXTENSION]
    if state["thread"] is None and not app.config.get("TESTING"):
        state["thread"] = threading.Thread(target=_warm, args=(app,), name="stadsregister-warm-up", daemon=True)
        state["thread"].start()


def finish(app: Flask) -> dict:
    """Warm the caches now (or wait for the warm-up already running), then close this process's database
    connections: call it in the gunicorn master before workers are forked, each opens its own."""
    state = app.extensions[EXTENSION]
    if state["thread"] is None:
        state["thread"] = threading.current_thread()
        _warm(app)
    elif state["thread"] is not threading.current_thread():
        state["thread"].join()
    _import_lazy_modules()
    _compile_templates(app)
    app.extensions["stadsregister.engine"].dispose()
    # Objects alive now are never collected in the workers: the collector would otherwise write to
    # (and so copy) every page of them in every worker at its first full collection.
    gc.collect()
    gc.freeze()
    return caches(app).report


def _import_lazy_modules() -> None:
    """Modules the app imports on first use (to keep command-line start-up short) are imported in
    the master instead, so the workers share them and no first PDF or map page pays for them."""
    import importlib

    for name in ("weasyprint", "geo.mapview", "folium"):
        try:
            importlib.import_module(name)
        except ImportError:  # an optional part that is not installed is simply not preloaded
            pass


def _compile_templates(app: Flask) -> list[str]:
    """Compile every page template once in the master: otherwise each worker compiles each template
    at its first use of it (10–50 ms apiece, 4 workers × 58 templates in the first minute)."""
    compiled = []
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)
        compiled.append(name)
    return compiled


def after_fork(app: Flask) -> None:
    """In a freshly forked worker: forget the parent's pooled connections without closing them."""
    app.extensions["stadsregister.engine"].dispose(close=False)


def _keep() -> None:
    """At a process's first request: the warm-up if nothing started it (a server without gunicorn's
    hooks), and this process's cache keeper (a forked worker has no threads of its parent)."""
    app = current_app._get_current_object()
    state = app.extensions[EXTENSION]
    if state["keeper_pid"] != os.getpid():
        state["keeper_pid"] = os.getpid()
        start(app)
        state["keeper"] = warmup.Keeper(state["caches"], interval=float(app.config.get("CACHE_REFRESH_SECONDS", 5)))
        state["keeper"].start()
