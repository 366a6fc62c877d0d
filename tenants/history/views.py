"""The full history of a bilan (dated events, no content)."""
from __future__ import annotations

from flask import g
from sqlmodel import select

from saas.htmx import render
from saas.tenancy import tenant_db
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import bilan_blueprint
from tenants.history.models import HistoryEvent

bp = bilan_blueprint("history", __name__, url_prefix="/history")


@bp.get("/")
def show():
    """Every event of the bilan, oldest first."""
    db = tenant_db()
    bilan = g.bilan
    events = db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan.id).order_by(HistoryEvent.at)).all()
    return render("history/show.html", bilan=bilan, person=db.get(Beneficiary, bilan.beneficiary_id), events=events)
