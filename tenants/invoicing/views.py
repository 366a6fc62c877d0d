"""Invoices pages (admins): what is left to collect, issuing, a credit note, payments, the PDF, the export.

Every rule is in tenants/invoicing/issuing.py and payments.py; these views only
read forms and show refusals (422, the input kept). Every save confirms: the
message is flashed and shown as a toast on the page the 303 leads to
(saas/htmx.py, templates/_toast.html).
"""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, g, redirect, request, url_for
from sqlmodel import select

from saas.accounts.roles import admin_required
from saas.downloads import file_response, pdf_response
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import date_fr, money_fr, paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.history import actors
from tenants.invoicing import bpf as bpf_rule
from tenants.invoicing import export, issuing, payments
from tenants.invoicing.facturx_xml import invoice_pdf
from tenants.invoicing.forms import CreditForm, IssueForm, PaymentForm, SettingsForm
from tenants.invoicing.models import SETTINGS_ID, Invoice, InvoiceSettings

bp = staff_blueprint("invoicing", __name__, url_prefix="/factures")


@bp.get("/")
@admin_required
def index():
    db = tenant_db()
    today = paris_today()
    every = payments.standings(db, today)
    notes = db.exec(select(Invoice).where(Invoice.kind == "credit_note")
                    .order_by(Invoice.year.desc(), Invoice.seq.desc())).all()
    return render("invoicing/index.html", to_collect=payments.to_collect(db, today), every=every, notes=notes,
                  today=today)


def _bilan_choices(db) -> list[tuple[str, str]]:
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan

    rows = db.exec(select(Bilan, Beneficiary).join(Beneficiary, Beneficiary.id == Bilan.beneficiary_id)
                   .where(Bilan.price_cents.is_not(None), Bilan.destroyed_at.is_(None))
                   .order_by(Bilan.created_at.desc())).all()
    return [(b.id, f"{p.name or '—'} — devis {b.quote_number or '—'} ({b.funding_label})") for b, p in rows]


@bp.get("/nouvelle")
@admin_required
def new():
    form = IssueForm(issued_on=paris_today())
    form.bilan_id.choices = _bilan_choices(tenant_db())
    return render("invoicing/new.html", form=form)


@bp.post("/nouvelle")
@admin_required
def create():
    from tenants.bilans.models import Bilan

    db = tenant_db()
    form = IssueForm()
    form.bilan_id.choices = _bilan_choices(db)
    if not form.validate_on_submit():
        return render("invoicing/new.html", status=422, form=form)
    try:
        invoice = issuing.issue(db, db.get(Bilan, form.bilan_id.data), payer=form.payer.data,
                                buyer_name=form.buyer_name.data, buyer_address=form.buyer_address.data,
                                buyer_siret=form.buyer_siret.data or None, on=form.issued_on.data,
                                actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return render("invoicing/new.html", status=422, form=form)
    db.commit()
    flash(f"Facture {invoice.number} émise.", "success")
    return redirect(url_for("invoicing.show", invoice_id=invoice.id), 303)


def _invoice(invoice_id: str) -> Invoice:
    invoice = tenant_db().get(Invoice, invoice_id)
    if invoice is None:
        abort(404)
    return invoice


def _show(invoice: Invoice, status: int = 200, payment_form=None, credit_form=None):
    db = tenant_db()
    today = paris_today()
    return render("invoicing/show.html", status=status, invoice=invoice,
                  standing=None if invoice.is_credit_note else payments.standing_of(db, invoice, today),
                  payments=payments.payments_of(db, invoice), credit_note=issuing.credited_by(db, invoice),
                  credited=db.get(Invoice, invoice.credits_invoice_id) if invoice.credits_invoice_id else None,
                  payment_form=payment_form or PaymentForm(paid_on=today),
                  credit_form=credit_form or CreditForm(issued_on=today))


def _bpf_year() -> int:
    """The year asked (?annee=2026), else last year: the BPF is filed for the year past."""
    year = request.args.get("annee", type=int)
    last = paris_today().year - 1
    return year if year is not None and 2000 <= year <= last + 1 else last


@bp.get("/bpf")
@admin_required
def bpf():
    year = _bpf_year()
    return render("invoicing/bpf.html", bpf=bpf_rule.figures(tenant_db(), year), missing=bpf_rule.NOT_DERIVED,
                  years=range(paris_today().year, paris_today().year - 6, -1))


@bp.get("/bpf.csv")
@admin_required
def bpf_csv():
    year = _bpf_year()
    return file_response(bpf_rule.bpf_csv(bpf_rule.figures(tenant_db(), year)), f"bpf-{year}.csv", "text/csv",
                         download=True)


@bp.get("/<invoice_id>")
@admin_required
def show(invoice_id):
    return _show(_invoice(invoice_id))


def _act_on(invoice_id: str, form, name: str, act):
    """A form posted on an invoice's page (a payment, a credit note): `act(db, invoice, form)` applies the rule
    and returns the invoice to show next and the message that confirms it. Refused (the form, or the rule's
    RuleViolation): the page again, 422, the input kept beside its field; done: committed, the message
    flashed, 303 to that invoice."""
    invoice, db = _invoice(invoice_id), tenant_db()
    if not form.validate_on_submit():
        return _show(invoice, 422, **{name: form})
    try:
        shown, message = act(db, invoice, form)
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _show(invoice, 422, **{name: form})
    db.commit()
    flash(message, "success")
    return redirect(url_for("invoicing.show", invoice_id=shown.id), 303)


def _record(db, invoice: Invoice, form: PaymentForm):
    payment = payments.record_payment(db, invoice, paid_on=form.paid_on.data, amount_cents=form.amount.data,
                                      method=form.method.data, account_id=g.membership.account_id,
                                      actor=actors.current_staff(), today=paris_today())
    return invoice, (f"Paiement de {money_fr(Decimal(payment.amount_cents) / 100)} du {date_fr(payment.paid_on)} "
                     f"enregistré sur la facture {invoice.number}.")


def _credit(db, invoice: Invoice, form: CreditForm):
    note = issuing.credit(db, invoice, on=form.issued_on.data, actor=actors.current_staff(),
                          reason=form.reason.data or "")
    return note, f"Avoir {note.number} émis : il annule la facture {invoice.number}."


@bp.post("/<invoice_id>/paiements")
@admin_required
def pay(invoice_id):
    return _act_on(invoice_id, PaymentForm(), "payment_form", _record)


@bp.post("/<invoice_id>/avoir")
@admin_required
def credit(invoice_id):
    return _act_on(invoice_id, CreditForm(), "credit_form", _credit)


@bp.get("/<invoice_id>/facture.pdf")
@admin_required
def pdf(invoice_id):
    invoice = _invoice(invoice_id)
    return pdf_response(invoice_pdf(tenant_db(), g.centre, invoice), f"{invoice.number}.pdf")


@bp.get("/export.csv")
@admin_required
def export_csv():
    return file_response(export.export_csv(tenant_db()), "ecritures-factures.csv", "text/csv", download=True)


@bp.get("/parametres")
@admin_required
def settings():
    return render("invoicing/settings.html", form=SettingsForm(obj=issuing.settings_for(tenant_db())))


@bp.post("/parametres")
@admin_required
def save_settings():
    db, form = tenant_db(), SettingsForm()
    if not form.validate_on_submit():
        return render("invoicing/settings.html", status=422, form=form)
    row = db.get(InvoiceSettings, SETTINGS_ID) or InvoiceSettings(id=SETTINGS_ID)
    form.populate_obj(row)
    db.add(row)
    db.commit()
    flash("Paramètres de facturation enregistrés.", "success")
    return redirect(url_for("invoicing.settings"), 303)
