"""Complaint pages for the team (/c/<slug>/reclamations): the list, one complaint, the register, the delay.

Admins see every complaint; a consultant sees those given to them (a complaint may be about a
colleague). Each step calls tenants/complaints/handling.py.
"""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from sqlmodel import select

from saas.accounts.roles import admin_required, is_admin
from saas.downloads import file_response, pdf_response
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.complaints import handling, register
from tenants.complaints.forms import AnswerForm, AssignForm, ComplaintForm, ComplaintSettingsForm, ConfirmForm
from tenants.complaints.models import CATEGORIES, CHANNELS, STATUSES, Complaint

bp = staff_blueprint("staff_complaints", __name__, url_prefix="/reclamations")


def _complaint(complaint_id: str) -> Complaint:
    """The complaint, if this member may see it (admins: all; a consultant: those given to them)."""
    found = tenant_db().get(Complaint, complaint_id) if len(complaint_id) <= 32 else None
    if found is None or not (is_admin(g.membership) or found.assignee_id == g.membership.account_id):
        abort(404)
    return found


@bp.get("/")
def index():
    """Every complaint this member may see, the open ones first, filtered by status."""
    db = tenant_db()
    query = select(Complaint).order_by(Complaint.filed_at.desc())
    if not is_admin(g.membership):
        query = query.where(Complaint.assignee_id == g.membership.account_id)
    status = request.args.get("statut", "")
    if status in STATUSES:
        query = query.where(Complaint.status == status)
    rows = list(db.exec(query).all())
    return render("complaints/index.html", complaints=rows, statuses=STATUSES, chosen_status=status,
                  categories=CATEGORIES, channels=CHANNELS, reference=handling.reference,
                  members=handling.assignable(db, g.centre.id), admin=is_admin(g.membership),
                  settings=handling.settings_for(db))


def _show(complaint: Complaint, status: int = 200, **forms):
    db = tenant_db()
    members = handling.assignable(db, g.centre.id)
    assign_form = forms.get("assign_form") or AssignForm(assignee_id=complaint.assignee_id)
    assign_form.assignee_id.choices = [(k, v) for k, v in members.items()]
    return render("complaints/show.html", status=status, complaint=complaint,
                  events=handling.events_of(db, complaint),
                  members=members, reference=handling.reference(complaint), categories=CATEGORIES,
                  channels=CHANNELS, statuses=STATUSES, admin=is_admin(g.membership), assign_form=assign_form,
                  answer_form=forms.get("answer_form") or AnswerForm(), close_form=ConfirmForm(),
                  problem=forms.get("problem"))


def _act(complaint_id: str, form, name: str, message: str, act):
    """A form posted on a complaint's page: `act(complaint)` applies the rule (tenants/complaints/handling.py).
    Refused (the form, or the rule's RuleViolation): the page again, 422, the input kept; done: committed,
    `message` flashed, 303 to the complaint."""
    complaint = _complaint(complaint_id)
    if not form.validate_on_submit():
        return _show(complaint, 422, **{name: form})
    try:
        act(complaint)
    except RuleViolation as refusal:
        return _show(complaint, 422, problem=refusal.message, **{name: form})
    tenant_db().commit()
    flash(message)
    return redirect(url_for(".show", complaint_id=complaint.id), 303)


@bp.get("/<complaint_id>")
def show(complaint_id: str):
    """One complaint: what was said, its history, and the next step."""
    return _show(_complaint(complaint_id))


@bp.post("/<complaint_id>/attribution")
@admin_required
def assign(complaint_id: str):
    """Give the complaint to a member of the team."""
    form = AssignForm()
    form.assignee_id.choices = list(handling.assignable(tenant_db(), g.centre.id).items())
    return _act(complaint_id, form, "assign_form", "Réclamation attribuée.",
                lambda complaint: handling.assign(tenant_db(), complaint, form.assignee_id.data,
                                                  centre_id=g.centre.id, actor_id=g.membership.account_id))


@bp.post("/<complaint_id>/reponse")
def answer(complaint_id: str):
    """Send the answer to the complainant by email."""
    form = AnswerForm()
    return _act(complaint_id, form, "answer_form", "Réponse envoyée par e-mail.",
                lambda complaint: handling.answer(tenant_db(), g.centre, complaint, form.answer.data,
                                                  actor_id=g.membership.account_id))


@bp.post("/<complaint_id>/cloture")
def close(complaint_id: str):
    """Close an answered complaint (irreversible: asks first)."""
    complaint = _complaint(complaint_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _show(complaint, 422)
    if form.confirmed.data != "y":
        return render("complaints/confirm_close.html", complaint=complaint, reference=handling.reference(complaint),
                      form=form)
    try:
        handling.close(tenant_db(), complaint, actor_id=g.membership.account_id)
    except RuleViolation as refusal:
        return _show(complaint, 422, problem=refusal.message)
    tenant_db().commit()
    flash("Réclamation close.")
    return redirect(url_for(".show", complaint_id=complaint.id), 303)


@bp.get("/nouvelle")
def new():
    """A complaint received by phone, letter or in person, typed by the team."""
    return render("complaints/new_staff.html", form=ComplaintForm())


@bp.post("/nouvelle")
def create():
    """Record it and acknowledge it to the complainant at once."""
    form = ComplaintForm()
    if not form.validate_on_submit():
        return render("complaints/new_staff.html", status=422, form=form)
    db = tenant_db()
    complaint = handling.file_complaint(db, g.centre, channel="staff", name=form.name.data, email=form.email.data,
                                        category=form.category.data, subject=form.subject.data, text=form.text.data,
                                        actor_id=g.membership.account_id)
    if not is_admin(g.membership):  # whoever typed it keeps it in sight
        handling.assign(db, complaint, g.membership.account_id, centre_id=g.centre.id,
                        actor_id=g.membership.account_id)
    db.commit()
    flash("Réclamation enregistrée ; l'accusé de réception est parti.")
    return redirect(url_for(".show", complaint_id=complaint.id), 303)


@bp.get("/registre.csv")
@admin_required
def register_csv():
    """The register for a spreadsheet: dates, channel, category, status and delays; no personal content."""
    return file_response(register.register_csv(tenant_db()), "registre-reclamations.csv", "text/csv", download=True)


@bp.get("/registre.pdf")
@admin_required
def register_pdf():
    """The same register as a PDF."""
    return pdf_response(register.register_pdf(tenant_db(), g.centre, None, paris_today()), "registre-reclamations.pdf")


@bp.get("/parametres")
@admin_required
def edit_settings():
    """After how many days an unanswered complaint is reminded to the admins."""
    return render("complaints/settings.html", form=ComplaintSettingsForm(obj=handling.settings_for(tenant_db())))


@bp.post("/parametres")
@admin_required
def update_settings():
    """Save the delay; invalid input comes back with its message (422)."""
    form = ComplaintSettingsForm()
    if not form.validate_on_submit():
        return render("complaints/settings.html", status=422, form=form)
    handling.save_reminder_days(tenant_db(), form.reminder_days.data)
    tenant_db().commit()
    flash("Délai de rappel enregistré.")
    return redirect(url_for(".index"), 303)
