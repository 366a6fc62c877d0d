"""Payments against invoices and what an invoice's status is (docs/RULES.md, "Invoices and payments (issue 14)").

Status is computed, never stored: from the payments recorded and the due date
(`status_of`). A credit note settles the invoice it cancels. Payments are
accounting proofs: recorded, never edited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import money_fr
from tenants.history.models import record
from tenants.invoicing.models import CREDIT_NOTE, INVOICE, METHODS, Invoice, Payment

STATUSES = {"unpaid": "Non payée", "partly_paid": "Partiellement payée", "paid": "Payée",
            "overdue": "En retard", "credited": "Annulée par avoir"}


@dataclass(frozen=True)
class Standing:
    invoice: Invoice
    paid_cents: int
    credited: bool
    status: str

    @property
    def left_cents(self) -> int:
        return 0 if self.credited else max(0, self.invoice.total_cents - self.paid_cents)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def status_of(invoice: Invoice, paid_cents: int, credited: bool, today: date) -> str:
    """paid, partly_paid, unpaid, or overdue (something left after the due date); credited when an avoir cancels it."""
    if credited:
        return "credited"
    if paid_cents >= invoice.total_cents:
        return "paid"
    if today > invoice.due_on:
        return "overdue"
    return "partly_paid" if paid_cents > 0 else "unpaid"


def standings(db: Session, today: date, invoices=None) -> list[Standing]:
    """Every invoice (not credit notes) with what was paid and its status, newest first."""
    if invoices is None:
        invoices = db.exec(select(Invoice).where(Invoice.kind == INVOICE)
                           .order_by(Invoice.year.desc(), Invoice.seq.desc())).all()
    ids = [i.id for i in invoices]
    paid: dict[str, int] = {}
    credited: set[str] = set()
    if ids:
        for invoice_id, amount in db.exec(select(Payment.invoice_id, Payment.amount_cents)
                                          .where(Payment.invoice_id.in_(ids))).all():
            paid[invoice_id] = paid.get(invoice_id, 0) + amount
        credited = set(db.exec(select(Invoice.credits_invoice_id).where(
            Invoice.kind == CREDIT_NOTE, Invoice.credits_invoice_id.in_(ids))).all())
    return [Standing(i, paid.get(i.id, 0), i.id in credited, status_of(i, paid.get(i.id, 0), i.id in credited, today))
            for i in invoices]


def standing_of(db: Session, invoice: Invoice, today: date) -> Standing:
    return standings(db, today, [invoice])[0]


def record_payment(db: Session, invoice: Invoice, *, paid_on: date, amount_cents: int, method: str,
                   account_id: int | None, actor: str, today: date) -> Payment:
    """Record money received; never more than what is left, never on a credit note or a cancelled invoice."""
    if invoice.is_credit_note:
        raise RuleViolation("Un avoir ne reçoit pas de paiement.")
    if method not in METHODS:
        raise RuleViolation("Choisissez le moyen de paiement.")
    if amount_cents is None or amount_cents <= 0:
        raise RuleViolation("Le montant doit être positif.")
    if paid_on > today:
        raise RuleViolation("Un paiement se note une fois reçu : sa date ne peut pas être dans le futur.")
    if paid_on < invoice.issued_on:
        raise RuleViolation("Le paiement ne peut pas précéder la facture.")
    standing = standing_of(db, invoice, today)
    if standing.credited:
        raise RuleViolation(f"La facture {invoice.number} est annulée par un avoir.")
    if amount_cents > standing.left_cents:
        raise RuleViolation(f"Il ne reste que {money_fr(standing.left_cents / 100)} à payer sur la facture "
                            f"{invoice.number}.")
    payment = Payment(invoice_id=invoice.id, paid_on=paid_on, amount_cents=amount_cents, method=method,
                      recorded_by=account_id)
    db.add(payment)
    record(db, invoice.bilan_id, "payment", f"Paiement de {money_fr(amount_cents / 100)} sur la facture "
           f"{invoice.number}", actor=actor)
    return payment


def payments_of(db: Session, invoice: Invoice) -> list[Payment]:
    return list(db.exec(select(Payment).where(Payment.invoice_id == invoice.id).order_by(Payment.paid_on)).all())


def to_collect(db: Session, today: date) -> list[Standing]:
    """The unpaid, partly paid and overdue invoices, overdue first then by due date."""
    left = [s for s in standings(db, today) if s.status in ("unpaid", "partly_paid", "overdue")]
    return sorted(left, key=lambda s: (s.status != "overdue", s.invoice.due_on, s.invoice.number))
