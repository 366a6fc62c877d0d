"""history actor names

Questionnaire events of the first round recorded the account id ("1") as their
actor where bilan events recorded the member's name. One way now
(tenants/history/actors.py): a name. Existing digit-only actors take the name of
that account, or the system's when the account is gone. Data only: no schema change.

Revision ID: 5b1e0c7d2a90
Revises: 004311074b87
Create Date: 2026-12-01 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5b1e0c7d2a90'
down_revision = '004311074b87'
branch_labels = None
depends_on = None

SYSTEM = "Bilan (automatique)"  # tenants/history/actors.py:SYSTEM, frozen as of this revision


def upgrade():
    schema = op.get_context().version_table_schema
    bind = op.get_bind()
    events = sa.table("history_event", sa.column("id"), sa.column("actor"), schema=schema)
    accounts = sa.table("account", sa.column("id"), sa.column("name"))  # platform table
    names = {str(row.id): row.name for row in bind.execute(sa.select(accounts.c.id, accounts.c.name))}
    for row in bind.execute(sa.select(events.c.id, events.c.actor).where(events.c.actor.isnot(None))).all():
        if row.actor.isdigit():
            bind.execute(events.update().where(events.c.id == row.id)
                         .values(actor=(names.get(row.actor) or SYSTEM)[:160]))


def downgrade():
    pass  # names are kept: an account id cannot be told back from a name
