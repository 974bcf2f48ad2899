"""Sensors: the sensor register, its public change history, residents' reports, relay messages.

On PostgreSQL also PostGIS: ``sensor.geom`` is a geometry(Geometry, 4326) column generated from
the portable GeoJSON in ``sensor.geometry``, with a GiST index.  SQLite uses the bounding-box
columns and their index.

Revision ID: 0003
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0001'
branch_labels = ('sensors',)
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table('sensor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('reference', text(length=100), nullable=False),
    sa.Column('owner_name', text(length=200), nullable=False),
    sa.Column('owner_kind', text(length=20), nullable=False),
    sa.Column('contact_name', text(length=200), nullable=True),
    sa.Column('contact_email', text(length=254), nullable=True),
    sa.Column('contact_phone', text(length=40), nullable=True),
    sa.Column('contact_is_organisational', sa.Boolean(), nullable=False),
    sa.Column('sensor_type', text(length=20), nullable=False),
    sa.Column('sensor_type_other', text(length=200), nullable=True),
    sa.Column('themes', sa.JSON(), nullable=True),
    sa.Column('theme_bits', sa.Integer(), nullable=False),
    sa.Column('measures', text(length=500), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=True),
    sa.Column('personal_data', sa.Boolean(), nullable=False),
    sa.Column('legal_ground', text(length=30), nullable=True),
    sa.Column('privacy_statement_url', sa.Text(), nullable=True),
    sa.Column('retention_days', sa.Integer(), nullable=True),
    sa.Column('processed_on_device', sa.Boolean(), nullable=False),
    sa.Column('anonymised', sa.Boolean(), nullable=False),
    sa.Column('aggregated', sa.Boolean(), nullable=False),
    sa.Column('open_data', sa.Boolean(), nullable=False),
    sa.Column('open_data_url', sa.Text(), nullable=True),
    sa.Column('mobile', sa.Boolean(), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=True),
    sa.Column('field_of_view', sa.JSON(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('mx', sa.Float(), nullable=False),
    sa.Column('my', sa.Float(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('area_names', sa.JSON(), nullable=True),
    sa.Column('location_description', text(length=500), nullable=True),
    sa.Column('placed_on', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('last_confirmed', sa.Date(), nullable=True),
    sa.Column('status', text(length=20), nullable=False),
    sa.Column('expired_marked_on', sa.Date(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('project', text(length=200), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organisation_id', 'reference', name='uq_sensor_reference')
    )
    with op.batch_alter_table('sensor', schema=None) as batch_op:
        batch_op.create_index('ix_sensor_bbox', ['mobile', 'min_lon', 'min_lat', 'max_lon', 'max_lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_owner_kind'), ['owner_kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_sensor_type'), ['sensor_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_personal_data'), ['personal_data'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_end_date'), ['end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensor_updated_at'), ['updated_at'], unique=False)
    if postgres:
        op.execute("ALTER TABLE sensor ADD COLUMN geom geometry(Geometry, 4326) GENERATED ALWAYS AS "
                   "(ST_SetSRID(ST_GeomFromGeoJSON(geometry::text), 4326)) STORED")
        op.execute("CREATE INDEX ix_sensor_geom ON sensor USING GIST (geom)")

    op.create_table('sensorchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('action', text(length=20), nullable=False),
    sa.Column('channel', text(length=20), nullable=False),
    sa.Column('actor_organisation', text(length=200), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensor.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensorchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensorchange_sensor_id'), ['sensor_id'], unique=False)

    op.create_table('sensorreport',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('state', text(length=20), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=True),
    sa.Column('handled_by', sa.Integer(), nullable=True),
    sa.Column('handled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['handled_by'], ['user.id'], ),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensorreport', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensorreport_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensorreport_state'), ['state'], unique=False)

    op.create_table('sensormessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sensor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sender_email', text(length=254), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['sensor_id'], ['sensor.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sensormessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sensormessage_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sensormessage_sensor_id'), ['sensor_id'], unique=False)


def downgrade() -> None:
    op.drop_table('sensormessage')
    op.drop_table('sensorreport')
    op.drop_table('sensorchange')
    op.drop_table('sensor')
