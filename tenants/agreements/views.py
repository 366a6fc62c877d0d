"""Tripartite agreement of an employer-funded bilan: draft, send to the employer, transmission, signature, PDF."""
from __future__ import annotations

from flask import g, redirect, url_for
from flask_login import current_user

from saas.downloads import pdf_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.i18n import to_paris
from saas.models import utcnow
from saas.tenancy import tenant_db
from tenants.agreements import drafting, queries, sendings, signing, transmission
from tenants.agreements.forms import AgreementForm, TransmissionForm
from tenants.agreements.models import Agreement
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import bilan_blueprint
from tenants.history import actors

bp = bilan_blueprint("agreements", __name__, url_prefix="/agreement")


def _new_page(bilan, form, person, status=200, **extra):
    """The draft form, its send button disabled with the reason when a rule refuses any sending
    (drafting.send_blockers; the link leads to what unblocks it)."""
    from tenants.bilans.bilan_views import PLACE_LABELS, place_url

    return render("agreements/new.html", bilan=bilan, form=form, person=person, status=status,
                  send_blockers=drafting.send_blockers(tenant_db(), bilan), place_url=place_url,
                  place_labels=PLACE_LABELS, **extra)


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
    return _new_page(bilan, form, db.get(Beneficiary, bilan.beneficiary_id))


@bp.post("/")
def create():
    """Send the draft to the employer with its PDF and link (the 10 days start at its transmission)."""
    db, bilan = tenant_db(), g.bilan
    person = db.get(Beneficiary, bilan.beneficiary_id)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _new_page(bilan, form, person, 422)
    from tenants.bilans.forms import ConfirmForm

    if not ConfirmForm().confirmed.data:
        # Sending is irreversible (the employer gets the draft, the clock starts at its transmission):
        # without the dialog's confirmation, the form comes back as typed with what will happen.
        return _new_page(bilan, form, person, confirm_send=True)
    agreement = drafting.draft_for(bilan, centre_name=g.centre.name)
    form.fill(agreement)
    try:
        drafting.send(db, bilan, agreement, centre=g.centre, actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _new_page(bilan, form, person, 422)
    db.commit()
    return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)


def _page(db, bilan, agreement, form=None, status=200):
    today = to_paris(utcnow()).date()
    return render("agreements/show.html", bilan=bilan, person=db.get(Beneficiary, bilan.beneficiary_id),
                  form=form or TransmissionForm(formdata=None), status=status,
                  **queries.agreement_context(db, agreement, today))


@bp.get("/<agreement_id>")
def show(agreement_id: str):
    """The agreement page: where the 10 days stand, every sending per recipient, the next step."""
    db = tenant_db()
    return _page(db, g.bilan, _agreement(db, g.bilan, agreement_id))


@bp.post("/<agreement_id>/transmission")
def record_transmission(agreement_id: str):
    """The centre records the date the employer gives for its transmission to the employee (R6313-8)."""
    db, bilan = tenant_db(), g.bilan
    agreement = _agreement(db, bilan, agreement_id)
    form = TransmissionForm()
    if not form.validate_on_submit():
        return _page(db, bilan, agreement, form, status=422)
    try:
        transmission.transmit(db, agreement, bilan, on=form.transmitted_on.data, method="staff", now=utcnow(),
                              recorded_by=current_user.id, actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        form.transmitted_on.errors = [refusal.message]
        return _page(db, bilan, _agreement(db, bilan, agreement_id), form, status=422)
    db.commit()
    return redirect(url_for("agreements.show", agreement_id=agreement.id), 303)


@bp.post("/<agreement_id>/sign")
def sign(agreement_id: str):
    """The signed agreement came back: in time, the bilan starts; late, it lapses (refused)."""
    db, bilan = tenant_db(), g.bilan
    agreement = _agreement(db, bilan, agreement_id)
    try:
        signing.sign(db, agreement, bilan, actor=actors.current_staff())
    except RuleViolation:
        db.commit()  # a lapse is recorded (with its notice), then the refusal is shown
        raise
    db.commit()
    return redirect(url_for("bilan.show"), 303)


@bp.get("/<agreement_id>.pdf")
def pdf(agreement_id: str):
    """The agreement as a PDF (R6313-8 mentions, signature blocks)."""
    db, bilan = tenant_db(), g.bilan
    agreement = _agreement(db, bilan, agreement_id)
    return pdf_response(sendings.render_pdf(db, g.centre, agreement, bilan), sendings.PDF_NAME)
