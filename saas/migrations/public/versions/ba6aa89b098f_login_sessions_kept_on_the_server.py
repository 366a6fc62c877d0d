"""login sessions kept on the server

The cookies now carry a login_session id (saas/accounts/sessions.py), so
account.session_version has no use left. Existing cookies (`<id>:<version>`)
name no session: everyone logs in again once after this upgrade.

Revision ID: ba6aa89b098f
Revises: b1b5ed8c2bba
Create Date: 2026-12-01 11:41:29.124259
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = 'ba6aa89b098f'
down_revision = 'b1b5ed8c2bba'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('device', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('remember', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_login_session_account_id_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash'))
    )
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_account_id'), ['account_id'], unique=False)

    # Native ALTER TABLE ... DROP COLUMN (SQLite >= 3.35): a batch copy of `account` would
    # drop the table that membership, invitation... reference while foreign keys are on.
    op.drop_column('account', 'session_version')


def downgrade():
    op.add_column('account', sa.Column('session_version', sa.INTEGER(), nullable=False, server_default='1'))

    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_account_id'))

    op.drop_table('login_session')
