"""The audit board: for each applicable indicator, what every feature holds as evidence and what is missing.

It only gathers the features' `audit_evidence` hooks (saas/features.py, tenants/registry.py): the
feature that owns the data says what it proves. An applicable indicator no feature speaks for is
shown as missing, with who brings the proof (docs/RULES.md, "Audit board and pack").
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from sqlmodel import Session

from saas.audit import AuditPeriod, IndicatorEvidence
from saas.features import features
from tenants.admin.qualiopi import qualiopi_warning
from tenants.audit.indicators import APPLICABLE, KEPT_OUTSIDE, NOT_APPLICABLE

log = logging.getLogger(__name__)

AUDIT_CYCLE_MONTHS = 18  # a surveillance or renewal audit looks back over the cycle (RNQ, décret 2019-565)


@dataclass
class IndicatorRow:
    number: int
    label: str
    held: list[IndicatorEvidence] = field(default_factory=list)
    missing: list[IndicatorEvidence] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return bool(self.held) and not self.missing


def default_period(today: date) -> AuditPeriod:
    """The last 18 months, today included."""
    return AuditPeriod(today - relativedelta(months=AUDIT_CYCLE_MONTHS) + relativedelta(days=1), today)


def gather(db: Session, centre, period: AuditPeriod) -> list[IndicatorEvidence]:
    """Every feature's evidence for the period, in registry order."""
    found: list[IndicatorEvidence] = []
    for hook in features().audit_evidence:
        found.extend(hook(db, centre, period) or [])
    return found


def board(db: Session, centre, period: AuditPeriod) -> list[IndicatorRow]:
    """One row per applicable indicator, in order: evidence held, evidence missing."""
    rows = {number: IndicatorRow(number, label) for number, label in APPLICABLE.items()}
    for item in gather(db, centre, period):
        row = rows.get(item.indicator)
        if row is None:  # a feature speaking of an indicator that does not apply to bilans
            continue
        (row.missing if item.missing else row.held).append(item)
    for number, row in rows.items():
        if not row.held and not row.missing:
            kept = KEPT_OUTSIDE.get(number)
            row.missing.append(IndicatorEvidence(
                number, "Preuve tenue hors de l'application",
                missing=f"à joindre au dossier d'audit : {kept}" if kept else "aucune preuve tenue par l'application",
                fixed_by="un administrateur"))
    return [rows[n] for n in sorted(rows)]


def certificate_warning(centre, today: date) -> str | None:
    """"Le certificat Qualiopi expire dans 45 jours…" (tenants/admin/qualiopi.py, the one rule), or that no
    expiry date is recorded."""
    if centre.qualiopi_expires_on is None:
        return "Date d'expiration du certificat Qualiopi non renseignée (Administration)."
    return qualiopi_warning(centre, today)


def not_applicable() -> list[tuple[int, str]]:
    return sorted(NOT_APPLICABLE.items())
