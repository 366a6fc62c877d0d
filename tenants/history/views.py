"""The full history of a bilan (dated events, no content)."""
from __future__ import annotations

from sqlmodel import select

from saas.htmx import render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.queries import bilan_or_404
from tenants.history.models import HistoryEvent

bp = staff_blueprint("history", __name__, url_prefix="/bilans/<bilan_id>/history")


@bp.get("/")
def show(bilan_id: str):
    """Every event of the bilan, oldest first."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    events = db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id).order_by(HistoryEvent.at)).all()
    return render("history/show.html", bilan=bilan, person=db.get(Beneficiary, bilan.beneficiary_id), events=events)
