"""One send to the national register at a time per entry, across processes (issue 12).

Revision ID: 0006_national_claim
Revises: 0005_interchange_national
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_national_claim"
down_revision = "0005_interchange_national"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "national_claim",
        sa.Column("algorithm_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["algorithm_id"], ["algorithm.id"]),
        sa.PrimaryKeyConstraint("algorithm_id"),
    )


def downgrade() -> None:
    op.drop_table("national_claim")
