"""Content generation: one counter that every change to what public pages show moves, by triggers.

Joins the rooms' branches (every table must exist to get its trigger). On SQLite each table gets
an AFTER INSERT, UPDATE and DELETE trigger; on PostgreSQL a deferred constraint trigger per table
calls one function that bumps the counter once per transaction, at commit, so the counter's row is
the last lock a writer takes (no deadlock with writers of other rows) and a reader never sees the
new number before the new rows.

A table added later gets its triggers in its own migration with ``add_triggers`` (a test checks that
every table has them).

Revision ID: 0007_content_generation
Revises: the heads of every room
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_content_generation"
down_revision = ("0006_answer_email", "0006_model_kind", "0006_national_claim", "0006_search_title",
                 "0005_secacc_sessions_tokens", "0005_sensors_places")
branch_labels = None
depends_on = None

# As register.models.generation.CONTENT_GENERATION_EXCLUDED on the day of this migration.
EXCLUDED = {"alembic_version", "content_generation", "cpu_measurement", "decision_receipt", "apitoken",
            "spatial_ref_sys"}

# An upsert, so a counter row that was removed (a test emptying every table) comes back at the next change.
BUMP = ("INSERT INTO content_generation (id, value) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET value = content_generation.value + 1")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION stadsregister_bump_content() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('stadsregister.content_bumped', true), '') <> 'yes' THEN
        PERFORM set_config('stadsregister.content_bumped', 'yes', true);
        INSERT INTO content_generation (id, value) VALUES (1, 1)
            ON CONFLICT (id) DO UPDATE SET value = content_generation.value + 1;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def content_tables(bind) -> list[str]:
    names = sa.inspect(bind).get_table_names()
    # SQLite's full-text tables (algorithm_fts and its shadow tables) follow the tables they index.
    return sorted(n for n in names if n not in EXCLUDED and not n.startswith("algorithm_fts"))


def add_triggers(table: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f'CREATE CONSTRAINT TRIGGER stadsregister_content AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                   "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stadsregister_bump_content()")
        return
    for event in ("INSERT", "UPDATE", "DELETE"):
        op.execute(f'CREATE TRIGGER "stadsregister_content_{event.lower()}_{table}" AFTER {event} ON "{table}" '
                   f"BEGIN {BUMP}; END")


def drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'DROP TRIGGER IF EXISTS stadsregister_content ON "{table}"')
        return
    for event in ("insert", "update", "delete"):
        op.execute(f'DROP TRIGGER IF EXISTS "stadsregister_content_{event}_{table}"')


def upgrade() -> None:
    table = op.create_table(
        "content_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0}])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
    for name in content_tables(bind):
        add_triggers(name)


def downgrade() -> None:
    bind = op.get_bind()
    for name in content_tables(bind):
        drop_triggers(name)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS stadsregister_bump_content()")
    op.drop_table("content_generation")
