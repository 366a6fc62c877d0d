"""The complaints register (Qualiopi indicator 31), as the centre exports it and the audit pack holds it.

No personal content (RGPD minimisation): dates, channel, category, status and delays only; never
the complainant's name, address, subject or text, nor the answer.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlmodel import Session, select

from saas.audit import AuditPeriod
from saas.i18n import date_fr, to_paris
from saas.models import as_utc
from tenants.complaints.handling import reference
from tenants.complaints.models import CATEGORIES, CHANNELS, STATUSES, Complaint


@dataclass
class RegisterRow:
    reference: str
    filed_on: date
    channel: str
    category: str
    status: str
    acknowledged_on: Optional[date]
    answered_on: Optional[date]
    answer_days: Optional[int]       # days from filing to the answer
    closed_on: Optional[date]


def _day(moment: datetime | None) -> date | None:
    return to_paris(as_utc(moment)).date() if moment is not None else None


def in_period(db: Session, period: AuditPeriod | None = None) -> list[Complaint]:
    """Complaints filed in the period (Paris days, both included), oldest first; every one without a period."""
    rows = db.exec(select(Complaint).order_by(Complaint.filed_at, Complaint.id)).all()
    if period is None:
        return list(rows)
    return [c for c in rows if period.start <= _day(c.filed_at) <= period.end]


def register_rows(db: Session, period: AuditPeriod | None = None) -> list[RegisterRow]:
    found = []
    for c in in_period(db, period):
        filed, answered = _day(c.filed_at), _day(c.answered_at)
        found.append(RegisterRow(reference(c), filed, CHANNELS.get(c.channel, c.channel),
                                 CATEGORIES.get(c.category, c.category), STATUSES.get(c.status, c.status),
                                 _day(c.acknowledged_at), answered,
                                 (answered - filed).days if answered else None, _day(c.closed_at)))
    return found


HEADER = ["Référence", "Reçue le", "Canal", "Catégorie", "Statut", "Accusé de réception le", "Répondue le",
          "Délai de réponse (jours)", "Close le"]


def register_csv(db: Session, period: AuditPeriod | None = None) -> bytes:
    """The register as CSV for a French spreadsheet (semicolons, UTF-8 with BOM, dates as 01/12/2026)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    for r in register_rows(db, period):
        writer.writerow([r.reference, _cell(r.filed_on), r.channel, r.category, r.status, _cell(r.acknowledged_on),
                         _cell(r.answered_on), "" if r.answer_days is None else r.answer_days, _cell(r.closed_on)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def register_pdf(db: Session, centre, period: AuditPeriod | None, today: date) -> bytes:
    from tenants.bilans.documents import render_pdf

    rows = register_rows(db, period)
    answered = [r.answer_days for r in rows if r.answer_days is not None]
    return render_pdf("complaints/register_pdf.html", centre=centre, large=False, today=today, rows=rows,
                      period=period, period_text=period_text(period),
                      average_days=round(sum(answered) / len(answered), 1) if answered else None)


def period_text(period: AuditPeriod | None) -> str:
    if period is None:
        return "toutes les réclamations"
    return f"du {date_fr(period.start)} au {date_fr(period.end)}"
