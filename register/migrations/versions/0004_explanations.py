"""Explanations: registered model versions and residents' decision receipts.

Revision ID: 0004
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0004"
down_revision = "0001"
branch_labels = ("explanations",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("algorithm_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("reference_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.Column("global_explanation", sa.JSON(), nullable=False),
        sa.Column("fairness", sa.JSON(), nullable=False),
        sa.Column("reference_rows", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=999), nullable=True),
        sa.ForeignKeyConstraint(["algorithm_id"], ["algorithm.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("algorithm_id", "number", name="uq_model_version_number"),
    )
    op.create_index("ix_model_version_algorithm_id", "model_version", ["algorithm_id"])
    op.create_index("ix_model_version_sha256", "model_version", ["sha256"])
    op.create_table(
        "decision_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("short_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("algorithm_id", sa.Integer(), nullable=False),
        sa.Column("algorithm_version_id", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("case_ref_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["algorithm_id"], ["algorithm.id"]),
        sa.ForeignKeyConstraint(["algorithm_version_id"], ["algorithm_version.id"]),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_receipt_token_hash", "decision_receipt", ["token_hash"], unique=True)
    op.create_index("ix_decision_receipt_short_code", "decision_receipt", ["short_code"], unique=True)
    op.create_index("ix_decision_receipt_algorithm_id", "decision_receipt", ["algorithm_id"])
    op.create_index("ix_decision_receipt_case_ref_hash", "decision_receipt", ["case_ref_hash"])
    op.create_index("ix_decision_receipt_expires_at", "decision_receipt", ["expires_at"])


def downgrade() -> None:
    op.drop_table("decision_receipt")
    op.drop_table("model_version")
