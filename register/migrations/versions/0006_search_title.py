"""PostgreSQL search: the name's words in a small column of their own, the text without positions (issue 16).

A search scanned every row's whole tsvector (entry text plus up to 300,000 characters of its
documents, stored out of line) just to learn whether the name matched. Now ``title`` holds the
name's lexemes and ``document`` holds all lexemes without positions or weights, which nothing
uses (results are ordered by name match and publication date, not by rank).

SQLite: the FTS5 table is made again with ``detail=column``: it keeps which column a word is
in but not where, so matching a common word reads a fraction of what it did (searches ask for
words and word starts, never phrases).

Revision ID: 0006_search_title
Revises: 0005_resident_impact_facet
"""
from alembic import op

revision = "0006_search_title"
down_revision = "0005_resident_impact_facet"
branch_labels = None
depends_on = None


def _fts(options: str) -> None:
    op.execute(f"CREATE VIRTUAL TABLE algorithm_fts_new USING fts5(title, body, tokenize='unicode61'{options})")
    op.execute("INSERT INTO algorithm_fts_new (rowid, title, body) SELECT rowid, title, body FROM algorithm_fts")
    op.execute("DROP TABLE algorithm_fts")
    op.execute("ALTER TABLE algorithm_fts_new RENAME TO algorithm_fts")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return _fts(", detail=column")
    op.execute("ALTER TABLE algorithm_search ADD COLUMN title TSVECTOR NOT NULL DEFAULT ''::tsvector")
    # The name was indexed with weight A; keep those lexemes, then drop positions and weights.
    op.execute("UPDATE algorithm_search SET title = array_to_tsvector(tsvector_to_array(ts_filter(document, '{a}'))), "
               "document = strip(document)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return _fts("")  # as 0001 made it
    # The name's lexemes get weight A again, at position 1 (the real positions are gone).
    op.execute("UPDATE algorithm_search SET document = document || COALESCE((SELECT string_agg("
               "quote_literal(lexeme) || ':' || '1A', ' ')::tsvector FROM unnest(tsvector_to_array(title)) AS lexeme), '')")
    op.execute("ALTER TABLE algorithm_search DROP COLUMN title")
