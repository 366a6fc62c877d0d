"""Dashboard panels of the bilans: consents to collect, follow-up interviews to offer.

`open_bilans` is the one read of the member's open bilans (with the beneficiary's
name) that every feature's panel shares within a request (`Scope.shared`), so the
dashboard costs the same statements for 10 bilans as for 30.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, or_
from sqlmodel import select

from saas.crypto.fields import getattr_static
from saas.db import read_rows
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import working_time
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
    # CPF on working time (tenants/bilans/working_time.py:pending reads them): no sealed content either.
    funding: str = ""
    cpf_on_working_time: bool = False
    planned_start_on: date | None = None
    employer_request_on: date | None = None
    employer_answer: str | None = None
    employer_answer_on: date | None = None


@dataclass(frozen=True, slots=True)
class OpenBilan:
    bilan: BilanFacts
    name: str


FACTS = (Bilan.id, Bilan.beneficiary_id, Bilan.consultant_id, Bilan.status, Bilan.phase, Bilan.format,
         Bilan.started_on, Bilan.planned_interview_minutes, Bilan.planned_personal_minutes, Bilan.funding,
         Bilan.cpf_on_working_time, Bilan.planned_start_on, Bilan.employer_request_on, Bilan.employer_answer,
         Bilan.employer_answer_on)
# Built once (bound at each request): building SQL expressions was a measurable part of the
# dashboard's time (docs/BENCHMARKS.md, issue #13). Open bilans, and the closed ones whose
# follow-up interview is due soon or late, in one select.
_FOLLOW_UP_DUE = and_(Bilan.status.in_(("completed", "interrupted")), Bilan.follow_up_done_at.is_(None),
                      Bilan.follow_up_due_on <= bindparam("ahead"), Bilan.follow_up_due_on >= bindparam("stale"))
_BILANS = (select(*FACTS, Bilan.follow_up_due_on).where(or_(Bilan.status.in_(OPEN_STATUSES), _FOLLOW_UP_DUE))
           .order_by(Bilan.last_activity_at.desc()))
_BILANS_OF = _BILANS.where(Bilan.consultant_id == bindparam("consultant"))
# The beneficiaries' sealed names as columns, opened by the Sealed field (no ORM objects).
_NAMES = select(Beneficiary.id, Beneficiary.name_ct).where(Beneficiary.id.in_(bindparam("ids", expanding=True)))
_NAME = getattr_static(Beneficiary, "name")


def _read(db, scope) -> dict:
    """{"open": [OpenBilan], "follow_up": [(OpenBilan, due on)]}: two statements whatever the number of
    bilans (the bilans' columns, then the beneficiaries' sealed names, both in Core)."""
    def load():
        params = {"ahead": scope.today + FOLLOW_UP_AHEAD, "stale": scope.today - FOLLOW_UP_STALE}
        if scope.consultant_id is not None:
            params["consultant"] = scope.consultant_id
        rows = read_rows(db, _BILANS if scope.consultant_id is None else _BILANS_OF, params)
        if not rows:
            return {"open": [], "follow_up": []}
        keyring = db.info["keyring"]
        names = {person_id: _NAME.open_read(keyring, Beneficiary, ct, person_id)
                 for person_id, ct in read_rows(db, _NAMES, {"ids": list({row.beneficiary_id for row in rows})})}
        found = {"open": [], "follow_up": []}
        for *facts, due in rows:
            bilan = OpenBilan(BilanFacts(*facts), names.get(facts[1]) or "bénéficiaire")
            if bilan.bilan.status in OPEN_STATUSES:
                found["open"].append(bilan)
            else:
                found["follow_up"].append((bilan, due))
        return found
    return scope.shared("bilans", load)


def open_bilans(db, scope) -> list[OpenBilan]:
    """The open bilans of the scope's consultant (every consultant's: None), most recent activity first."""
    return _read(db, scope)["open"]


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
    waits = [(row, working_time.pending(row.bilan, scope.today)) for row in open_bilans(db, scope)]
    employer = [Item(row.name, wait.what, scope.url("bilan.show", bilan_id=row.bilan.id) + "#working-time",
                     when=wait.when, late_days=wait.late_days, consultant_id=row.bilan.consultant_id)
                for row, wait in waits if wait is not None]
    if employer:
        panels.append(Panel(section="waiting", order=WAITING_ORDER["consents"] + 5, title="Accords d'employeur",
                            items=employer, context={"id": "waiting-employer-agreements"}))
    follow_ups = follow_up_items(db, scope)
    if follow_ups:
        panels.append(Panel(section="waiting", order=WAITING_ORDER["follow_up"], title="Entretiens de suivi",
                            items=follow_ups, context={"id": "waiting-follow-ups"}))
    return panels


def follow_up_items(db, scope) -> list[Item]:
    """Closed bilans whose follow-up interview (tenants/bilans/closing.py sets its date) is due soon or late."""
    today = scope.today
    rows = sorted(_read(db, scope)["follow_up"], key=lambda pair: pair[1])
    return [Item(row.name, "entretien de suivi à proposer", scope.url("bilan.show", bilan_id=row.bilan.id),
                 when=due, late_days=max(0, (today - due).days), consultant_id=row.bilan.consultant_id)
            for row, due in rows]
