"""What complaints prove for Qualiopi indicator 31 (saas/audit.py hooks): the register, its delays, and
the settings that make the handling work."""
from __future__ import annotations

from flask import url_for

from saas.audit import AuditFile, AuditPeriod, IndicatorEvidence
from saas.i18n import paris_today, plural
from tenants.complaints import register
from tenants.complaints.models import OPEN_STATUSES


def audit_evidence(db, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    rows = register.register_rows(db, period)
    complaints = register.in_period(db, period)
    found = [IndicatorEvidence(31, "Formulaire de réclamation public et dans l'espace bénéficiaire, "
                                   "accusé de réception automatique", url_for("complaints.new", slug=centre.slug))]
    if rows:
        answered = [r for r in rows if r.answer_days is not None]
        found.append(IndicatorEvidence(
            31, f"Registre : {plural(len(rows), 'réclamation')} sur la période, "
                f"{plural(len(answered), 'réponse')} envoyée{'s' if len(answered) > 1 else ''}",
            url_for("staff_complaints.index", slug=centre.slug)))
        waiting = [c for c in complaints if c.status in OPEN_STATUSES]
        if waiting:
            found.append(IndicatorEvidence(31, "Réclamations en attente de réponse",
                                           url_for("staff_complaints.index", slug=centre.slug, statut="received"),
                                           missing=f"{plural(len(waiting), 'réclamation')} sans réponse",
                                           fixed_by="le membre à qui elle est attribuée"))
    else:
        found.append(IndicatorEvidence(31, "Registre des réclamations tenu par l'application (aucune sur la période)",
                                       url_for("staff_complaints.index", slug=centre.slug)))
    return found


def audit_files(db, centre, period: AuditPeriod) -> list[AuditFile]:
    return [AuditFile("indicateur-31/registre-reclamations.csv", register.register_csv(db, period)),
            AuditFile("indicateur-31/registre-reclamations.pdf",
                      register.register_pdf(db, centre, period, paris_today()))]
