"""seal agreement refusal reason and keeping evidence filename; access log

Revision ID: 673c8bc332bb
Revises: 5b1e0c7d2a90
Create Date: 2026-12-01 11:55:47.897703
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '673c8bc332bb'
down_revision = '5b1e0c7d2a90'
branch_labels = None
depends_on = None


# (table, column, old length): free text about a person, sealed from now on (issue #12).
SEALED = (("agreement", "refusal_reason", 300), ("keeping_agreement", "evidence_filename", 200))


def upgrade():
    schema = op.get_context().version_table_schema
    op.create_table('access_log',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('bilan_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log')),
    schema=schema
    )
    with op.batch_alter_table('access_log', schema=schema) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_access_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tenant_access_log_bilan_id'), ['bilan_id'], unique=False)

    bind = op.get_bind()
    for name, column, _length in SEALED:
        old = sa.table(name, sa.column('id'), sa.column(column), schema=schema)
        values = bind.execute(sa.select(old.c.id, old.c[column]).where(old.c[column].isnot(None))).all()
        # Plain ALTER TABLE, not a batch: recreating a table on SQLite would trip the foreign keys
        # pointing to it (SQLite >= 3.35 drops a column in place).
        op.drop_column(name, column, schema=schema)
        op.add_column(name, sa.Column(column, sa.LargeBinary(), nullable=True), schema=schema)
        new = sa.table(name, sa.column('id'), sa.column(column, sa.LargeBinary()), schema=schema)
        for row_id, value in values:
            # Envelope format 0x00 (5-byte header, key id 0): readable, reported by `keys status`,
            # sealed by the next `keys rotate-centre`.
            bind.execute(new.update().where(new.c.id == row_id)
                         .values({column: b"\x00\x00\x00\x00\x00" + value.encode("utf-8")}))


def downgrade():
    schema = op.get_context().version_table_schema
    # Sealed values cannot be put back in clear: they are dropped.
    for name, column, length in reversed(SEALED):
        op.drop_column(name, column, schema=schema)
        op.add_column(name, sa.Column(column, sa.VARCHAR(length=length), nullable=True), schema=schema)
    op.drop_table('access_log', schema=schema)
