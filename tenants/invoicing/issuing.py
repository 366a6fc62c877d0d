"""Issuing invoices and credit notes (avoirs): the amount from the quote and the hours really done,
the number, the mandatory mentions, and the freeze.

- The amount (`line_for`): the payer's share of the quote (the CPF's part from
  tenants/bilans/cpf.py:quote for the Caisse des Dépôts, the rest for the other payer
  of a CPF bilan, the whole price otherwise), pro rata of the accompaniment hours
  done (tenants/sessions/hours.py: signed attendance only) over those planned,
  never more than the share. Quantity: hours done; unit price: the share per planned hour.
- One live invoice per share (`live_invoice`): a second one would bill twice; cancel the first by a
  credit note.
- The number (`issue`): one gap-free sequence per centre, per series (FA invoices,
  AV credit notes) and per Paris year, drawn in the issuing transaction
  (tenants/bilans/numbering.py:draw).
- The freeze: an issued invoice is never edited or deleted (article 242 nonies A of
  annex II to the CGI lists its mentions; Code de commerce L123-22 keeps it ten years);
  a correction is a credit note (`credit`) with its own number, referencing the invoice.
  `_refuse_changes` enforces it under every caller, on flush.
docs/RULES.md, "Invoices and payments (issue 14)".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import hours_fr, money_fr
from tenants.bilans import cpf as cpf_rule
from tenants.bilans.blockers import refuse
from tenants.bilans.numbering import draw
from tenants.bilans.working_time import employer_blockers
from tenants.history.models import record
from tenants.invoicing import models as m
from tenants.invoicing.models import Invoice, InvoiceCounter, InvoiceSettings
from tenants.sessions import hours as hours_rule

DESCRIPTION = "Bilan de compétences (article L6313-4 du Code du travail) : heures d'accompagnement réalisées"
FREE_CHANGES = frozenset()  # nothing of an issued invoice may change


def settings_for(db: Session) -> InvoiceSettings:
    return db.get(InvoiceSettings, m.SETTINGS_ID) or InvoiceSettings(id=m.SETTINGS_ID)


@dataclass(frozen=True)
class Line:
    quantity_minutes: int
    unit_price_cents: int
    net_cents: int
    share_cents: int      # the payer's share of the quote, for all the planned hours


def share_of(db: Session, bilan, payer: str) -> int:
    """What this payer owes for the whole bilan, from the quote (cents, before the pro rata)."""
    if bilan.price_cents is None:
        raise RuleViolation("Ce bilan n'a pas de devis : il n'y a rien à facturer.")
    if bilan.funding != "cpf":
        if payer == "cdc":
            raise RuleViolation("Seul un bilan financé par le CPF se facture à la Caisse des Dépôts.")
        return bilan.price_cents
    from tenants.beneficiaries.models import Beneficiary

    person = db.get(Beneficiary, bilan.beneficiary_id)
    split = cpf_rule.quote(bilan.price_cents, bilan.planned_interview_minutes, bilan.planned_personal_minutes,
                           employment_status=person.employment_status if person else "",
                           employer_cofunding=bilan.cpf_employer_cofunding)
    return split.cpf_cents if payer == "cdc" else split.remaining_cents


def line_for(db: Session, bilan, payer: str) -> Line:
    """The payer's share pro rata of the accompaniment hours done (signed) over the hours planned."""
    if payer not in m.PAYERS:
        raise RuleViolation("Choisissez qui paie cette facture.")
    share = share_of(db, bilan, payer)
    planned = bilan.planned_interview_minutes
    done = min(hours_rule.hours_of(db, bilan).done_interview, planned)
    if planned <= 0 or done <= 0:
        raise RuleViolation("Aucune heure d'accompagnement émargée par le bénéficiaire : il n'y a rien à facturer.")
    if share <= 0:
        raise RuleViolation(f"{m.PAYERS[payer]} ne doit rien sur ce bilan : il n'y a rien à lui facturer.")
    net = (share * done * 2 + planned) // (planned * 2)   # half a cent up
    unit = (share * 60 * 2 + planned) // (planned * 2)
    return Line(done, unit, net, share)


def _dates(db: Session, bilan) -> tuple[date | None, date | None]:
    from saas.i18n import to_paris
    from tenants.sessions.attendance import counts, sessions_with_attendance

    days = [to_paris(s.starts_at).date() for s, a in sessions_with_attendance(db, [bilan.id]).get(bilan.id, [])
            if counts(s, a)]
    return (min(days), max(days)) if days else (None, None)


def issue(db: Session, bilan, *, payer: str, buyer_name: str, buyer_address: str = "",
          buyer_siret: str | None = None, on: date, actor: str) -> Invoice:
    """Issue the invoice of `payer` for this bilan on `on` (Paris): its line, its number, its mentions.

    Not committed: the number is drawn in the caller's transaction.
    """
    if not (buyer_name or "").strip():
        raise RuleViolation("Indiquez le nom de l'acheteur (qui reçoit la facture).")
    if payer == "employer":  # a CPF bilan outside working time is never made known to the employer (L6323-17)
        refuse(employer_blockers(bilan))
    line = line_for(db, bilan, payer)
    live = live_invoice(db, bilan, payer)
    if live is not None:
        raise RuleViolation(f"Cette part du bilan est déjà facturée ({live.number}, {live.payer_label}) : "
                            "annulez cette facture par un avoir avant d'en émettre une autre.")
    settings = settings_for(db)
    vat = (line.net_cents * settings.vat_rate_percent + 50) // 100
    first, last = _dates(db, bilan)
    invoice = Invoice(kind=m.INVOICE, series=m.PREFIXES[m.INVOICE], year=on.year,
                      seq=draw(db, InvoiceCounter.__table__, series=m.PREFIXES[m.INVOICE], year=on.year),
                      bilan_id=bilan.id, payer=payer, buyer_name=buyer_name.strip(),
                      buyer_address=(buyer_address or "").strip(), buyer_siret=buyer_siret or None,
                      description=DESCRIPTION, service_from=first, service_to=last,
                      quantity_minutes=line.quantity_minutes, unit_price_cents=line.unit_price_cents,
                      net_cents=line.net_cents, vat_rate_percent=settings.vat_rate_percent, vat_cents=vat,
                      vat_mention="" if settings.vat_rate_percent else m.VAT_EXEMPTIONS.get(settings.vat_exemption, ""),
                      issued_on=on, due_on=on + timedelta(days=settings.payment_days),
                      edof_number=bilan.edof_number if payer == "cdc" else None)
    db.add(invoice)
    db.flush()
    record(db, bilan.id, "invoice", f"Facture {invoice.number} émise ({money_fr(invoice.total_cents / 100)}, "
           f"{invoice.payer_label}, {hours_fr(line.quantity_minutes)})", actor=actor)
    return invoice


def credit(db: Session, invoice: Invoice, *, on: date, actor: str, reason: str = "") -> Invoice:
    """Cancel an issued invoice by a credit note of its full amount (its own AV number, referencing it)."""
    if invoice.is_credit_note:
        raise RuleViolation("Un avoir ne s'annule pas par un autre avoir.")
    if db.exec(select(Invoice.id).where(Invoice.credits_invoice_id == invoice.id)).first():
        raise RuleViolation(f"La facture {invoice.number} a déjà été annulée par un avoir.")
    note = Invoice(kind=m.CREDIT_NOTE, series=m.PREFIXES[m.CREDIT_NOTE], year=on.year,
                   seq=draw(db, InvoiceCounter.__table__, series=m.PREFIXES[m.CREDIT_NOTE], year=on.year),
                   bilan_id=invoice.bilan_id, credits_invoice_id=invoice.id, payer=invoice.payer,
                   buyer_name=invoice.buyer_name, buyer_address=invoice.buyer_address,
                   buyer_siret=invoice.buyer_siret,
                   description=(f"Avoir sur la facture {invoice.number}" + (f" : {reason.strip()}" if reason.strip()
                                                                          else ""))[:300],
                   service_from=invoice.service_from, service_to=invoice.service_to,
                   quantity_minutes=invoice.quantity_minutes, unit_price_cents=invoice.unit_price_cents,
                   net_cents=-invoice.net_cents, vat_rate_percent=invoice.vat_rate_percent,
                   vat_cents=-invoice.vat_cents, vat_mention=invoice.vat_mention, issued_on=on, due_on=on,
                   edof_number=invoice.edof_number)
    db.add(note)
    db.flush()
    record(db, invoice.bilan_id, "invoice", f"Avoir {note.number} sur la facture {invoice.number}", actor=actor)
    return note


def live_invoice(db: Session, bilan, payer: str) -> Invoice | None:
    """The invoice, not cancelled by a credit note, that already bills this payer's share of the bilan: the
    Caisse des Dépôts' CPF part, or the rest (the whole price of a bilan without CPF), whoever the payer."""
    credited = select(Invoice.credits_invoice_id).where(Invoice.kind == m.CREDIT_NOTE,
                                                        Invoice.credits_invoice_id.is_not(None))
    query = select(Invoice).where(Invoice.bilan_id == bilan.id, Invoice.kind == m.INVOICE,
                                  Invoice.id.not_in(credited))
    query = query.where(Invoice.payer == "cdc") if payer == "cdc" else query.where(Invoice.payer != "cdc")
    return db.exec(query.order_by(Invoice.seq)).first()


def credited_by(db: Session, invoice: Invoice) -> Invoice | None:
    return db.exec(select(Invoice).where(Invoice.credits_invoice_id == invoice.id)).first()


@event.listens_for(OrmSession, "before_flush")
def _refuse_changes(session, flush_context, instances) -> None:
    """An issued invoice (or credit note) is never edited nor deleted: make a credit note instead."""
    from sqlalchemy import inspect

    for obj in session.dirty:
        if isinstance(obj, Invoice) and session.is_modified(obj, include_collections=False):
            changed = [a.key for a in inspect(obj).attrs if a.history.has_changes()]
            if set(changed) - FREE_CHANGES:
                raise RuleViolation(f"La facture {obj.number} est émise : elle ne se modifie plus. "
                                    "Faites un avoir puis une nouvelle facture.")
    for obj in session.deleted:
        if isinstance(obj, Invoice):
            raise RuleViolation(f"La facture {obj.number} est émise : elle ne se supprime pas. Faites un avoir.")
