"""One bilan's destruction certificate (on the bilan blueprint)."""
from __future__ import annotations

from flask import g

from saas.downloads import pdf_response
from saas.errors import NotFound
from saas.tenancy import tenant_db
from tenants.bilans.access import bilan_blueprint

bp = bilan_blueprint("bilan_retention", __name__, url_prefix="/retention")


@bp.get("/certificate.pdf")
def certificate():
    """The destruction certificate of a bilan (PDF): classes, counts, dates, rules; no content."""
    from tenants.retention.certificate import certificate_pdf

    pdf = certificate_pdf(tenant_db(), g.centre, g.bilan.id)
    if pdf is None:
        raise NotFound("Aucune destruction n'a encore eu lieu pour ce bilan.")
    return pdf_response(pdf, f"certificat-destruction-{g.bilan.id[:8]}.pdf", download=True)
