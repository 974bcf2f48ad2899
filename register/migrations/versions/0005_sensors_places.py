"""Sensors: district and neighbourhood of each sensor (for the list's columns and location filter),
and organisations created from an import's "Uw gegevens" sheet awaiting an administrator's
confirmation, and when the owner was e-mailed about a resident's message (issue 14).

Revision ID: 0005_sensors_places
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005_sensors_places'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sensor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.add_column(sa.Column('neighbourhood', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True))
        batch_op.create_index('ix_sensor_district', ['district', 'neighbourhood'], unique=False)
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verified', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('sensormessage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emailed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sensormessage', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('verified')
    with op.batch_alter_table('sensor', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_district')
        batch_op.drop_column('neighbourhood')
        batch_op.drop_column('district')
