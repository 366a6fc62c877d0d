"""A reminder's key queued since the sweep read the keys taken (a rival sweep) is found again by
`saas/mail/outbox.py:queue_email` inside the reminder's action: no second email, no history event,
no new link, and in a centre's batch only that action is undone (tenants/reminders/sending.py:send_once,
tenants/flags/actions.py:one_action; issue #17)."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime

from sqlmodel import select

from saas.tenancy import tenant_session

from portal_helpers import make_bilan

NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
KEY = "reminder:test:rival"


def _rival(db, centre):
    from saas.mail.outbox import queue_email

    queue_email(db, to="zoe@example.fr", template="reminder_session", kind="reminder_session",
                sender_name=centre.name, centre_id=centre.id, idempotency_key=KEY, centre=centre, now=NOW,
                name="Zoé", centre_name=centre.name, note=None, custom=None, link="http://x/", starts="demain",
                duration=60, format="presentiel")


def _attempt(app, centre, bilan_id, *, in_batch: bool):
    """The sweep's Context reads the keys, a rival queues KEY, then the sweep sends under KEY."""
    from saas.mail.models import OutboxEmail
    from tenants.bilans.models import Bilan
    from tenants.flags.actions import batch
    from tenants.history.models import HistoryEvent
    from tenants.portal.models import BeneficiaryLink
    from tenants.reminders.sending import Context

    model = centre.model(app)
    with app.app_context(), tenant_session(model) as db:
        ctx = Context.of(db, model, NOW)
        assert KEY not in ctx.taken
        if in_batch:  # the rival's row, flushed in this centre's transaction before the action
            _rival(db, model)
            db.flush()
        else:  # the rival is another sweep: its own session, committed
            with tenant_session(model) as other:
                _rival(other, model)
                other.commit()
        links_before = [(link.id, link.revoked_at) for link in db.exec(select(BeneficiaryLink))]
        with batch(db) if in_batch else nullcontext():
            sent = ctx.to_beneficiary(db.get(Bilan, bilan_id), key=KEY, template="reminder_session",
                                      kind="reminder_session", history="Rappel envoyé", starts="demain",
                                      duration=60, format="presentiel")
        db.commit()
        assert sent is False
        assert len(db.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == KEY)).all()) == 1
        assert db.exec(select(HistoryEvent).where(HistoryEvent.kind == "email_reminder_session")).all() == []
        assert [(link.id, link.revoked_at) for link in db.exec(select(BeneficiaryLink))] == links_before


def test_a_reminder_key_queued_by_a_rival_since_the_keys_were_read_is_not_sent_twice(app, make_centre):
    lyon = make_centre("lyon")
    _person_id, bilan_id = make_bilan(app, lyon)
    _attempt(app, lyon, bilan_id, in_batch=False)


def test_a_reminder_key_queued_since_the_keys_were_read_rolls_back_only_its_action_in_a_batch(
        app, make_centre):
    lyon = make_centre("lyon")
    _person_id, bilan_id = make_bilan(app, lyon)
    _attempt(app, lyon, bilan_id, in_batch=True)


def test_an_action_whose_flush_fails_in_a_batch_rolls_back_only_that_action(app, make_centre):
    """The unique index refusing a duplicate key at the flush (no look-up first) inside a centre's batch
    undoes that action alone: what the centre's earlier actions wrote is committed with the centre."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from saas.mail.models import OutboxEmail
    from tenants.flags.actions import batch, one_action

    lyon = make_centre("lyon")
    model = lyon.model(app)
    with app.app_context(), tenant_session(model) as db:
        with batch(db):
            with one_action(db):
                _rival(db, model)
            first = db.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == KEY)).one()
            columns = [c.key for c in OutboxEmail.__table__.columns if c.key != "id"]
            with pytest.raises(IntegrityError), one_action(db):
                db.add(OutboxEmail(**{name: getattr(first, name) for name in columns}))
                db.flush()
        db.commit()
    with app.app_context(), tenant_session(model) as db:
        assert len(db.exec(select(OutboxEmail).where(OutboxEmail.idempotency_key == KEY)).all()) == 1
