"""What the public page proves for Qualiopi indicator 1 (hooks of saas/audit.py).

The evidence is the page's versions in force during the period (tenants/public_page/versions.py), each
as a PDF in the audit pack; what is missing is said in French, with who can fix it.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from saas.audit import AuditFile, AuditPeriod, IndicatorEvidence
from saas.i18n import date_fr, plural
from tenants.bilans.documents import render_pdf
from tenants.public_page import versions

ADMIN = "un administrateur"


def link(endpoint: str, centre, **values) -> str | None:
    """A page of the centre, from a request (the board) or without one (a job building the pack)."""
    if has_request_context():
        return url_for(endpoint, slug=centre.slug, **values)
    with current_app.test_request_context():
        return url_for(endpoint, slug=centre.slug, **values)


def audit_evidence(db, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    """Indicator 1: the versions of the public page in force during the period, and what it lacks."""
    shown = versions.in_force_during(db, period)
    found = []
    if shown:
        found.append(IndicatorEvidence(1, f"{plural(len(shown), 'version')} de la page publique en vigueur sur la "
                                          f"période, la première du {date_fr(shown[0].created_at)}",
                                       url=link("public_page_admin.history", centre)))
    else:
        found.append(IndicatorEvidence(1, "Page publique de l'offre", url=link("public_page.show", centre),
                                       missing="aucune version de la page publique sur la période",
                                       fixed_by=ADMIN))
    if not centre.disability_contact_name:
        found.append(IndicatorEvidence(1, "Référent handicap sur la page publique", url=link("admin.index", centre),
                                       missing="référent handicap non renseigné", fixed_by=ADMIN))
    if not (centre.contact_email or centre.contact_phone):
        found.append(IndicatorEvidence(1, "Contact sur la page publique", url=link("admin.index", centre),
                                       missing="ni e-mail ni téléphone de contact", fixed_by=ADMIN))
    return found


def audit_files(db, centre, period: AuditPeriod) -> list[AuditFile]:
    """Each version of the public page in force during the period, as a PDF."""
    public_url = link("public_page.show", centre)
    files = []
    for version in versions.in_force_during(db, period):
        following = versions.next_of(db, version)
        pdf = render_pdf("pdf/public_page_version.html", centre=centre, version=version, public_url=public_url,
                         until=following.created_at if following else None)
        files.append(AuditFile(f"indicateur-01/page-publique-v{version.number}-"
                               f"{version.created_at:%Y-%m-%d}.pdf", pdf))
    return files
