"""Model kind: a model version is a scikit-learn model, DMN decision rules, an XGBoost or LightGBM
booster, a text classifier or an ONNX model (issue 11); a booster may have a preprocessing file.

Revision ID: 0006_model_kind
Revises: 0005_registering_generation
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_model_kind"
down_revision = "0005_registering_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_version") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=False, server_default="sklearn"))
        batch.add_column(sa.Column("extra_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_version") as batch:
        batch.drop_column("extra_sha256")
        batch.drop_column("kind")
