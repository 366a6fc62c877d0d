"""Tripartite agreement of an employer-funded bilan: draft, send to the employer, transmission, signature, PDF."""
from __future__ import annotations

from datetime import date

from flask import g, redirect, request, url_for
from flask_login import current_user

from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.i18n import to_paris
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.agreements import clock, drafting, queries, sendings, transmission
from tenants.agreements.forms import TransmissionForm
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.queries import bilan_or_404

bp = staff_blueprint("agreements", __name__, url_prefix="/bilans/<bilan_id>/agreement")
TEXT_FIELDS = ("employer_name", "employer_email", "title", "objective", "content", "means",
               "running_and_followup", "results_handover", "payment_terms")


def _agreement(db, bilan, agreement_id) -> Agreement:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None or agreement.bilan_id != bilan.id:
        raise NotFound("Convention introuvable.")
    return agreement


@bp.get("/new")
def new(bilan_id: str):
    """The agreement pre-filled from the quote, every R6313-8 mention editable."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    return render("agreements/new.html", bilan=bilan, agreement=drafting.draft_for(bilan, centre_name=g.centre.name),
                  person=db.get(Beneficiary, bilan.beneficiary_id), error=None)


@bp.post("/")
def create(bilan_id: str):
    """Send the draft to the employer with its PDF and link (the 10 days start at its transmission)."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    agreement = drafting.draft_for(bilan, centre_name=g.centre.name)
    form = request.form
    for name in TEXT_FIELDS:
        setattr(agreement, name, form.get(name, "").strip()[:2000])
    agreement.employer_email = agreement.employer_email or None
    try:
        agreement.duration_minutes = round(float(form.get("duration_hours", "0").replace(",", ".")) * 60)
        agreement.accompaniment_minutes = round(float(form.get("accompaniment_hours", "0").replace(",", ".")) * 60)
        agreement.price_cents = round(float(form.get("price", "0").replace(",", ".").replace(" ", "")) * 100)
        agreement.period_start = date.fromisoformat(form["period_start"]) if form.get("period_start") else None
        agreement.period_end = date.fromisoformat(form["period_end"]) if form.get("period_end") else None
        drafting.send(db, bilan, agreement, centre=g.centre, actor=current_user.name)
    except (ValueError, RuleViolation) as refusal:
        db.rollback()
        message = refusal.message if isinstance(refusal, RuleViolation) else "Vérifiez les nombres et les dates."
        return render("agreements/new.html", bilan=bilan, agreement=agreement, person=person, error=message, status=422)
    db.commit()
    return redirect(url_for("agreements.show", bilan_id=bilan.id, agreement_id=agreement.id), 303)


def _page(db, bilan, agreement, form=None, status=200):
    today = to_paris(utcnow()).date()
    return render("agreements/show.html", bilan=bilan, person=db.get(Beneficiary, bilan.beneficiary_id),
                  form=form or TransmissionForm(formdata=None), status=status,
                  **queries.agreement_context(db, agreement, today))


@bp.get("/<agreement_id>")
def show(bilan_id: str, agreement_id: str):
    """The agreement page: where the 10 days stand, every sending per recipient, the next step."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    return _page(db, bilan, _agreement(db, bilan, agreement_id))


@bp.post("/<agreement_id>/transmission")
def record_transmission(bilan_id: str, agreement_id: str):
    """The centre records the date the employer gives for its transmission to the employee (R6313-8)."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    agreement = _agreement(db, bilan, agreement_id)
    form = TransmissionForm()
    if not form.validate_on_submit():
        return _page(db, bilan, agreement, form, status=422)
    try:
        transmission.transmit(db, agreement, bilan, on=form.transmitted_on.data, method="staff", now=utcnow(),
                              recorded_by=current_user.id, actor=current_user.name)
    except RuleViolation as refusal:
        db.rollback()
        form.transmitted_on.errors = [refusal.message]
        return _page(db, bilan, _agreement(db, bilan, agreement_id), form, status=422)
    db.commit()
    return redirect(url_for("agreements.show", bilan_id=bilan.id, agreement_id=agreement.id), 303)


@bp.post("/<agreement_id>/sign")
def sign(bilan_id: str, agreement_id: str):
    """The signed agreement came back: in time, the bilan starts; late, it lapses (refused)."""
    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    agreement = _agreement(db, bilan, agreement_id)
    try:
        clock.sign(db, agreement, bilan, actor=current_user.name)
    except RuleViolation:
        db.commit()  # a lapse is recorded (with its notice), then the refusal is shown
        raise
    db.commit()
    return redirect(url_for("bilans.show", bilan_id=bilan.id), 303)


@bp.get("/<agreement_id>.pdf")
def pdf(bilan_id: str, agreement_id: str):
    """The agreement as a PDF (R6313-8 mentions, signature blocks)."""
    from saas.downloads import pdf_response

    db = tenant_db()
    bilan = bilan_or_404(db, bilan_id)
    agreement = _agreement(db, bilan, agreement_id)
    return pdf_response(sendings.render_pdf(db, g.centre, agreement, bilan), sendings.PDF_NAME)
