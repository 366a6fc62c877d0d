"""What the centre must do in EDOF, by when: the dashboard's "EDOF" panel and the digest's lines.

Both read `tenants.edof.dossier.next_due` (the business-day clock of tenants/edof/clock.py): the
dashboard files the items (today, this week, late), the morning digest says what is due today and
what is late, per consultant (tenants/dashboard/digest.py).
"""
from __future__ import annotations

from datetime import date

from sqlmodel import select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel
from tenants.edof import dossier as rules
from tenants.edof.models import FINAL_STATES, EdofDossier


def running(db, today: date, consultant_id: int | None = None) -> list[tuple]:
    """(dossier, bilan, person, due) of every dossier whose EDOF clock the centre acts on, soonest first."""
    query = (select(EdofDossier, Bilan, Beneficiary).join(Bilan, Bilan.id == EdofDossier.bilan_id)
             .join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
             .where(EdofDossier.state.not_in(FINAL_STATES)))
    if consultant_id is not None:
        query = query.where(Bilan.consultant_id == consultant_id)
    rows = []
    for dossier, bilan, person in db.exec(query).all():
        due = rules.next_due(db, dossier, bilan, today)
        if due is not None and due.centre_acts:
            rows.append((dossier, bilan, person, due))
    rows.sort(key=lambda row: row[3].deadline.due)
    return rows


def late_text(late_days: int) -> str:
    plural = "s" if late_days > 1 else ""
    return f"en retard de {late_days} jour{plural} ouvré{plural}"


def dashboard_panel(db, centre, scope):
    """EDOF deadlines of the member's CPF dossiers."""
    items = []
    for dossier, bilan, person, due in running(db, scope.today, scope.consultant_id):
        late = due.deadline.late_days
        detail = (late_text(late) if late else "aujourd'hui" if due.deadline.due == scope.today
                  else f"dossier n° {dossier.number}")
        items.append(Item(person.name or "bénéficiaire", due.what, scope.url("bilan_edof.show", bilan_id=bilan.id),
                          when=due.deadline.due, detail=detail, late_days=late,
                          consultant_id=bilan.consultant_id, action="Ouvrir le dossier EDOF"))
    if not items:
        return None
    return Panel(section="waiting", order=WAITING_ORDER["edof"], title="EDOF", items=items,
                 context={"id": "waiting-edof"})


def digest_lines(db, today: date) -> list[tuple[int, str, str]]:
    """(consultant id, "today" or "late", line) for the morning digest: names only, never content."""
    lines = []
    for dossier, bilan, person, due in running(db, today):
        name = person.name or "bénéficiaire"
        if due.deadline.late:
            lines.append((bilan.consultant_id, "late",
                          f"EDOF {dossier.number} ({name}) : {due.what}, {late_text(due.deadline.late_days)}"))
        elif due.deadline.due == today:
            lines.append((bilan.consultant_id, "today", f"EDOF {dossier.number} ({name}) : {due.what}, aujourd'hui"))
    return lines
