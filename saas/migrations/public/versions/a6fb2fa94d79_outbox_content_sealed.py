"""outbox content sealed: subject, bodies and attachments under the outbox key (saas/mail/sealing.py)

Revision ID: a6fb2fa94d79
Revises: ba6aa89b098f
Create Date: 2026-12-01 11:47:48.534259
"""
import json

from alembic import op
import sqlalchemy as sa

revision = 'a6fb2fa94d79'
down_revision = 'ba6aa89b098f'
branch_labels = None
depends_on = None

outbox = sa.table("outboxemail", sa.column("id", sa.Integer), sa.column("message_id", sa.String),
                  sa.column("subject", sa.String), sa.column("body_text", sa.Text), sa.column("body_html", sa.Text),
                  sa.column("attachments", sa.JSON), sa.column("sealed_subject", sa.LargeBinary),
                  sa.column("sealed_body", sa.LargeBinary))


def _masters():
    # Migrations run inside the app (saas/migrate.py): its master keys seal what was in clear.
    from flask import current_app

    return current_app.extensions["crypto"].masters


def upgrade():
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_subject', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sealed_body', sa.LargeBinary(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.message_id, outbox.c.subject, outbox.c.body_text,
                                  outbox.c.body_html, outbox.c.attachments)).all()
    if rows:
        from saas.mail import sealing

        masters = _masters()
        for row in rows:
            attachments = json.loads(row.attachments) if isinstance(row.attachments, str) else row.attachments
            has_body = row.body_text is not None or row.body_html is not None or attachments is not None
            bind.execute(outbox.update().where(outbox.c.id == row.id).values(
                sealed_subject=(sealing.seal(row.message_id, "subject", row.subject.encode(), masters)
                                if row.subject is not None else None),
                sealed_body=(sealing.seal_json(row.message_id, "body", {"text": row.body_text, "html": row.body_html,
                                                                       "attachments": attachments}, masters)
                             if has_body else None)))
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.drop_column('subject')
        batch_op.drop_column('attachments')
        batch_op.drop_column('body_html')
        batch_op.drop_column('body_text')


def downgrade():
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('attachments', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('subject', sa.String(length=300), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.message_id, outbox.c.sealed_subject,
                                  outbox.c.sealed_body)).all()
    if rows:
        from saas.mail import sealing

        masters = _masters()
        for row in rows:
            body = sealing.open_json(row.message_id, "body", row.sealed_body, masters) or {}
            subject = (sealing.open_sealed(row.message_id, "subject", row.sealed_subject, masters).decode()
                       if row.sealed_subject is not None else None)
            bind.execute(outbox.update().where(outbox.c.id == row.id).values(
                subject=subject, body_text=body.get("text"), body_html=body.get("html"),
                attachments=body.get("attachments")))
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.drop_column('sealed_body')
        batch_op.drop_column('sealed_subject')
