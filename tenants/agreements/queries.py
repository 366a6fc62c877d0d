"""Reads of the agreements feature for pages: the latest agreement of a bilan and what its page shows."""
from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from saas.models import utcnow
from tenants.agreements import clock, sendings, transmission
from tenants.agreements.models import Agreement


def latest_agreement(db: Session, bilan_id: str) -> Agreement | None:
    return db.exec(select(Agreement).where(Agreement.bilan_id == bilan_id)
                   .order_by(Agreement.sent_at.desc())).first()


def agreement_context(db: Session, agreement: Agreement | None, today: date) -> dict:
    """The agreement's clock (one reading, `clock.clock_state`), sendings per recipient, next steps."""
    if agreement is None:
        return {"agreement": None, "agreement_state": None, "agreement_sendings": [], "agreement_delivery": {}}
    found = sendings.sendings_of(db, agreement.id)
    state = clock.clock_state(agreement, today)
    return {"agreement": agreement, "agreement_state": state, "agreement_sendings": found,
            "agreement_delivery": sendings.delivery_of(db, found),
            "agreement_link_usable": transmission.link_usable(agreement, utcnow()),
            "can_record_transmission": agreement.status == "with_employer",
            "can_sign": state.running}
