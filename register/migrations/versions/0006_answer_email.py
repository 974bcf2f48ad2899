"""Residents' questions: whether the published answer reached the sender by e-mail (issue 15).

Revision ID: 0006_answer_email
Revises: 0005_participation
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_answer_email"
down_revision = "0005_participation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.add_column(sa.Column("answer_email_state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch.add_column(sa.Column("answer_email_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("answer_email_error", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contribution") as batch:
        batch.drop_column("answer_email_error")
        batch.drop_column("answer_email_at")
        batch.drop_column("answer_email_state")
