"""Tripartite agreement of an employer-funded bilan: draft, send, signature, PDF."""
from __future__ import annotations

from flask import g, redirect, url_for

from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.mail.outbox import attachment, queue_email
from saas.tenancy import tenant_db
from tenants.agreements import clock, drafting
from tenants.agreements.forms import AgreementForm
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans import documents
from tenants.bilans.access import bilan_blueprint
from tenants.history import actors

bp = bilan_blueprint("agreements", __name__, url_prefix="/agreement")


def _agreement(db, bilan, agreement_id) -> Agreement:
    agreement = db.get(Agreement, agreement_id)
    if agreement is None or agreement.bilan_id != bilan.id:
        raise NotFound("Convention introuvable.")
    return agreement


@bp.get("/new")
def new():
    """The agreement pre-filled from the quote, every R6313-8 mention editable."""
    db, bilan = tenant_db(), g.bilan
    form = AgreementForm.of(drafting.draft_for(bilan, centre_name=g.centre.name))
    return render("agreements/new.html", bilan=bilan, form=form, person=db.get(Beneficiary, bilan.beneficiary_id))


@bp.post("/")
def create():
    """Send the agreement to the employee (10 days to sign) with its PDF."""
    db, bilan = tenant_db(), g.bilan
    person = db.get(Beneficiary, bilan.beneficiary_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return render("agreements/new.html", bilan=bilan, form=form, person=person, status=422)
    agreement = drafting.draft_for(bilan, centre_name=g.centre.name)
    form.fill(agreement)
    try:
        drafting.send(db, bilan, agreement, actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return render("agreements/new.html", bilan=bilan, form=form, person=person, status=422)
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
