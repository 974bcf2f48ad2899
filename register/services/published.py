"""The published entry and model behind a code, read once per content generation (issue 16).

An explanation needs the entry, its published version and the model that version names: three rows
with large JSON columns, about 3 ms to read and decode on every resident's request. They are kept
per process under the content generation (the counter database triggers move at every committed
change, ``register/models/generation.py``), read first on each request, so a change made anywhere is
seen by the next request here; and for at most ``MAX_AGE`` seconds, so a restored backup whose
counter went back is read again.

The kept objects are detached from any session and shared by requests: read them, never change
them or add them to a session.
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import text
from sqlmodel import Session

from register.services import algorithms as algos
from register.services.model_versions import published_model

MAX_AGE = 60.0
MAX_ENTRIES = 1000
GENERATION = text("SELECT value FROM content_generation WHERE id = 1")

_lock = threading.Lock()
_state: dict = {"bind": None, "generation": None, "read": 0.0, "items": {}}


def content_generation(session: Session) -> int | None:
    return session.execute(GENERATION).scalar()


def entry(session: Session, code: str):
    """``(algorithm, published version or None, (version, model) or None)`` for ``code``, or None
    when no entry has that code."""
    code = code.upper()
    generation = content_generation(session)  # first: the rows read below are at least this new
    bind, now = session.get_bind(), time.monotonic()
    if generation is not None:
        with _lock:
            current = (_state["bind"] is bind and _state["generation"] == generation
                       and now - _state["read"] <= MAX_AGE)
            if current and code in _state["items"]:
                return _state["items"][code]
            if not current:
                _state.update(bind=bind, generation=generation, read=now, items={})
    algorithm = algos.get_by_code(session, code)
    if algorithm is None:
        return None
    version = algos.published_version(session, algorithm)
    found = published_model(session, algorithm) if version is not None else None
    result = (algorithm, version, found)
    if generation is None:
        return result
    rows = [algorithm, version, *(found or ())]
    for row in {id(r): r for r in rows if r is not None}.values():
        session.expunge(row)  # shared from now on: no session may change or refresh it
    with _lock:
        if _state["bind"] is bind and _state["generation"] == generation and len(_state["items"]) < MAX_ENTRIES:
            _state["items"][code] = result
    return result
