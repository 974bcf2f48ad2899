"""Accounts: a session epoch per account (sign-out ends every session) and token expiry dates;
entries named after another organisation than their own are corrected (issue 12, point 2).

Revision ID: 0005_secacc_sessions_tokens
Revises: 0001
"""
from datetime import timedelta, timezone

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005_secacc_sessions_tokens'
down_revision = '0001'
branch_labels = ('secacc',)
depends_on = None

# Tokens made before expiry dates existed get one year from their creation (issue 12, point 3).
EXISTING_TOKEN_DAYS = 365


def upgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    token = sa.table('apitoken', sa.column('id', sa.Integer()),
                     sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()),
                     sa.column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    connection = op.get_bind()
    for row in connection.execute(sa.select(token.c.id, token.c.created_at)).all():
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
        connection.execute(token.update().where(token.c.id == row.id)
                           .values(expires_at=created + timedelta(days=EXISTING_TOKEN_DAYS)))


    # An entry's organisation is its registrant's: correct entries that named another one.
    owner = "(SELECT o.name FROM organisation o WHERE o.id = algorithm.organisation_id)"
    op.execute(f"UPDATE algorithm SET organisation_name = {owner} "
               f"WHERE organisation_name IS NOT NULL AND organisation_name <> {owner}")
    version_owner = ("(SELECT o.name FROM organisation o JOIN algorithm a ON a.organisation_id = o.id "
                     "WHERE a.id = algorithm_version.algorithm_id)")
    op.execute(f"UPDATE algorithm_version SET organization = {version_owner} WHERE organization <> {version_owner}")


def downgrade() -> None:
    with op.batch_alter_table('apitoken', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
