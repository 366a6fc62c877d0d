"""One bilan's Qualiopi evidence: the page and the ZIP dossier (on the bilan blueprint)."""
from __future__ import annotations

from flask import g, make_response

from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import tenant_db
from tenants.access_log.log import logs_access
from tenants.bilans.access import bilan_blueprint
from tenants.evidence import dossier
from tenants.history import actors
from tenants.history.models import record

bp = bilan_blueprint("bilan_evidence", __name__, url_prefix="/evidence")


@bp.get("/")
def show():
    """What an auditor or a Caisse des Dépôts control asks for, without any result."""
    return render("evidence/show.html", **dossier.evidence(tenant_db(), g.bilan))


@bp.get("/dossier.zip")
@logs_access("evidence_dossier")
def download():
    """The evidence dossier: ZIP of PDFs with an index, built in memory."""
    db = tenant_db()
    data = dossier.dossier_zip(db, g.bilan, g.centre, paris_today())
    record(db, g.bilan.id, "evidence_export", "Dossier de preuves téléchargé", actors.current_staff())
    db.commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = 'attachment; filename="dossier-preuves.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
