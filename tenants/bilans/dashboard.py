"""Dashboard panels of the bilans: consents to collect, follow-up interviews to offer.

`open_bilans` is the one read of the member's open bilans (with the beneficiary's
name) that every feature's panel shares within a request (`Scope.shared`), so the
dashboard costs the same statements for 10 bilans as for 30.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import load_only
from sqlmodel import select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.consent import consented
from tenants.bilans.models import OPEN_STATUSES, Bilan
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel

FOLLOW_UP_AHEAD = timedelta(days=14)
FOLLOW_UP_STALE = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class BilanFacts:
    """The columns of a bilan the dashboard's panels and the hours rule read (no sealed content)."""
    id: str
    beneficiary_id: str
    consultant_id: int
    status: str
    phase: str
    format: str
    started_on: date | None
    planned_interview_minutes: int
    planned_personal_minutes: int


@dataclass(frozen=True, slots=True)
class OpenBilan:
    bilan: BilanFacts
    name: str


FACTS = (Bilan.id, Bilan.beneficiary_id, Bilan.consultant_id, Bilan.status, Bilan.phase, Bilan.format,
         Bilan.started_on, Bilan.planned_interview_minutes, Bilan.planned_personal_minutes)


def open_bilans(db, scope) -> list[OpenBilan]:
    """The open bilans of the scope's consultant (every consultant's: None), most recent activity first.

    A Core select of the columns the panels read, plus the beneficiaries (their sealed names
    need the ORM object, one column loaded): two statements whatever the number of bilans."""
    def load():
        query = select(*FACTS).where(Bilan.status.in_(OPEN_STATUSES)).order_by(Bilan.last_activity_at.desc())
        if scope.consultant_id is not None:
            query = query.where(Bilan.consultant_id == scope.consultant_id)
        bilans = [BilanFacts(*row) for row in db.exec(query).all()]
        if not bilans:
            return []
        people = db.exec(select(Beneficiary).options(load_only(Beneficiary.id, Beneficiary.name_ct))
                         .where(Beneficiary.id.in_({b.beneficiary_id for b in bilans}))).all()
        names = {person.id: person.name for person in people}
        return [OpenBilan(b, names.get(b.beneficiary_id) or "bénéficiaire") for b in bilans]
    return scope.shared("open_bilans", load)


def by_id(db, scope) -> dict[str, OpenBilan]:
    """open_bilans by bilan id."""
    return scope.shared("open_bilans_by_id", lambda: {row.bilan.id: row for row in open_bilans(db, scope)})


def dashboard_panel(db, centre, scope):
    """Consents still to collect in the preliminary phase, and follow-up interviews to offer."""
    rows = [row for row in open_bilans(db, scope) if row.bilan.status == "active" and row.bilan.phase == "preliminary"]
    given = consented(db, [row.bilan.id for row in rows])
    consents = [Item(row.name, "consentement et information déontologique à recueillir",
                     scope.url("bilan.show", bilan_id=row.bilan.id) + "#consent",
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
                 scope.url("bilan.show", bilan_id=bilan.id), when=bilan.follow_up_due_on,
                 late_days=max(0, (today - bilan.follow_up_due_on).days), consultant_id=bilan.consultant_id)
            for bilan, person in db.exec(query).all()]
