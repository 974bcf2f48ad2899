"""The list's "with impact assessment" filter counts only entries with a published assessment (issue 13).

Revision ID: 0005_resident_impact_facet
Revises: 0002
"""
from alembic import op

revision = "0005_resident_impact_facet"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        UPDATE algorithm SET has_impact_assessment = EXISTS (
            SELECT 1 FROM algorithm_version_document AS vd JOIN document AS d ON d.id = vd.document_id
            WHERE vd.version_id = algorithm.published_version_id AND d.kind IN ('dpia', 'iama'))
    """)
    op.execute("UPDATE listing_generation SET value = value + 1")


def downgrade() -> None:
    """Nothing to undo: the column keeps a value that the earlier code also accepts."""
