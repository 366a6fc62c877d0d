"""The accountant's export: every invoice, credit note and payment as double-entry lines (FEC-like).

Columns: date, number (the document: invoice, credit note, or the invoice a payment
settles), account (PCG: 411 customers, 706 services, 512 bank), payer, amount
(signed: debit positive, credit negative), label. Dates ISO, amounts with a
decimal comma: what French accounting software imports (docs/RULES.md,
"Invoices and payments (issue 14)").
"""
from __future__ import annotations

import csv
import io

from sqlmodel import Session, select

from tenants.invoicing.models import Invoice, Payment

CUSTOMERS, SERVICES, BANK = "411000", "706000", "512000"
COLUMNS = ("Date", "Numéro", "Compte", "Payeur", "Montant", "Libellé")


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}".replace(".", ",")


def rows(db: Session, year: int | None = None) -> list[tuple[str, ...]]:
    """Two lines per invoice or credit note (411 / 706) and per payment (512 / 411), by date then number."""
    invoices = {i.id: i for i in db.exec(select(Invoice)).all()}
    lines = []
    for invoice in invoices.values():
        label = f"{'Avoir' if invoice.is_credit_note else 'Facture'} {invoice.number}"
        for account, sign in ((CUSTOMERS, 1), (SERVICES, -1)):
            lines.append((invoice.issued_on, invoice.number, account, invoice.buyer_name,
                          sign * invoice.total_cents, label))
    for payment in db.exec(select(Payment)).all():
        invoice = invoices[payment.invoice_id]
        label = f"Paiement {payment.method_label.lower()} facture {invoice.number}"
        for account, sign in ((BANK, 1), (CUSTOMERS, -1)):
            lines.append((payment.paid_on, invoice.number, account, invoice.buyer_name, sign * payment.amount_cents,
                          label))
    lines.sort(key=lambda r: (r[0], r[1], r[2] != CUSTOMERS if r[4] > 0 else True))
    return [(d.isoformat(), n, a, p, _euros(c), lab) for d, n, a, p, c, lab in lines
            if year is None or d.year == year]


def export_csv(db: Session, year: int | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(rows(db, year))
    return out.getvalue().encode("utf-8-sig")
