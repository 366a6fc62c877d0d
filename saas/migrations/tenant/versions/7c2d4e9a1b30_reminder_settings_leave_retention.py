"""reminder settings leave retention

The reminders' timings and texts move from `retention_settings` to their own
table `reminder_settings` (tenants/reminders/models.py), one row per centre
like before: the existing row's values are copied, then the columns dropped
from retention's table, which keeps the destruction delay, the abandonment
delay and the follow-up schedule (docs/RULES.md, "Reminders").
`retention_settings` has no foreign key either way, so the batch rebuild SQLite
does to drop columns trips nothing.

Revision ID: 7c2d4e9a1b30
Revises: 673c8bc332bb
Create Date: 2026-12-01 12:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '7c2d4e9a1b30'
down_revision = '673c8bc332bb'
branch_labels = None
depends_on = None

# (column, default), frozen as of this revision.
MOVED = (('follow_up_reminder_days', 7), ('agreement_reminder_day', 7), ('attendance_reminder_days', 2),
         ('questionnaire_before_due_days', 2), ('questionnaire_after_due_days', 3),
         ('questionnaire_first_days', 3), ('questionnaire_second_days', 7))


def _copy(bind, source, target):
    for row in bind.execute(sa.select(*source.c)).mappings().all():
        bind.execute(target.insert().values({name: row[name] for name in target.c.keys()}))


def _table(name, schema):
    return sa.table(name, sa.column('id'), *(sa.column(n, sa.Integer()) for n, _ in MOVED),
                    sa.column('reminder_note'), sa.column('texts', sa.JSON()),
                    sa.column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime()), schema=schema)


def upgrade():
    schema = op.get_context().version_table_schema
    op.create_table('reminder_settings',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    *(sa.Column(name, sa.Integer(), nullable=False) for name, _ in MOVED),
    sa.Column('reminder_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_settings')),
    schema=schema
    )
    bind = op.get_bind()
    _copy(bind, _table('retention_settings', schema), _table('reminder_settings', schema))
    with op.batch_alter_table('retention_settings', schema=schema) as batch_op:
        for name, _ in MOVED:
            batch_op.drop_column(name)
        batch_op.drop_column('reminder_note')
        batch_op.drop_column('texts')


def downgrade():
    schema = op.get_context().version_table_schema
    with op.batch_alter_table('retention_settings', schema=schema) as batch_op:
        for name, default in MOVED:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=str(default)))
        batch_op.add_column(sa.Column('reminder_note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('texts', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    bind = op.get_bind()
    old = _table('retention_settings', schema)
    for row in bind.execute(sa.select(*_table('reminder_settings', schema).c)).mappings().all():
        values = {name: row[name] for name in old.c.keys() if name not in ('id', 'updated_at')}
        bind.execute(old.update().where(old.c.id == row['id']).values(values))
    op.drop_table('reminder_settings', schema=schema)
