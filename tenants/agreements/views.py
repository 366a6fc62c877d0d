"""Tripartite agreement of an employer-funded bilan: draft, send, signature, PDF."""
from __future__ import annotations

from datetime import date

from flask import g, redirect, request, url_for

from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.mail.outbox import attachment, queue_email
from saas.tenancy import tenant_db
from tenants.agreements import clock, drafting
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import documents
from tenants.bilans.access import bilan_blueprint
from tenants.history import actors

bp = bilan_blueprint("agreements", __name__, url_prefix="/agreement")
TEXT_FIELDS = ("employer_name", "employer_email", "title", "objective", "content", "means",
               "running_and_followup", "results_handover", "payment_terms")


def _agreement(db, bilan, agreement_id) -> Agreement:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None or agreement.bilan_id != bilan.id:
        raise NotFound("Convention introuvable.")
    return agreement


@bp.get("/new")
def new():
    """The agreement pre-filled from the quote, every R6313-8 mention editable."""
    db = tenant_db()
    bilan = g.bilan
    return render("agreements/new.html", bilan=bilan, agreement=drafting.draft_for(bilan, centre_name=g.centre.name),
                  person=db.get(Beneficiary, bilan.beneficiary_id), error=None)


@bp.post("/")
def create():
    """Send the agreement to the employee (10 days to sign) with its PDF."""
    db = tenant_db()
    bilan = g.bilan
    person = db.get(Beneficiary, bilan.beneficiary_id)
    agreement = drafting.draft_for(bilan, centre_name=g.centre.name)
    form = request.form
    for name in TEXT_FIELDS:
        setattr(agreement, name, form.get(name, "").strip()[:2000])
    agreement.employer_email = agreement.employer_email or None
    try:
        agreement.duration_minutes = round(float(form.get("duration_hours", "0").replace(",", ".")) * 60)
        agreement.price_cents = round(float(form.get("price", "0").replace(",", ".").replace(" ", "")) * 100)
        agreement.period_start = date.fromisoformat(form["period_start"]) if form.get("period_start") else None
        agreement.period_end = date.fromisoformat(form["period_end"]) if form.get("period_end") else None
        drafting.send(db, bilan, agreement, actor=actors.current_staff())
    except (ValueError, RuleViolation) as refusal:
        db.rollback()
        message = refusal.message if isinstance(refusal, RuleViolation) else "Vérifiez les nombres et les dates."
        return render("agreements/new.html", bilan=bilan, agreement=agreement, person=person, error=message, status=422)
    db.flush()
    pdf = documents.render_pdf("pdf/agreement.html", centre=g.centre, agreement=agreement, bilan=bilan, person=person,
                               large=person.large_text)
    queue_email(db, to=person.email, template="agreement_sent", kind="agreement_sent", sender_name=g.centre.name,
                centre_id=g.centre.id, bilan_id=bilan.id, idempotency_key=f"agreement-sent:{agreement.id}",
                attachments=[attachment("convention-tripartite.pdf", "application/pdf", pdf)],
                name=person.name, centre_name=g.centre.name, employer_name=agreement.employer_name,
                deadline=clock.deadline(agreement))
    db.commit()
    return redirect(url_for("bilan.show", bilan_id=bilan.id), 303)


@bp.post("/<agreement_id>/sign")
def sign(agreement_id: str):
    """The signed agreement came back: in time, the bilan starts; late, it is refused."""
    db = tenant_db()
    bilan = g.bilan
    agreement = _agreement(db, bilan, agreement_id)
    try:
        clock.sign(db, agreement, bilan, actor=actors.current_staff())
    except RuleViolation:
        db.commit()  # the expiry is recorded, then the refusal is shown
        raise
    db.commit()
    return redirect(url_for("bilan.show", bilan_id=bilan.id), 303)


@bp.get("/<agreement_id>.pdf")
def pdf(agreement_id: str):
    """The agreement as a PDF (R6313-8 mentions, signature blocks)."""
    from saas.downloads import pdf_response

    db = tenant_db()
    bilan = g.bilan
    agreement = _agreement(db, bilan, agreement_id)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    return pdf_response(documents.render_pdf("pdf/agreement.html", centre=g.centre, agreement=agreement, bilan=bilan,
                                             person=person, large=person.large_text), "convention-tripartite.pdf")
