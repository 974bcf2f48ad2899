"""Warm the app's caches as it starts and keep them current in each worker (issue 16).

``init_app`` starts ``services.warmup.warm`` in a background thread as the app is created (not in
tests). Under gunicorn with ``preload_app`` the app is created in the master: its ``when_ready``
hook calls ``finish``, which waits for that thread and closes the master's database connections,
so the workers are forked with every cache built (shared copy-on-write) and open connections of
their own. Each worker process starts its cache keeper at its first request.
"""
from __future__ import annotations

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
    state = app.extensions[EXTENSION] = {
        "caches": warmup.Caches(engine=app.extensions["stadsregister.engine"], data_dir=app.config["DATA_DIR"],
                                listing=listing_cache, sensor_map=map_cache),
        "thread": None, "keeper": None, "keeper_pid": None}
    if app.config.get("TESTING"):
        return
    listing_cache["wait"] = float(app.config.get("CACHE_WAIT_SECONDS", 1))
    app.before_request(_keep)

    def run() -> None:
        try:
            report = warmup.warm(state["caches"])
            logging.getLogger(__name__).info("caches warm: %s", report)
        except Exception:
            map_cache["build_on_request"] = True  # the map answers in SQL until a request builds it
            logging.getLogger(__name__).warning("caches not warmed at start-up", exc_info=True)
    state["thread"] = threading.Thread(target=run, name="stadsregister-warm-up", daemon=True)
    state["thread"].start()


def finish(app: Flask) -> dict:
    """Wait for the start-up warm-up, then close this process's database connections (call before
    forking workers: each worker opens its own)."""
    state = app.extensions[EXTENSION]
    if state["thread"] is not None:
        state["thread"].join()
    app.extensions["stadsregister.engine"].dispose()
    return state["caches"].report


def after_fork(app: Flask) -> None:
    """In a freshly forked worker: forget the parent's pooled connections without closing them."""
    app.extensions["stadsregister.engine"].dispose(close=False)


def _keep() -> None:
    """Start this process's cache keeper at its first request (a forked worker has no threads)."""
    state = current_app.extensions[EXTENSION]
    if state["keeper_pid"] != os.getpid():
        state["keeper_pid"] = os.getpid()
        state["keeper"] = warmup.Keeper(state["caches"], interval=float(current_app.config.get(
            "CACHE_REFRESH_SECONDS", 5)))
        state["keeper"].start()
