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
    _backfill_places()


def _backfill_places() -> None:
    """District and neighbourhood of the sensors already registered (from the shipped outlines)."""
    import json

    from geo.places import Places

    places = Places.default()
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, lon, lat, mobile, area_names FROM sensor")).fetchall()
    for ident, lon, lat, mobile, area_names in rows:
        names = json.loads(area_names) if isinstance(area_names, str) else (area_names or [])
        if mobile:
            district, neighbourhood = (names[0] if names else places.district_of(lon, lat)), None
        else:
            district, neighbourhood = places.place_of(lon, lat)
        bind.execute(sa.text("UPDATE sensor SET district = :d, neighbourhood = :n WHERE id = :i"),
                     {"d": district, "n": neighbourhood, "i": ident})


def downgrade() -> None:
    with op.batch_alter_table('sensormessage', schema=None) as batch_op:
        batch_op.drop_column('emailed_at')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('verified')
    with op.batch_alter_table('sensor', schema=None) as batch_op:
        batch_op.drop_index('ix_sensor_district')
        batch_op.drop_column('neighbourhood')
        batch_op.drop_column('district')
