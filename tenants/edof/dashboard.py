"""What the centre must do in EDOF, by when: the dashboard's "EDOF" panel and the digest's lines.

Both read `tenants.edof.dossier.next_due` (the business-day clock of tenants/edof/clock.py): the
dashboard files the items (today, this week, late), the morning digest says what is due today and
what is late, per consultant (tenants/dashboard/digest.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam
from sqlmodel import select

from saas.crypto.fields import getattr_static
from saas.db import read_rows
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel
from tenants.edof import dossier as rules
from tenants.edof.models import FINAL_STATES, EdofDossier

_NAME = getattr_static(Beneficiary, "name")


@dataclass(frozen=True, slots=True)
class DossierFacts:
    """The columns of a dossier `rules.next_due` and the dashboard read."""
    id: str
    bilan_id: str
    number: str
    state: str
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class BilanFacts:
    id: str
    consultant_id: int
    started_on: date | None
    ended_at: datetime | None


@cache
def _running(of_consultant: bool):
    """The running dossiers' columns, built once per shape (docs/BENCHMARKS.md "Fifth round")."""
    query = (select(EdofDossier.id, EdofDossier.bilan_id, EdofDossier.number, EdofDossier.state,
                    EdofDossier.ended_on, Bilan.consultant_id, Bilan.started_on, Bilan.ended_at,
                    Beneficiary.id, Beneficiary.name_ct)
             .join(Bilan, Bilan.id == EdofDossier.bilan_id).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
             .where(EdofDossier.state.not_in(FINAL_STATES)))
    return query.where(Bilan.consultant_id == bindparam("consultant")) if of_consultant else query


def running(db, today: date, consultant_id: int | None = None) -> list[tuple]:
    """(dossier, bilan, beneficiary's name, due) of every dossier whose EDOF clock the centre acts on,
    soonest first: two statements whatever the number of dossiers (the dossiers, then their events)."""
    params = {} if consultant_id is None else {"consultant": consultant_id}
    found = read_rows(db, _running(consultant_id is not None), params)
    if not found:
        return []
    keyring = db.info["keyring"]
    events = rules.events_of_many(db, [row[0] for row in found])
    rows = []
    for dossier_id, bilan_id, number, state, ended_on, consultant, started_on, ended_at, person_id, name_ct in found:
        dossier = DossierFacts(dossier_id, bilan_id, number, state, ended_on)
        bilan = BilanFacts(bilan_id, consultant, started_on, ended_at)
        due = rules.next_due(db, dossier, bilan, today, events=events[dossier_id])
        if due is not None and due.centre_acts:
            name = _NAME.open_read(keyring, Beneficiary, name_ct, person_id) or "bénéficiaire"
            rows.append((dossier, bilan, name, due))
    rows.sort(key=lambda row: row[3].deadline.due)
    return rows


def late_text(late_days: int) -> str:
    plural = "s" if late_days > 1 else ""
    return f"en retard de {late_days} jour{plural} ouvré{plural}"


def dashboard_panel(db, centre, scope):
    """EDOF deadlines of the member's CPF dossiers."""
    items = []
    for dossier, bilan, name, due in running(db, scope.today, scope.consultant_id):
        late = due.deadline.late_days
        detail = (late_text(late) if late else "aujourd'hui" if due.deadline.due == scope.today
                  else f"dossier n° {dossier.number}")
        items.append(Item(name, due.what, scope.url("bilan_edof.show", bilan_id=bilan.id),
                          when=due.deadline.due, detail=detail, late_days=late,
                          consultant_id=bilan.consultant_id, action="Ouvrir le dossier EDOF"))
    if not items:
        return None
    return Panel(section="waiting", order=WAITING_ORDER["edof"], title="EDOF", items=items,
                 context={"id": "waiting-edof"})


def digest_lines(db, today: date) -> list[tuple[int, str, str]]:
    """(consultant id, "today" or "late", line) for the morning digest: names only, never content."""
    lines = []
    for dossier, bilan, name, due in running(db, today):
        if due.deadline.late:
            lines.append((bilan.consultant_id, "late",
                          f"EDOF {dossier.number} ({name}) : {due.what}, {late_text(due.deadline.late_days)}"))
        elif due.deadline.due == today:
            lines.append((bilan.consultant_id, "today", f"EDOF {dossier.number} ({name}) : {due.what}, aujourd'hui"))
    return lines
