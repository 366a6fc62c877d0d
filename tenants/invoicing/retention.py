"""How long invoices, credit notes and payments are kept, and when they are destroyed.

They are accounting proofs (pièces justificatives): Code de commerce L123-22 keeps them ten years,
longer than the four years a bilan's proofs of realisation are kept for the Caisse des Dépôts (its
CGU art. 7-3, the Qualiopi minimum), so ten applies, and the centre's setting
(`InvoiceSettings.retention_years`) can lengthen it, never shorten it (docs/RULES.md, "Invoices and
payments (issue 14)"). The ten years run from the close of the accounting year of the bilan's last
invoicing document (invoice, credit note or payment): a centre's year is taken as the calendar year,
so a bilan's documents are kept until 31 December of that year + the setting's years, and destroyed by
the first nightly destruction after it (tenants/retention/invoices.py, jobs/destruction.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from saas.errors import RuleViolation
from tenants.invoicing.models import ACCOUNTING_YEARS, Invoice, InvoiceSettings, Payment

MIN_YEARS = ACCOUNTING_YEARS  # Code de commerce L123-22: what docs/RULES.md says applies
MAX_YEARS = 30


def check_years(years: int | None) -> int:
    """The centre's setting: at least the ten years of accounting law, at most thirty."""
    if years is None or not MIN_YEARS <= years <= MAX_YEARS:
        raise RuleViolation(f"Au moins {MIN_YEARS} ans (article L123-22 du Code de commerce), au plus "
                            f"{MAX_YEARS} ans.")
    return years


def years_of(settings: InvoiceSettings) -> int:
    """The years that apply: the setting, never below the legal minimum (a stored value below it, from
    before this rule or typed in the database, keeps the documents the legal ten years all the same)."""
    return max(int(settings.retention_years or 0), MIN_YEARS)


def kept_until(last_day: date, years: int) -> date:
    """The last day a bilan's invoicing documents are kept: 31 December of the accounting (calendar) year
    of its last document, plus `years` (never fewer than MIN_YEARS)."""
    return date(last_day.year + max(years, MIN_YEARS), 12, 31)


def is_due(last_day: date, years: int, today: date) -> bool:
    """Are they due for destruction on `today` (Paris)? From the day after `kept_until`."""
    return today > kept_until(last_day, years)


def last_days(db: Session) -> dict[str, date]:
    """The last invoicing document's day of each bilan with invoices: the latest issue (invoices and credit
    notes) or payment. Two grouped queries, whatever the number of invoices."""
    days: dict[str, date] = dict(db.exec(select(Invoice.bilan_id, func.max(Invoice.issued_on))
                                         .group_by(Invoice.bilan_id)).all())
    for bilan_id, paid in db.exec(select(Invoice.bilan_id, func.max(Payment.paid_on))
                                  .join(Payment, Payment.invoice_id == Invoice.id).group_by(Invoice.bilan_id)).all():
        if paid is not None and paid > days.get(bilan_id, paid):
            days[bilan_id] = paid
    return days


@dataclass(frozen=True)
class Due:
    bilan_id: str
    last_day: date
    kept_until: date


def due(db: Session, settings: InvoiceSettings, today: date) -> list[Due]:
    """The bilans whose invoicing documents are due for destruction on `today`, in bilan order."""
    years = years_of(settings)
    return [Due(bilan_id, last, kept_until(last, years)) for bilan_id, last in sorted(last_days(db).items())
            if is_due(last, years, today)]


def rule_text(years: int) -> str:
    """The rule a destruction record states."""
    return (f"Factures, avoirs et paiements conservés {years} ans après la clôture de l'exercice de la dernière "
            "pièce (article L123-22 du Code de commerce)")
