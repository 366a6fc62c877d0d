"""What a feature hands the Qualiopi audit board and the audit pack (hooks in saas/features.py).

A feature that holds evidence for an indicator answers `audit_evidence(db, centre, period)` with
IndicatorEvidence items (what it holds, or what is missing and who can fix it), and
`audit_files(db, centre, period)` with the files it puts in the pack. The board and the pack
(tenants/audit/) only gather them: the feature that owns the data decides what proves what.
Proofs only: no result of a bilan ever goes into an AuditFile (docs/SECURITY.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional


@dataclass(frozen=True)
class AuditPeriod:
    """The period an auditor looks at, both days included."""
    start: date
    end: date


@dataclass(frozen=True)
class IndicatorEvidence:
    """One line of the audit board for a Qualiopi indicator (1 to 32)."""
    indicator: int
    label: str                       # what is held, in French ("12 versions de la page publique")
    url: Optional[str] = None        # where to see it
    missing: Optional[str] = None    # what is missing, in French; None when the evidence is there
    fixed_by: Optional[str] = None   # who can fix it ("un administrateur", "le consultant")


@dataclass(frozen=True)
class AuditFile:
    """One file of the audit pack, under a folder named by the feature."""
    path: str                        # inside the ZIP, e.g. "indicateur-01/page-publique-2026-11-02.pdf"
    content: bytes
