"""What the results prove for Qualiopi indicators 2 (published results) and 30 (satisfaction).

Hooks of saas/audit.py. The figures are those of tenants/results/figures.py; the published versions are
the frozen ones (tenants/results/publishing.py). Proofs only: counts, rates and averages, no answer text.
"""
from __future__ import annotations

from saas.audit import AuditFile, AuditPeriod, IndicatorEvidence
from saas.i18n import date_fr, plural
from tenants.bilans.documents import render_pdf
from tenants.public_page.audit import ADMIN, link
from tenants.results import figures, publishing

CONSULTANTS = "les consultants (clôture des bilans, entretien de suivi)"


def _survey(found: dict, when: str, missing: str, url) -> IndicatorEvidence:
    label = (f"Satisfaction {when} : {plural(found['answers'], 'réponse')} sur "
             f"{plural(found['sent'], 'questionnaire envoyé', 'questionnaires envoyés')}")
    if found["response_rate"] is not None:
        label += f" ({found['response_rate']}\u00a0%)"
    if found["answers"]:
        return IndicatorEvidence(30, label, url=url)
    return IndicatorEvidence(30, label, url=url, missing=missing, fixed_by=CONSULTANTS)


def audit_evidence(db, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    """Indicator 2: results published during the period; 30: satisfaction at the end and at 6 months."""
    url = link("results.index", centre, start=period.start.isoformat(), end=period.end.isoformat())
    published = publishing.published_during(db, period)
    if published:
        last = published[-1]
        results = IndicatorEvidence(2, f"{plural(len(published), 'publication')} des résultats sur la période, "
                                       f"la dernière le {date_fr(last.published_at)}", url=url)
    else:
        results = IndicatorEvidence(2, "Résultats publiés", url=url,
                                    missing="aucun résultat publié sur la période", fixed_by=ADMIN)
    computed = figures.compute(db, period)
    return [results,
            _survey(computed["satisfaction_end"], "à la fin", "aucune réponse de satisfaction à la fin sur la période",
                    url),
            _survey(computed["satisfaction_6m"], "à 6 mois",
                    "aucune réponse de satisfaction à 6 mois sur la période", url)]


def audit_files(db, centre, period: AuditPeriod) -> list[AuditFile]:
    """The results published during the period, each as frozen, and the period's figures computed now."""
    files = [AuditFile(f"indicateur-02/resultats-publies-{p.published_at:%Y-%m-%d}-{p.id[:6]}.pdf",
                       render_pdf("pdf/published_results.html", centre=centre, published=p))
             for p in publishing.published_during(db, period)]
    files.append(AuditFile(f"indicateur-30/satisfaction-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}.pdf",
                           render_pdf("pdf/results_period.html", centre=centre, period=period,
                                      figures=figures.compute(db, period))))
    return files
