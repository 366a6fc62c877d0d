"""Beneficiaries: list, create, show, and open a bilan (prior interview) for one."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.beneficiaries import queries, registry
from tenants.beneficiaries.forms import BeneficiaryForm, PriorInterviewForm
from tenants.bilans import lifecycle
from tenants.bilans.queries import bilans_of

bp = staff_blueprint("beneficiaries", __name__, url_prefix="/beneficiaries")


@bp.get("/")
def index():
    """Beneficiaries the member follows (all for an admin); the rows alone for htmx."""
    q = request.args.get("q", "")
    return render("beneficiaries/index.html", "beneficiaries/_rows.html",
                  people=queries.beneficiaries(tenant_db(), q), q=q)


@bp.get("/new")
def new():
    """The creation form."""
    return render("beneficiaries/new.html", form=BeneficiaryForm())


@bp.post("/")
def create():
    """Create a beneficiary followed by the current member."""
    form = BeneficiaryForm()
    if not form.validate_on_submit():
        return render("beneficiaries/new.html", form=form, status=422)
    db = tenant_db()
    try:
        person = registry.create(db, name=form.name.data, email=form.email.data, phone=form.phone.data or "",
                                 employment_status=form.employment_status.data, large_text=form.large_text.data,
                                 short_sessions=form.short_sessions.data, other_needs=form.other_needs.data or "",
                                 consultant_id=current_user.id)
    except RuleViolation as refusal:
        form.email.errors = [refusal.message]
        return render("beneficiaries/new.html", form=form, status=422)
    db.commit()
    return redirect(url_for("beneficiaries.show", beneficiary_id=person.id), 303)


def _show(person, interview_form=None, status=200):
    db = tenant_db()
    form = interview_form or PriorInterviewForm(formdata=None, data={"on": paris_today(), "duration": 60})
    return render("beneficiaries/show.html", status=status, person=person, bilans=bilans_of(db, person.id),
                  interview_form=form)


@bp.get("/<beneficiary_id>")
def show(beneficiary_id: str):
    """A beneficiary, their accommodations and their bilans."""
    return _show(queries.beneficiary_or_404(tenant_db(), beneficiary_id))


@bp.post("/<beneficiary_id>/bilans")
def open_bilan(beneficiary_id: str):
    """Record the free prior interview: the bilan starts there, before any quote."""
    db = tenant_db()
    person = queries.beneficiary_or_404(db, beneficiary_id)
    form = PriorInterviewForm()
    if not form.validate_on_submit():
        return _show(person, form, 422)
    try:
        bilan = lifecycle.record_prior_interview(db, person, consultant_id=current_user.id, on=form.on.data,
                                                 minutes=form.duration.data, notes=form.notes.data or None,
                                                 actor=current_user.name)
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _show(person, form, 422)
    db.commit()
    return redirect(url_for("bilan.show", bilan_id=bilan.id), 303)
