"""Invoices, credit notes (avoirs), payments, and the centre's invoicing settings.

Invoices and payments are accounting proofs (retention class "proof", never results):
kept `InvoiceSettings.retention_years` (ten by default, Code de commerce L123-22),
longer than a bilan's other proofs, so they are not bilan items of
tenants/retention/destruction.py: tenants/retention/invoices.py destroys them when the years of
tenants/invoicing/retention.py end (docs/RULES.md, "Invoices and payments (issue 14)").
An issued invoice is never edited or deleted (tenants/invoicing/issuing.py).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Index
from sqlmodel import Field

from saas.crypto.fields import Sealed, sealed_column
from saas.models import utcnow
from saas.tenancy.models import TenantModel, new_id

SETTINGS_ID = "centre"
INVOICE, CREDIT_NOTE = "invoice", "credit_note"
PREFIXES = {INVOICE: "FA", CREDIT_NOTE: "AV"}  # facture, avoir
PAYERS = {
    "cdc": "Caisse des Dépôts (CPF, via EDOF)",
    "opco": "OPCO",
    "employer": "Employeur",
    "france_travail": "France Travail",
    "agefiph": "AGEFIPH",
    "beneficiary": "Bénéficiaire",
}
# Professional buyers owe the 40 € fixed recovery indemnity when late (Code de commerce L441-10, D441-5;
# public buyers: Code de la commande publique L2192-13); a private person never does.
BUSINESS_PAYERS = ("cdc", "opco", "employer", "france_travail", "agefiph")
METHODS = {"transfer": "Virement", "card": "Carte bancaire", "cheque": "Chèque", "cash": "Espèces",
           "edof": "Règlement Caisse des Dépôts (EDOF)"}
VAT_EXEMPTIONS = {
    "261-4-4a": "Exonération de TVA, article 261-4-4° a du CGI",
    "293B": "TVA non applicable, article 293 B du CGI",
}
RECOVERY_INDEMNITY_CENTS = 4_000
ACCOUNTING_YEARS = 10  # Code de commerce L123-22


class InvoiceCounter(TenantModel, table=True):
    """The last number of a series (FA, AV) in a year (tenants/bilans/numbering.py:draw owns the rule)."""
    __tablename__ = "invoice_counter"
    series: str = Field(primary_key=True, max_length=4)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_number: int = 0


class InvoiceSettings(TenantModel, table=True):
    """One row per centre (id "centre"); defaults apply while it does not exist."""
    __tablename__ = "invoice_settings"
    id: str = Field(default=SETTINGS_ID, primary_key=True, max_length=32)
    vat_rate_percent: int = 0            # 0: exempt, with `vat_exemption`'s mention; else 20
    vat_exemption: str = Field(default="261-4-4a", max_length=16)
    payment_days: int = 30               # due date: issue + 30 days (L441-10: at most 60)
    retention_years: int = ACCOUNTING_YEARS


class Invoice(TenantModel, table=True):
    """An invoice or a credit note: one line (the bilan's accompaniment), frozen once issued."""
    __key_scope__ = None  # the centre's key
    # Backstop of the numbering: never two documents with one number.
    __table_args__ = (Index("uq_invoice_number", "series", "year", "seq", unique=True),)
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    kind: str = Field(default=INVOICE, max_length=12)
    series: str = Field(max_length=4)
    year: int
    seq: int
    bilan_id: str = Field(foreign_key="tenant.bilan.id", index=True, max_length=32)
    credits_invoice_id: Optional[str] = Field(default=None, foreign_key="tenant.invoice.id", max_length=32)
    payer: str = Field(max_length=16)
    # The buyer may be the beneficiary: sealed under the centre's key (not the bilan's), so the invoice
    # outlives the bilan's destruction for its ten years.
    buyer_name_ct: Optional[bytes] = sealed_column("buyer_name")
    buyer_name = Sealed("text")
    buyer_address_ct: Optional[bytes] = sealed_column("buyer_address")
    buyer_address = Sealed("text")
    buyer_siret: Optional[str] = Field(default=None, max_length=14)
    description: str = Field(max_length=300)
    service_from: Optional[date] = None
    service_to: Optional[date] = None
    quantity_minutes: int              # accompaniment hours done (confirmed attendance)
    unit_price_cents: int              # per hour, excluding VAT
    net_cents: int                     # excluding VAT; negative on a credit note
    vat_rate_percent: int = 0
    vat_cents: int = 0
    vat_mention: str = Field(default="", max_length=120)
    issued_on: date = Field(index=True)
    due_on: date
    edof_number: Optional[str] = Field(default=None, max_length=40)
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)

    @property
    def number(self) -> str:
        return f"{self.series}-{self.year}-{self.seq:04d}"

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.vat_cents

    @property
    def is_credit_note(self) -> bool:
        return self.kind == CREDIT_NOTE

    @property
    def payer_label(self) -> str:
        return PAYERS.get(self.payer, self.payer)

    @property
    def business_buyer(self) -> bool:
        return self.payer in BUSINESS_PAYERS


class Payment(TenantModel, table=True):
    """Money received against an invoice: an accounting proof, never edited."""
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    invoice_id: str = Field(foreign_key="tenant.invoice.id", index=True, max_length=32)
    paid_on: date
    amount_cents: int
    method: str = Field(max_length=12)
    recorded_by: Optional[int] = None  # platform account id
    created_at: datetime = Field(default_factory=utcnow)
    retention: str = Field(default="proof", max_length=16)

    @property
    def method_label(self) -> str:
        return METHODS.get(self.method, self.method)
