"""Full-text search over published entries with Dutch stemming.

PostgreSQL: a ``tsvector`` per entry with the ``dutch`` configuration and a GIN index.
SQLite: an FTS5 table holding text stemmed in Python with the same Snowball algorithm.
Both tables are created by the migrations; queries here are the only raw SQL in the app.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import Float, Integer, func, text
from sqlmodel import Session, select

from register.models import Algorithm, AlgorithmTheme

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


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def index(session: Session, algorithm_id: int, version, extra: str = "", replace: bool = True) -> None:
    """(Re)index an entry's published version; ``extra`` is text of its documents."""
    title, body = document_text(version, extra)
    if replace:
        remove(session, algorithm_id)
    if _dialect(session) == "postgresql":
        session.execute(text(
            "INSERT INTO algorithm_search (algorithm_id, document) VALUES (:id, "
            "setweight(to_tsvector('dutch', :title), 'A') || setweight(to_tsvector('dutch', :body), 'B'))"),
            {"id": algorithm_id, "title": title, "body": body})
    else:
        session.execute(text("INSERT INTO algorithm_fts (rowid, title, body) VALUES (:id, :title, :body)"),
                        {"id": algorithm_id, "title": " ".join(stems(title)), "body": " ".join(stems(body))})


def remove(session: Session, algorithm_id: int) -> None:
    if _dialect(session) == "postgresql":
        session.execute(text("DELETE FROM algorithm_search WHERE algorithm_id = :id"), {"id": algorithm_id})
    else:
        session.execute(text("DELETE FROM algorithm_fts WHERE rowid = :id"), {"id": algorithm_id})


def _matches(session: Session, query: str):
    """A subquery (algorithm_id, rank) of entries matching every word of ``query``; None if no words.

    Each word matches by its Dutch stem or, as typed, as the start of a word, so "woningen" finds
    "woning" and "parkeer" finds "parkeercontrole".
    """
    words = list(dict.fromkeys(_WORD.findall(_fold(query))))[:MAX_TERMS]
    if not words:
        return None
    params = {f"w{i}": f"{word}:*" for i, word in enumerate(words)}
    if _dialect(session) == "postgresql":
        tsquery = " && ".join(f"(to_tsquery('dutch', :w{i}) || to_tsquery('simple', :w{i}))" for i in range(len(words)))
        sql = text(f"SELECT algorithm_id, -ts_rank(document, q) AS rank FROM algorithm_search, "
                   f"(SELECT {tsquery} AS q) AS query WHERE document @@ q").bindparams(**params)
    else:
        match = " AND ".join(f'("{stem}"* OR "{word}"*)' for word, stem in zip(words, _stemmer().stemWords(words)))
        sql = text("SELECT rowid AS algorithm_id, bm25(algorithm_fts, 4.0, 1.0) AS rank FROM algorithm_fts "
                   "WHERE algorithm_fts MATCH :q").bindparams(q=match)
    return sql.columns(algorithm_id=Integer, rank=Float).subquery("matches")


FACETS = ("organisation", "theme", "status", "category", "impact_assessment")
_COLUMNS = {"organisation": Algorithm.organisation_name, "status": Algorithm.status,
            "category": Algorithm.publication_category, "impact_assessment": Algorithm.has_impact_assessment}
LISTED_STATES = ("published", "archived")


def _filtered(statement, filters: dict, skip: str | None = None):
    for facet, value in filters.items():
        if facet == skip or value in (None, ""):
            continue
        if facet == "theme":
            statement = statement.where(Algorithm.id.in_(
                select(AlgorithmTheme.algorithm_id).where(AlgorithmTheme.theme == value)))
        elif facet == "impact_assessment":
            statement = statement.where(Algorithm.has_impact_assessment.is_(value == "yes"))
        else:
            statement = statement.where(_COLUMNS[facet] == value)
    return statement


def search(session: Session, *, q: str = "", filters: dict | None = None, page: int = 1,
           page_size: int = 20) -> dict:
    """One page of published entries matching ``q`` and ``filters``, with counts per filter value."""
    filters = {k: v for k, v in (filters or {}).items() if k in FACETS and v not in (None, "")}
    matches = _matches(session, q) if q and q.strip() else None
    base = select(Algorithm).where(Algorithm.public_state.in_(LISTED_STATES))
    if matches is not None:
        base = base.join(matches, matches.c.algorithm_id == Algorithm.id)
    elif q and q.strip():
        base = base.where(False)
    statement = _filtered(base, filters)
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    order = [matches.c.rank, Algorithm.name] if matches is not None else [Algorithm.published_at.desc(), Algorithm.id]
    page = max(1, page)
    rows = session.exec(statement.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    return {"total": total, "page": page, "page_size": page_size,
            "pages": max(1, -(-total // page_size)), "items": rows,
            "facets": {facet: _facet_counts(session, base, filters, facet) for facet in FACETS}}


def _facet_counts(session: Session, base, filters: dict, facet: str) -> list[dict]:
    """Counts per value of ``facet`` among results filtered by every other facet."""
    scoped = _filtered(base, filters, skip=facet).with_only_columns(Algorithm.id).subquery()
    if facet == "theme":
        column = AlgorithmTheme.theme
        statement = select(column, func.count()).where(AlgorithmTheme.algorithm_id.in_(select(scoped.c.id)))
    else:
        column = _COLUMNS[facet]
        statement = select(column, func.count()).where(Algorithm.id.in_(select(scoped.c.id)))
    rows = session.exec(statement.group_by(column).order_by(func.count().desc(), column)).all()
    selected = filters.get(facet)
    if facet == "impact_assessment":
        return [{"value": "yes" if value else "no", "count": count, "selected": selected == ("yes" if value else "no")}
                for value, count in rows if value is not None]
    return [{"value": value, "count": count, "selected": selected == value} for value, count in rows if value is not None]
