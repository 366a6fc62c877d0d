"""What the improvement log proves for Qualiopi indicator 32 (saas/audit.py hooks)."""
from __future__ import annotations

from flask import url_for

from saas.audit import AuditFile, AuditPeriod, IndicatorEvidence
from saas.i18n import paris_today, plural
from tenants.complaints.handling import assignable
from tenants.complaints.register import period_text
from tenants.improvement import export, log


def _rows(db, period):
    return export.in_period(log.actions(db), period)


def audit_evidence(db, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    rows, today = _rows(db, period), paris_today()
    url = url_for("improvement.index", slug=centre.slug)
    if not rows:
        return [IndicatorEvidence(32, "Journal d'amélioration", url,
                                  missing="aucune action d'amélioration sur la période",
                                  fixed_by="un membre de l'équipe")]
    done = [r for r in rows if r.status == "done"]
    found = [IndicatorEvidence(32, f"Journal d'amélioration : {plural(len(rows), 'action')}, "
                                   f"{plural(len(done), 'réalisée', 'réalisées')} avec leur effet", url)]
    late = [r for r in rows if log.is_late(r, today)]
    if late:
        found.append(IndicatorEvidence(32, "Actions en retard", url_for("improvement.index", slug=centre.slug),
                                       missing=f"{plural(len(late), 'action')} après son échéance",
                                       fixed_by="leur responsable"))
    return found


def audit_files(db, centre, period: AuditPeriod) -> list[AuditFile]:
    rows, members = _rows(db, period), assignable(db, centre.id)
    return [AuditFile("indicateur-32/journal-amelioration.csv", export.log_csv(rows, members)),
            AuditFile("indicateur-32/journal-amelioration.pdf",
                      export.log_pdf(rows, members, centre, period_text(period), paris_today()))]
