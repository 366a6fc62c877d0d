"""The improvement log as CSV and PDF (the staff page's export, the audit pack's indicator 32)."""
from __future__ import annotations

import csv
import io
from datetime import date

from saas.audit import AuditPeriod
from saas.i18n import to_paris
from saas.models import as_utc
from tenants.improvement.models import SOURCES, STATUSES, ImprovementAction


def in_period(rows: list[ImprovementAction], period: AuditPeriod | None) -> list[ImprovementAction]:
    """Actions opened in the period or still open during it."""
    if period is None:
        return rows
    found = []
    for r in rows:
        opened = to_paris(as_utc(r.created_at)).date()
        done = to_paris(as_utc(r.done_at)).date() if r.done_at else None
        if opened <= period.end and (done is None or done >= period.start):
            found.append(r)
    return found


def _cell(day) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def log_csv(rows: list[ImprovementAction], members: dict[int, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Ouverte le", "Origine", "Détail de l'origine", "Action", "Responsable", "Échéance", "Statut",
                     "Réalisée le", "Effet constaté"])
    for r in rows:
        writer.writerow([_cell(to_paris(as_utc(r.created_at)).date()), SOURCES.get(r.source, r.source),
                         r.origin or "", r.action, members.get(r.owner_id, ""), _cell(r.due_on),
                         STATUSES.get(r.status, r.status),
                         _cell(to_paris(as_utc(r.done_at)).date() if r.done_at else None), r.effect or ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def log_pdf(rows: list[ImprovementAction], members: dict[int, str], centre, period_text: str, today: date) -> bytes:
    from tenants.bilans.documents import render_pdf

    return render_pdf("improvement/log_pdf.html", centre=centre, large=False, today=today, rows=rows,
                      members=members, sources=SOURCES, statuses=STATUSES, period_text=period_text)
