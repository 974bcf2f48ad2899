"""Interchange with the national register and the EU database (issue #17).

Widens name, organization and legal_basis_title to the 100 characters the national register
accepts, adds the URL of the provider's entry in the EU database (AI Act Annex VIII C.3) and
the table remembering what was sent to the national submission API per version.

Revision ID: 0005_interchange_national
Revises: 0001
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_interchange_national"
down_revision = "0001"
branch_labels = ("interchange",)
depends_on = None

WIDENED = [("algorithm_version", "name"), ("algorithm_version", "organization"),
           ("algorithm_version", "legal_basis_title"), ("algorithm", "name"),
           ("algorithm", "organisation_name"), ("organisation", "name")]


def upgrade() -> None:
    # SQLite does not enforce VARCHAR lengths; PostgreSQL does.
    if op.get_bind().dialect.name != "sqlite":
        for table, column in WIDENED:
            op.alter_column(table, column, type_=sqlmodel.sql.sqltypes.AutoString(length=100),
                            existing_type=sqlmodel.sql.sqltypes.AutoString(length=99))
    op.add_column("algorithm_version", sa.Column("eu_provider_entry_url", sa.Text(), nullable=True))
    op.create_table(
        "national_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("algorithm_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("national_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("payload_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("sent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["algorithm_id"], ["algorithm.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["algorithm_version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_national_submission_algorithm_id", "national_submission", ["algorithm_id"])


def downgrade() -> None:
    op.drop_index("ix_national_submission_algorithm_id", table_name="national_submission")
    op.drop_table("national_submission")
    op.drop_column("algorithm_version", "eu_provider_entry_url")
    if op.get_bind().dialect.name != "sqlite":
        for table, column in WIDENED:
            op.alter_column(table, column, type_=sqlmodel.sql.sqltypes.AutoString(length=99),
                            existing_type=sqlmodel.sql.sqltypes.AutoString(length=100))
