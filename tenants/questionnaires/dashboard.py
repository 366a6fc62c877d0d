"""Dashboard panel: questionnaires waiting for an answer, overdue first, with how late."""
from __future__ import annotations

from datetime import date

from tenants.bilans.dashboard import by_id
from tenants.dashboard.panels import WAITING_ORDER, Item, Panel
from tenants.questionnaires import queries


def dashboard_panel(db, centre, scope):
    """Unanswered questionnaires of the member's open bilans: which one, its due date, days overdue."""
    bilans = by_id(db, scope)
    if not bilans:
        return None
    today = scope.today
    items = []
    for row in queries.open_facts(db, scope.consultant_id):
        bilan = bilans.get(row.assignment.bilan_id)
        if bilan is None:
            continue
        late = (today - row.assignment.due_on).days if row.overdue(today) else 0
        items.append(Item(bilan.name, row.questionnaire.title,
                          scope.url("questionnaires.show_assignment", assignment_id=row.assignment.id),
                          when=row.assignment.due_on, detail=row.status.lower(), late_days=late,
                          consultant_id=bilan.bilan.consultant_id))
    if not items:
        return None
    items.sort(key=lambda item: (-item.late_days, item.when or date.max))
    return Panel(section="waiting", order=WAITING_ORDER["questionnaires"], title="Questionnaires", items=items,
                 context={"id": "waiting-questionnaires"})
