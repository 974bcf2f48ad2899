"""Participation, the Vendor Lock-in Index, costs and footprint (issue 15).

Entry extension fields (lock-in, costs, energy) on algorithm_version; residents' contributions,
flags, advice with responses; published index years; CPU measurements of explanations.

Revision ID: 0005_participation
Revises: 0001
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_participation"
down_revision = "0001"
branch_labels = ("participation",)
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime

EXTENSION_COLUMNS = [
    ("publiccode_url", sa.Text()), ("hosting", S(length=20)), ("data_portable", sa.Boolean()),
    ("exit_in_contract", sa.Boolean()), ("contract_end_date", S(length=7)), ("replaceability", S(length=20)),
]
for _figure, _kind in (("cost_licence", sa.Integer), ("cost_hosting", sa.Integer), ("cost_staff", sa.Integer),
                       ("energy_training", sa.Float), ("energy_running", sa.Float)):
    _unit = "_eur" if _figure.startswith("cost") else "_kwh"
    EXTENSION_COLUMNS += [(_figure + _unit, _kind()), (_figure + "_source", S(length=20)),
                          (_figure + "_year", sa.Integer())]


def upgrade() -> None:
    with op.batch_alter_table("algorithm_version") as batch:
        for name, kind in EXTENSION_COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("algorithm_id", sa.Integer(), sa.ForeignKey("algorithm.id"), nullable=False, index=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False, index=True),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("field", S(length=60), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("language", S(length=5), nullable=False),
        sa.Column("email", S(length=254), nullable=True),
        sa.Column("received_at", WHEN(), nullable=False, index=True),
        sa.Column("due_on", sa.Date(), nullable=False, index=True),
        sa.Column("state", S(length=20), nullable=False, index=True),
        sa.Column("moderated_at", WHEN(), nullable=True),
        sa.Column("moderated_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("state_reason", S(length=500), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answer_state", S(length=20), nullable=True),
        sa.Column("answer_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("answer_submitted_at", WHEN(), nullable=True),
        sa.Column("answer_approved_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("answered_at", WHEN(), nullable=True, index=True),
        sa.Column("email_deleted_at", WHEN(), nullable=True),
    )
    op.create_table(
        "contribution_flag",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("contribution_id", sa.Integer(), sa.ForeignKey("contribution.id"), nullable=False, index=True),
        sa.Column("reason", S(length=500), nullable=False),
        sa.Column("at", WHEN(), nullable=False),
        sa.Column("resolved_at", WHEN(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("outcome", S(length=20), nullable=True),
    )
    op.create_table(
        "advice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("algorithm_id", sa.Integer(), sa.ForeignKey("algorithm.id"), nullable=False, index=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False, index=True),
        sa.Column("document_id", sa.Integer(), nullable=True, index=True),
        sa.Column("adviser_kind", S(length=30), nullable=False),
        sa.Column("adviser_name", S(length=200), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("outcome", S(length=30), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("state", S(length=20), nullable=False),
        sa.Column("created_at", WHEN(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("published_at", WHEN(), nullable=True),
    )
    op.create_table(
        "lockin_index",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("method_version", S(length=10), nullable=False),
        sa.Column("published_at", WHEN(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
    )
    op.create_table(
        "cpu_measurement",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("algorithm_id", sa.Integer(), sa.ForeignKey("algorithm.id"), nullable=False, index=True),
        sa.Column("model_version_id", sa.Integer(), nullable=False, index=True),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("cpu_seconds", sa.Float(), nullable=False),
        sa.UniqueConstraint("model_version_id", "kind", "day", name="uq_cpu_measurement"),
    )


def downgrade() -> None:
    for table in ("cpu_measurement", "lockin_index", "advice", "contribution_flag", "contribution"):
        op.drop_table(table)
    with op.batch_alter_table("algorithm_version") as batch:
        for name, _kind in reversed(EXTENSION_COLUMNS):
            batch.drop_column(name)
