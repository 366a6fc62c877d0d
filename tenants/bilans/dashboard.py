"""Dashboard panels of the bilans: consents to collect, follow-up interviews to offer.

`open_bilans` is the one read of the member's open bilans (with the beneficiary's
name) that every feature's panel shares within a request (`Scope.shared`), so the
dashboard costs the same statements for 10 bilans as for 30.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from sqlmodel import select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.consent import consented
from tenants.bilans.models import OPEN_STATUSES, Bilan
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel

FOLLOW_UP_AHEAD = timedelta(days=14)
FOLLOW_UP_STALE = timedelta(days=90)


@dataclass(frozen=True)
class OpenBilan:
    bilan: Bilan
    name: str


def open_bilans(db, scope) -> list[OpenBilan]:
    """The open bilans of the scope's consultant (every consultant's: None), most recent activity first."""
    def load():
        query = (select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
                 .where(Bilan.status.in_(OPEN_STATUSES)).order_by(Bilan.last_activity_at.desc()))
        if scope.consultant_id is not None:
            query = query.where(Bilan.consultant_id == scope.consultant_id)
        return [OpenBilan(bilan, person.name or "bénéficiaire") for bilan, person in db.exec(query).all()]
    return scope.shared("open_bilans", load)


def by_id(db, scope) -> dict[str, OpenBilan]:
    """open_bilans by bilan id."""
    return scope.shared("open_bilans_by_id", lambda: {row.bilan.id: row for row in open_bilans(db, scope)})


def dashboard_panel(db, centre, scope):
    """Consents still to collect in the preliminary phase, and follow-up interviews to offer."""
    rows = [row for row in open_bilans(db, scope) if row.bilan.status == "active" and row.bilan.phase == "preliminary"]
    given = consented(db, [row.bilan.id for row in rows])
    consents = [Item(row.name, "consentement et information déontologique à recueillir",
                     url_for("bilan.show", bilan_id=row.bilan.id) + "#consent",
                     when=row.bilan.started_on, detail="bilan commencé", consultant_id=row.bilan.consultant_id,
                     action="Recueillir")
                for row in rows if row.bilan.id not in given]
    panels = []
    if consents:
        panels.append(Panel(section="waiting", order=WAITING_ORDER["consents"], title="Consentements",
                            items=consents, context={"id": "waiting-consents"}))
    follow_ups = follow_up_items(db, scope)
    if follow_ups:
        panels.append(Panel(section="waiting", order=WAITING_ORDER["follow_up"], title="Entretiens de suivi",
                            items=follow_ups, context={"id": "waiting-follow-ups"}))
    return panels


def follow_up_items(db, scope) -> list[Item]:
    """Closed bilans whose follow-up interview (tenants/bilans/closing.py sets its date) is due soon or late."""
    today = scope.today
    query = (select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
             .where(Bilan.status.in_(("completed", "interrupted")), Bilan.follow_up_done_at.is_(None),
                    Bilan.follow_up_due_on <= today + FOLLOW_UP_AHEAD,
                    Bilan.follow_up_due_on >= today - FOLLOW_UP_STALE)
             .order_by(Bilan.follow_up_due_on))
    if scope.consultant_id is not None:
        query = query.where(Bilan.consultant_id == scope.consultant_id)
    return [Item(person.name or "bénéficiaire", "entretien de suivi à proposer",
                 url_for("bilan.show", bilan_id=bilan.id), when=bilan.follow_up_due_on,
                 late_days=max(0, (today - bilan.follow_up_due_on).days), consultant_id=bilan.consultant_id)
            for bilan, person in db.exec(query).all()]
