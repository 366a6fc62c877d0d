"""The demo's invoices and payments, issued through tenants/invoicing on the bilans demo.bilans closed.

A CPF bilan is invoiced twice: its CPF share to the Caisse des Dépôts (through
EDOF), the rest to the beneficiary. Over a year ago: both paid. Six months ago:
the Caisse des Dépôts paid; the beneficiary paid part and is now late. Last
week: the Caisse des Dépôts' invoice waits for its due date.
"""
from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from demo import people
from saas.i18n import to_paris
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan
from tenants.invoicing import issuing, payments
from tenants.invoicing.models import Invoice

CDC = ("Caisse des Dépôts et Consignations", "56 rue de Lille\n75007 Paris", "18002002600019")


def _issue(db: Session, bilan: Bilan, payer: str, on, actor: str) -> Invoice:
    if payer == "cdc":
        name, address, siret = CDC
    else:
        person = db.get(Beneficiary, bilan.beneficiary_id)
        name, address, siret = person.name, "", None
    return issuing.issue(db, bilan, payer=payer, buyer_name=name, buyer_address=address, buyer_siret=siret,
                         on=on, actor=actor)


def _pay(db: Session, invoice: Invoice, cents: int, on, method: str, ctx: dict) -> None:
    payments.record_payment(db, invoice, paid_on=on, amount_cents=cents, method=method,
                            account_id=people.consultant(ctx, "admin").id, actor=people.consultant(ctx, "admin").name,
                            today=ctx["today"])


def seed(db: Session, centre, ctx: dict) -> None:
    """Invoices paid, partly paid and late, and one waiting, on the demo's closed CPF bilans."""
    if db.exec(select(Invoice)).first() is not None:
        return  # idempotent
    actor = people.consultant(ctx, "admin").name
    for key, paid in (("closed_over_a_year", "all"), ("closed_six_months", "cdc"), ("closed_last_week", None)):
        bilan = db.get(Bilan, ctx["bilans"][key])
        ended = to_paris(bilan.ended_at).date()
        cdc = _issue(db, bilan, "cdc", ended + timedelta(days=1), actor)
        if paid is None:
            continue
        _pay(db, cdc, cdc.total_cents, ended + timedelta(days=35), "edof", ctx)
        own = _issue(db, bilan, "beneficiary", ended + timedelta(days=1), actor)
        if paid == "all":
            _pay(db, own, own.total_cents, ended + timedelta(days=10), "card", ctx)
        else:
            _pay(db, own, 20_000, ended + timedelta(days=20), "transfer", ctx)
