"""The nightly destruction of invoices, credit notes and payments once their accounting retention is over.

When (the rule): tenants/invoicing/retention.py (`due`: 31 December of the last document's year + the
centre's years, ten at least, Code de commerce L123-22). Here: each bilan's invoicing documents deleted
in one transaction with one DestructionRecord (stage `invoices`: counts by class, the rule, no content)
that the bilan's destruction certificate prints, each bilan on its own
(tenants/flags/items.py:each_item). Run by jobs/destruction.py after the bilans' own stages.

Core statements, not ORM deletes: the ORM refuses any deletion of an issued invoice
(tenants/invoicing/issuing.py:_refuse_changes), which only its retention's end may do. The invoice
counters stay, so a number is never drawn twice.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, select

from saas.i18n import to_paris
from tenants.flags.items import each_item
from tenants.invoicing import retention as rules
from tenants.invoicing.issuing import settings_for
from tenants.invoicing.models import CREDIT_NOTE, Invoice, Payment
from tenants.retention.models import DestructionRecord

STAGE = "invoices"
LABELS = {"invoice": "Factures", "credit_note": "Avoirs", "payment": "Paiements"}


def sweep(db: Session, centre, now: datetime) -> Counter:
    """Every bilan whose invoicing documents' retention ended before `now` (Paris day)."""
    settings = settings_for(db)
    due = rules.due(db, settings, to_paris(now).date())
    if not due:
        return Counter()
    years = rules.years_of(settings)
    return each_item(db, centre, now, due, lambda item: destroy(db, item.bilan_id, now, years=years),
                     kind="invoices", label="la destruction des factures d'un bilan",
                     ident=lambda item: item.bilan_id, bilan_of=lambda item: item.bilan_id)


def destroy(db: Session, bilan_id: str, now: datetime, *, years: int) -> Counter:
    """Delete the bilan's payments, credit notes and invoices, and record it (the caller commits)."""
    from tenants.bilans.models import Bilan
    from tenants.retention.destruction import end_of

    invoices = select(Invoice.id).where(Invoice.bilan_id == bilan_id)
    counts = Counter()
    counts[LABELS["payment"]] = db.execute(delete(Payment).where(Payment.invoice_id.in_(invoices))).rowcount or 0
    counts[LABELS["credit_note"]] = db.execute(delete(Invoice).where(
        Invoice.bilan_id == bilan_id, Invoice.kind == CREDIT_NOTE)).rowcount or 0
    counts[LABELS["invoice"]] = db.execute(delete(Invoice).where(Invoice.bilan_id == bilan_id)).rowcount or 0
    counts = Counter({k: v for k, v in counts.items() if v})
    if not counts:
        return Counter()
    record = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan_id,
                                                     DestructionRecord.stage == STAGE)).first()
    if record is None:
        bilan = db.get(Bilan, bilan_id)
        record = DestructionRecord(bilan_id=bilan_id, stage=STAGE, rule=rules.rule_text(years)[:300], items={},
                                   total=0, key_destroyed=False, bilan_ended_at=end_of(bilan) if bilan else None,
                                   at=now)
    # A later invoice of the same bilan (rare: a credit note years on) adds to the same record.
    record.items = dict(Counter(record.items) + counts)
    record.total, record.at = sum(record.items.values()), now
    db.add(record)
    return Counter({"invoices_destroyed": counts[LABELS["invoice"]] + counts[LABELS["credit_note"]],
                    "payments_destroyed": counts[LABELS["payment"]]})
