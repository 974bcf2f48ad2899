"""Model generation: one row every process reads to tell that its copies of model versions are stale.

Revision ID: 0005_registering_generation
Revises: 0004
"""
import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_registering_generation"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "model_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("token", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "value": 0, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("model_generation")
