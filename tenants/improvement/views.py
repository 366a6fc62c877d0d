"""Improvement log pages (/c/<slug>/amelioration): the list with filters, an action, the CSV export."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from saas.downloads import file_response
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.complaints.handling import assignable
from tenants.complaints.models import Complaint
from tenants.improvement import export, log
from tenants.improvement.forms import ActionForm
from tenants.improvement.models import SOURCES, STATUSES, ImprovementAction

bp = staff_blueprint("improvement", __name__, url_prefix="/amelioration")


def _members() -> dict[int, str]:
    return assignable(tenant_db(), g.centre.id)


def _entry(improvement_id: str) -> ImprovementAction:
    found = tenant_db().get(ImprovementAction, improvement_id) if len(improvement_id) <= 32 else None
    if found is None:
        abort(404)
    return found


@bp.get("/")
def index():
    """Every action, filtered by origin and status, late ones marked."""
    source, status = request.args.get("origine", ""), request.args.get("statut", "")
    rows = log.actions(tenant_db(), source=source, status=status)
    today = paris_today()
    return render("improvement/index.html", rows=rows, members=_members(), sources=SOURCES, statuses=STATUSES,
                  source=source, chosen_status=status, late={r.id for r in rows if log.is_late(r, today)})


@bp.get("/export.csv")
def export_csv():
    """The log (as filtered) for a spreadsheet."""
    rows = log.actions(tenant_db(), source=request.args.get("origine"), status=request.args.get("statut"))
    return file_response(export.log_csv(rows, _members()), "journal-amelioration.csv", "text/csv", download=True)


@bp.get("/nouvelle")
def new():
    """A new action: an audit finding, the team's own idea, a satisfaction comment."""
    return render("improvement/form.html", form=ActionForm().with_members(_members()), entry=None)


@bp.post("/nouvelle")
def create():
    form = ActionForm().with_members(_members())
    if not form.validate_on_submit():
        return render("improvement/form.html", status=422, form=form, entry=None)
    db = tenant_db()
    entry = log.add_action(db, source=form.source.data, action=form.action.data, owner_id=form.owner_id.data,
                           due_on=form.due_on.data, origin=form.origin.data, created_by=g.membership.account_id)
    db.commit()
    flash("Action ajoutée au journal.")
    return redirect(url_for(".edit", improvement_id=entry.id), 303)


@bp.post("/depuis-reclamation/<complaint_id>")
def from_complaint(complaint_id: str):
    """The "créer une action d'amélioration" button of a complaint."""
    from saas.accounts.roles import is_admin

    db = tenant_db()
    complaint = db.get(Complaint, complaint_id) if len(complaint_id) <= 32 else None
    if complaint is None or not (is_admin(g.membership) or complaint.assignee_id == g.membership.account_id):
        abort(404)
    entry = log.from_complaint(db, complaint, created_by=g.membership.account_id)
    db.commit()
    flash("Action d'amélioration créée : précisez-la.")
    return redirect(url_for(".edit", improvement_id=entry.id), 303)


@bp.get("/<improvement_id>")
def edit(improvement_id: str):
    """One action: what, who, by when, status and its effect."""
    entry = _entry(improvement_id)
    return render("improvement/form.html", form=ActionForm(obj=entry).with_members(_members()), entry=entry)


@bp.post("/<improvement_id>")
def update(improvement_id: str):
    entry = _entry(improvement_id)
    form = ActionForm().with_members(_members())
    if not form.validate_on_submit():
        return render("improvement/form.html", status=422, form=form, entry=entry)
    try:
        log.update_action(tenant_db(), entry, action=form.action.data, owner_id=form.owner_id.data,
                          due_on=form.due_on.data, status=form.status.data, effect=form.effect.data)
    except RuleViolation as refusal:
        form.effect.errors = [*form.effect.errors, refusal.message]
        return render("improvement/form.html", status=422, form=form, entry=entry)
    tenant_db().commit()
    flash("Action enregistrée.")
    return redirect(url_for(".index"), 303)
