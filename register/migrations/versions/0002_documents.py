"""Documents: DPIAs and other impact assessments, content-addressed files, and their published versions.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = ('documents',)
depends_on = None


def upgrade() -> None:
    op.create_table('document_file',
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_truncated', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('assessment_date', sa.Date(), nullable=False),
    sa.Column('version_label', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('owner_kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('algorithm_id', sa.Integer(), nullable=True),
    sa.Column('sensor_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('original_filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('removed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['algorithm_id'], ['algorithm.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['document_file.sha256'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_algorithm_id'), ['algorithm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_sensor_id'), ['sensor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_sha256'), ['sha256'], unique=False)

    op.create_table('algorithm_version_document',
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['algorithm_version.id'], ),
    sa.PrimaryKeyConstraint('version_id', 'document_id')
    )
    with op.batch_alter_table('algorithm_version_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_algorithm_version_document_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('algorithm_version_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_algorithm_version_document_document_id'))
    op.drop_table('algorithm_version_document')
    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_sha256'))
        batch_op.drop_index(batch_op.f('ix_document_sensor_id'))
        batch_op.drop_index(batch_op.f('ix_document_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_document_algorithm_id'))
    op.drop_table('document')
    op.drop_table('document_file')
