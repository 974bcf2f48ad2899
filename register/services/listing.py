"""An in-memory index of the public list, for fast filters and counts per filter value.

Counting every facet in SQL for every request costs seconds at 100,000 entries. Instead each
process keeps the listed entries' facet values as numpy arrays, rebuilt when the
``listing_generation`` counter changes (it is bumped in the same transaction as any change to
what the list shows). Full-text matching stays in the database; the index only filters, counts,
orders and pages.

Once an index exists, a newer generation is built in a background thread with its own session
while the old copy keeps serving (issue 16): a request waits for it at most ``cache["wait"]``
seconds (the ``CACHE_WAIT_SECONDS`` setting), then answers from the copy it has. Without a
``wait`` (services called directly, tests) the index is rebuilt in the caller's session.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import insert, update
from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmTheme
from register.models.algorithm import ListingGeneration

LISTED_STATES = ("published", "archived")
SCALAR_FACETS = {"organisation": Algorithm.organisation_name, "status": Algorithm.status,
                 "category": Algorithm.publication_category}


def bump_generation(session: Session) -> None:
    """Say that the public list changed (call inside the transaction that changes it)."""
    changed = session.execute(update(ListingGeneration).where(ListingGeneration.id == 1)
                              .values(value=ListingGeneration.value + 1))
    if not changed.rowcount:  # a database emptied by hand: start the row again, or no cache would see a change;
        # from the clock, so it is above any count a running worker's copy was built for
        session.execute(insert(ListingGeneration).values(id=1, value=int(time.time())))


def current_generation(session: Session) -> int:
    return session.exec(select(ListingGeneration.value).where(ListingGeneration.id == 1)).first() or 0


@dataclass
class Codes:
    """A facet as an integer code per entry plus the label of each code."""

    codes: np.ndarray
    labels: list


def _encode(values: list) -> Codes:
    labels = sorted({v for v in values if v is not None}, key=str)
    lookup = {label: i for i, label in enumerate(labels)}
    return Codes(np.array([lookup.get(v, -1) for v in values], dtype=np.int32), labels)


class ListingIndex:
    """Facet values of every listed entry, in public order (newest publication first)."""

    def __init__(self, session: Session):
        rows = session.exec(select(Algorithm.id, Algorithm.organisation_name, Algorithm.status,
                                   Algorithm.publication_category, Algorithm.has_impact_assessment)
                            .where(Algorithm.public_state.in_(LISTED_STATES))
                            .order_by(Algorithm.published_at.desc(), Algorithm.id.desc())).all()
        self.ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.size = len(rows)
        self.facets = {name: _encode([r[i + 1] for r in rows]) for i, name in enumerate(SCALAR_FACETS)}
        self.impact = np.array([bool(r[4]) for r in rows], dtype=bool)
        from register.services.participation import entries_with_open_questions  # issue 15

        self.open_questions = np.isin(self.ids, np.array(sorted(entries_with_open_questions(session)), dtype=np.int64))
        self._sorter = np.argsort(self.ids)
        theme_rows = session.exec(select(AlgorithmTheme.algorithm_id, AlgorithmTheme.theme)
                                  .join(Algorithm, Algorithm.id == AlgorithmTheme.algorithm_id)
                                  .where(Algorithm.public_state.in_(LISTED_STATES))).all()
        positions = self.positions(np.array([r[0] for r in theme_rows], dtype=np.int64))
        themes = _encode([r[1] for r in theme_rows])
        keep = positions >= 0
        self.theme_pos, self.theme_codes, self.theme_labels = positions[keep], themes.codes[keep], themes.labels
        self._memo: OrderedDict = OrderedDict()
        self._memo_lock = threading.Lock()

    def remember(self, key, compute, size: int = 256):
        """``compute()`` once per key for this generation (e.g. full-text matches of a query)."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = compute()
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > size:
                self._memo.popitem(last=False)
        return value

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Position of each id in the public order, -1 for ids that are not listed."""
        if self.size == 0 or len(ids) == 0:
            return np.full(len(ids), -1, dtype=np.int64)
        found = np.searchsorted(self.ids[self._sorter], ids)
        found = np.clip(found, 0, self.size - 1)
        result = self._sorter[found]
        return np.where(self.ids[result] == ids, result, -1)

    def _mask(self, facet: str, value: str) -> np.ndarray:
        if facet == "impact_assessment":
            return self.impact if value == "yes" else ~self.impact
        if facet == "open_questions":
            return self.open_questions if value == "yes" else np.zeros(self.size, dtype=bool)
        if facet == "theme":
            mask = np.zeros(self.size, dtype=bool)
            if value in self.theme_labels:
                mask[self.theme_pos[self.theme_codes == self.theme_labels.index(value)]] = True
            return mask
        codes = self.facets[facet]
        if value not in codes.labels:
            return np.zeros(self.size, dtype=bool)
        return codes.codes == codes.labels.index(value)

    def query(self, *, matched: np.ndarray | None, boosted: np.ndarray | None, filters: dict,
              page: int, page_size: int, facets: tuple[str, ...]) -> dict:
        """Filter, count per facet value (each facet counted under the other filters), order and page.

        ``matched``: positions matching the full-text query (None: no query); ``boosted``: the
        positions whose name matches, shown first.
        """
        base = np.ones(self.size, dtype=bool)
        if matched is not None:
            base = np.zeros(self.size, dtype=bool)
            base[matched[matched >= 0]] = True
        masks = {facet: self._mask(facet, value) for facet, value in filters.items()}
        selected = base.copy()
        for mask in masks.values():
            selected &= mask
        counts = {}
        for facet in facets:
            scope = base.copy()
            for other, mask in masks.items():
                if other != facet:
                    scope &= mask
            counts[facet] = self._counts(facet, scope, filters.get(facet))
        hits = np.flatnonzero(selected)
        if boosted is not None and len(hits):
            first = np.zeros(self.size, dtype=bool)
            first[boosted[boosted >= 0]] = True
            hits = np.concatenate([hits[first[hits]], hits[~first[hits]]])
        start = (page - 1) * page_size
        return {"total": int(len(hits)), "ids": [int(i) for i in self.ids[hits[start:start + page_size]]],
                "facets": counts}

    def _counts(self, facet: str, scope: np.ndarray, selected) -> list[dict]:
        if facet == "impact_assessment":
            yes = int(np.count_nonzero(self.impact & scope))
            no = int(np.count_nonzero(~self.impact & scope))
            pairs = [("yes", yes), ("no", no)]
        elif facet == "open_questions":
            pairs = [("yes", int(np.count_nonzero(self.open_questions & scope)))]
        elif facet == "theme":
            tally = np.bincount(self.theme_codes[scope[self.theme_pos]], minlength=len(self.theme_labels))
            pairs = list(zip(self.theme_labels, tally.tolist()))
        else:
            codes = self.facets[facet]
            valid = codes.codes[scope]
            tally = np.bincount(valid[valid >= 0], minlength=len(codes.labels))
            pairs = list(zip(codes.labels, tally.tolist()))
        pairs = sorted(((v, int(c)) for v, c in pairs if c), key=lambda p: (-p[1], str(p[0])))
        return [{"value": value, "count": count, "selected": selected == value} for value, count in pairs]


_lock = threading.Lock()
log = logging.getLogger(__name__)


class _Rebuild:
    """A background build of the index; ``done`` is set when it has finished (or failed)."""

    def __init__(self) -> None:
        self.done = threading.Event()


def _store(cache: dict, generation: int, index: ListingIndex) -> None:
    with _lock:
        old = cache.get("listing")
        if old is None or old[0] < generation:  # never replace a newer copy by an older one
            cache["listing"] = (generation, index)


def _build(session: Session) -> tuple[int, ListingIndex]:
    generation = current_generation(session)  # first: rows read after it are at least as new
    return generation, ListingIndex(session)


def _rebuild(engine, cache: dict) -> _Rebuild:
    """The running background build, or a new one."""
    with _lock:
        job = cache.get("listing_job")
        if job is not None and not job.done.is_set():
            return job
        job = cache["listing_job"] = _Rebuild()

    def run() -> None:
        try:
            with Session(engine) as session:
                _store(cache, *_build(session))
        except Exception:
            log.warning("listing index not rebuilt", exc_info=True)
        finally:
            job.done.set()
    threading.Thread(target=run, name="stadsregister-listing-index", daemon=True).start()
    return job


def listing_index(session: Session, cache: dict) -> ListingIndex:
    """The index for the current generation, from ``cache`` (one per app) or freshly built."""
    generation = current_generation(session)
    entry = cache.get("listing")
    if entry is not None and entry[0] >= generation:
        return entry[1]
    wait = cache.get("wait")
    if entry is None or wait is None:
        built = _build(session)
        _store(cache, *built)
        return built[1]
    deadline = time.monotonic() + float(wait)
    for _attempt in range(2):  # a build that started before the change read the older generation: one more
        job = _rebuild(session.get_bind(), cache)
        job.done.wait(max(0.0, deadline - time.monotonic()))
        entry = cache["listing"]
        if entry[0] >= generation or not job.done.is_set():
            break
    return entry[1]  # the new copy, or the old one while the new one is being built


def refresh(session: Session, cache: dict) -> None:
    """Rebuild the index now if the list changed since it was built (the cache keeper's round)."""
    entry = cache.get("listing")
    if entry is None or entry[0] < current_generation(session):
        _store(cache, *_build(session))
