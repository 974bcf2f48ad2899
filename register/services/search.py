"""Full-text search over published entries with Dutch stemming.

PostgreSQL: a ``tsvector`` per entry with the ``dutch`` configuration and a GIN index, plus a
small one of the name's words.
SQLite: an FTS5 table holding text stemmed in Python with the same Snowball algorithm.
Both tables are created by the migrations; queries here are the only raw SQL in the app.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import snowballstemmer
from sqlalchemy import text
from sqlmodel import Session, select

from register.models import Algorithm
from register.services.listing import LISTED_STATES, listing_index

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12


@lru_cache(maxsize=1)
def _stemmer():
    # PostgreSQL's `dutch` configuration uses the classic Snowball (Porter-style) Dutch stemmer.
    return snowballstemmer.stemmer("dutch_porter")


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def stems(value: str) -> list[str]:
    """Lower-cased, accent-free Dutch stems of the words in ``value``."""
    words = _WORD.findall(_fold(value))
    return _stemmer().stemWords(words)


def document_text(version, extra: str = "") -> tuple[str, str]:
    """The (title, body) text a version is found by."""
    body = " ".join(filter(None, [
        version.description_short, version.purpose_and_impact, version.organization,
        " ".join(version.decision_kinds or []), " ".join(version.theme or []),
        version.search_terms, extra,
    ]))
    return version.name or "", body


# PostgreSQL: the name's lexemes in ``title`` (to rank name matches first), every lexeme in
# ``document``; both without positions, which nothing uses (migration 0006_search_title).
PG_INSERT = ("INSERT INTO algorithm_search (algorithm_id, title, document) VALUES (:id, "
             "strip(to_tsvector('dutch', :title)), strip(to_tsvector('dutch', :title) || to_tsvector('dutch', :body)))")


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def index(session: Session, algorithm_id: int, version, extra: str = "", replace: bool = True) -> None:
    """(Re)index an entry's published version; ``extra`` is text of its documents."""
    title, body = document_text(version, extra)
    if replace:
        remove(session, algorithm_id)
    if _dialect(session) == "postgresql":
        session.execute(text(PG_INSERT), {"id": algorithm_id, "title": title, "body": body})
    else:
        session.execute(text("INSERT INTO algorithm_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                        {"id": algorithm_id, "title": " ".join(stems(title)), "body": " ".join(stems(body))})


def remove(session: Session, algorithm_id: int) -> None:
    if _dialect(session) == "postgresql":
        session.execute(text("DELETE FROM algorithm_search WHERE algorithm_id = :id"), {"id": algorithm_id})
    else:
        session.execute(text("DELETE FROM algorithm_fts WHERE rowid = :id"), {"id": algorithm_id})


def matching_ids(session: Session, query: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Ids of entries matching every word of ``query``, and of those whose name matches; None if no words.

    Each word matches by its Dutch stem or, as typed, as the start of a word, so "woningen" finds
    "woning" and "parkeer" finds "parkeercontrole".
    """
    words = list(dict.fromkeys(_WORD.findall(_fold(query))))[:MAX_TERMS]
    if not words:
        return None
    if _dialect(session) == "postgresql":
        tsquery = " && ".join(f"(to_tsquery('dutch', :w{i}) || to_tsquery('simple', :w{i}))" for i in range(len(words)))
        params = {f"w{i}": f"{word}:*" for i, word in enumerate(words)}
        # One pass over the GIN index: every match, and whether the name matches too. The planner
        # prefers reading the table when it is small, but then it unpacks every row's whole text
        # (stored out of line, up to 300,000 characters of documents): 30-50 ms at 2,500 entries
        # with 10,000 documents against 2-7 ms through the index. So the index is asked for, for
        # this one statement: the setting lives in a savepoint that is rolled back after it.
        nested = session.begin_nested()
        try:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            rows = session.execute(text(f"SELECT algorithm_id, title @@ ({tsquery}) FROM algorithm_search "
                                        f"WHERE document @@ ({tsquery})"), params).all()
        finally:
            nested.rollback()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return ids, ids[np.array([bool(r[1]) for r in rows], dtype=bool)] if rows else ids
    expression = " AND ".join(f'("{stem}"* OR "{word}"*)' for word, stem in zip(words, _stemmer().stemWords(words)))

    def fts(match: str) -> np.ndarray:
        rows = session.execute(text("SELECT rowid FROM algorithm_fts WHERE algorithm_fts MATCH :q"), {"q": match}).all()
        return np.array([r[0] for r in rows], dtype=np.int64)
    return fts(expression), fts(f"title : ({expression})")


# Codes printed on letters, typed the way people type them: any case, with or without the
# dash, with a space instead ("a uwpb"), or without the "A-" at all ("UWPB"). Issue 13.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as algorithms.CODE_ALPHABET (that module imports this one)
_BODY = f"[{CODE_ALPHABET}]{{4}}|[{CODE_ALPHABET}]{{6}}"
_ALGORITHM_CODE = re.compile(rf"(?:A[\s\-]*)?({_BODY})", re.IGNORECASE)
_CODE_IN_TEXT = re.compile(rf"(?<![\w-])(?:A[\s\-]?)?({_BODY})(?![\w-])", re.IGNORECASE)
_RECEIPT_REFERENCE = re.compile(rf"D[\s\-]*([{CODE_ALPHABET}]{{4}})[\s\-]*([{CODE_ALPHABET}]{{4}})",
                                re.IGNORECASE)


def code_candidates(query: str) -> list[str]:
    """The algorithm codes ``query`` could be, if the whole query is one code (``A-UWPB``, ``uwpb``)."""
    text = query.strip()
    candidates = []
    for pattern in (_ALGORITHM_CODE, re.compile(rf"({_BODY})", re.IGNORECASE)):
        match = pattern.fullmatch(text)
        if match:
            candidates.append("A-" + match.group(1).upper())
    return list(dict.fromkeys(candidates))


def find_by_code(session: Session, query: str) -> Algorithm | None:
    """The entry whose code the whole of ``query`` is, if it was ever published."""
    candidates = code_candidates(query)
    if not candidates:
        return None
    return session.exec(select(Algorithm).where(Algorithm.code.in_(candidates),
                                                Algorithm.published_version_id.is_not(None))).first()


def receipt_reference(query: str) -> str | None:
    """``query`` written as a receipt reference (``D-64ME-QSHS``), if it is one; no lookup is done."""
    match = _RECEIPT_REFERENCE.fullmatch(query.strip())
    return f"D-{match.group(1)}-{match.group(2)}".upper() if match else None


def code_matches(session: Session, query: str) -> np.ndarray:
    """Ids of listed entries whose code appears in ``query`` (so "A-UWPB woz" finds that entry)."""
    candidates = {"A-" + m.group(1).upper() for m in _CODE_IN_TEXT.finditer(query)}
    if not candidates:
        return np.array([], dtype=np.int64)
    rows = session.exec(select(Algorithm.id).where(Algorithm.code.in_(sorted(candidates)),
                                                   Algorithm.public_state.in_(LISTED_STATES))).all()
    return np.array(list(rows), dtype=np.int64)


def _matches_with_codes(session: Session, q: str):
    """Full-text matches plus entries named by their code; a code match ranks with the name matches."""
    found = matching_ids(session, q)
    codes = code_matches(session, q)
    if not len(codes):
        return found
    if found is None:
        return codes, codes
    return np.union1d(found[0], codes), np.union1d(found[1], codes)


FACETS = ("organisation", "theme", "status", "category", "impact_assessment", "open_questions")


def search(session: Session, *, q: str = "", filters: dict | None = None, page: int = 1,
           page_size: int = 20, cache: dict | None = None) -> dict:
    """One page of listed entries matching ``q`` and ``filters``, with counts per filter value.

    Entries whose name matches come first, then the others, newest publication first.
    ``cache`` is a dict kept per app, holding the facet index between requests.
    """
    filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v not in (None, "")}
    index = listing_index(session, cache if cache is not None else {})
    matched = boosted = None
    if q and q.strip():
        found = index.remember(("q", _fold(q.strip())), lambda: _matches_with_codes(session, q))
        matched, boosted = (index.positions(found[0]), index.positions(found[1])) if found else (
            np.array([], dtype=np.int64), None)
    page = max(1, page)
    result = index.query(matched=matched, boosted=boosted, filters=filters, page=page, page_size=page_size,
                         facets=FACETS)
    rows = {a.id: a for a in session.exec(select(Algorithm).where(Algorithm.id.in_(result["ids"])))} \
        if result["ids"] else {}
    return {"total": result["total"], "page": page, "page_size": page_size,
            "pages": max(1, -(-result["total"] // page_size)),
            "items": [rows[i] for i in result["ids"] if i in rows], "facets": result["facets"]}
