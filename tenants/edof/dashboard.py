"""Dashboard panel of the EDOF dossiers: what the centre must do in EDOF today, this week, and what is late."""
from __future__ import annotations

from sqlmodel import select

from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel
from tenants.edof import dossier as rules
from tenants.edof.models import FINAL_STATES, EdofDossier


def due_items(db, scope) -> list[Item]:
    """One item per dossier whose EDOF clock the centre must act on (rules.next_due), in the scope."""
    query = (select(EdofDossier, Bilan, Beneficiary).join(Bilan, Bilan.id == EdofDossier.bilan_id)
             .join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
             .where(EdofDossier.state.not_in(FINAL_STATES)))
    if scope.consultant_id is not None:
        query = query.where(Bilan.consultant_id == scope.consultant_id)
    items = []
    for dossier, bilan, person in db.exec(query).all():
        due = rules.next_due(db, dossier, bilan, scope.today)
        if due is None or not due.centre_acts:
            continue
        late = due.deadline.late_days
        detail = (f"en retard de {late} jour{'s' if late > 1 else ''} ouvré{'s' if late > 1 else ''}" if late
                  else "aujourd'hui" if due.deadline.due == scope.today else f"dossier n° {dossier.number}")
        items.append(Item(person.name or "bénéficiaire", due.what, scope.url("bilan_edof.show", bilan_id=bilan.id),
                          when=due.deadline.due, detail=detail, late_days=late,
                          consultant_id=bilan.consultant_id, action="Ouvrir le dossier EDOF"))
    items.sort(key=lambda item: item.when)
    return items


def dashboard_panel(db, centre, scope):
    """EDOF deadlines (tenants/edof/clock.py) of the member's CPF dossiers."""
    items = due_items(db, scope)
    if not items:
        return None
    return Panel(section="waiting", order=WAITING_ORDER["edof"], title="EDOF", items=items,
                 context={"id": "waiting-edof"})
