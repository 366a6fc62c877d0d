"""Dashboard panel of the agreements: those waiting for the employee's signature, read by the clock."""
from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import select

from saas.db import read_rows
from tenants.agreements import clock
from tenants.agreements.models import AWAITING, Agreement
from tenants.bilans.dashboard import by_id
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel

# Built once, bound per request (docs/BENCHMARKS.md "Fourth round"); the columns the clock reads of an
# agreement still awaiting its signature, as a Core row (no ORM object: "Fifth round").
_AWAITING = (select(Agreement.id, Agreement.bilan_id, Agreement.status, Agreement.transmitted_on,
                    Agreement.signed_at, Agreement.refused_at)
             .where(Agreement.bilan_id.in_(bindparam("bilans", expanding=True)), Agreement.status.in_(AWAITING)))


def dashboard_panel(db, centre, scope):
    """Agreements of the member's open bilans not signed yet: day n of 10, deadline, or expired (R6313-8)."""
    bilans = by_id(db, scope)
    if not bilans:
        return None
    items = []
    for agreement in read_rows(db, _AWAITING, {"bilans": list(bilans)}):
        row = bilans[agreement.bilan_id]
        state = clock.clock_state(agreement, scope.today)
        late = (scope.today - state.deadline).days if state.stage == "expired" else 0
        items.append(Item(row.name, "convention non signée", scope.url("agreements.show", bilan_id=agreement.bilan_id,
                                                                     agreement_id=agreement.id),
                          when=state.deadline, detail=state.short, late_days=late,
                          consultant_id=row.bilan.consultant_id, action="Ouvrir la convention"))
    if not items:
        return None
    items.sort(key=lambda item: (item.when is None, item.when))
    return Panel(section="waiting", order=WAITING_ORDER["agreements"], title="Conventions", items=items,
                 context={"id": "waiting-agreements"})
