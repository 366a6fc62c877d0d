"""Qualiopi evidence: centre figures, one bilan's evidence page and ZIP dossier."""
from __future__ import annotations

from datetime import date

from flask import g, make_response
from flask_login import current_user

from saas.htmx import render
from saas.tenancy import staff_blueprint, tenant_db
from tenants.bilans.queries import bilan_or_404, sees_all
from tenants.evidence import dossier, figures
from tenants.history.models import record

bp = staff_blueprint("evidence", __name__, url_prefix="/evidence")


@bp.get("/")
def centre():
    """Indicator 30 satisfaction, bilans by phase and funding, average hours."""
    db = tenant_db()
    return render("evidence/centre.html", figures=figures.centre_figures(db, None if sees_all() else current_user.id),
                  whole_centre=sees_all())


@bp.get("/bilans/<bilan_id>")
def show(bilan_id: str):
    """What an auditor or a Caisse des Dépôts control asks for, without any result."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    return render("evidence/show.html", **dossier.evidence(db, bilan))


@bp.get("/bilans/<bilan_id>/dossier.zip")
def download(bilan_id: str):
    """The evidence dossier: ZIP of PDFs with an index, built in memory."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    data = dossier.dossier_zip(db, bilan, g.centre, date.today())
    record(db, bilan.id, "evidence_export", "Dossier de preuves téléchargé", current_user.name)
    db.commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = 'attachment; filename="dossier-preuves.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
