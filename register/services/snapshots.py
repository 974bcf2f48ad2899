"""Per-app caches of data built from the database, rebuilt when a cheap key says it changed."""
from __future__ import annotations

import threading
from typing import Any, Callable, Hashable

_lock = threading.Lock()


def current(cache: dict, name: str, key: Hashable, build: Callable[[], Any]) -> Any:
    """``cache[name]`` if it was built for ``key``, else ``build()`` stored under ``key``."""
    with _lock:
        entry = cache.get(name)
        if entry is not None and entry[0] == key:
            return entry[1]
    value = build()
    with _lock:
        cache[name] = (key, value)
    return value
