"""The EDOF dossier of a bilan (on the bilan blueprint: access checked there)."""
from __future__ import annotations

from datetime import date, datetime, time

from flask import flash, g, redirect, url_for

from saas.errors import NotFound, RuleViolation
from saas.htmx import render
from saas.i18n import PARIS, paris_today
from saas.models import utcnow
from saas.tenancy import tenant_db
from tenants.bilans.access import bilan_blueprint
from tenants.edof import dossier as rules
from tenants.edof.forms import EntryForm, ExitForm, MoveForm, OpenForm
from tenants.edof.models import STATES
from tenants.history import actors

bp = bilan_blueprint("bilan_edof", __name__, url_prefix="/edof")
# Entry and exit have their own forms (the entry's confirmation, the exit's reason).
OWN_FORMS = ("inTraining", "terminated")


def moment_of(day: date) -> datetime:
    """When a state change typed as a day happened: now if today, else noon in Paris that day."""
    return utcnow() if day == paris_today() else datetime.combine(day, time(12), tzinfo=PARIS)


def _page(status: int = 200, **forms):
    db, bilan = tenant_db(), g.bilan
    dossier = rules.dossier_of(db, bilan.id)
    today = paris_today()
    context = {"bilan": bilan, "dossier": dossier, "states": STATES, "today": today,
               "open_form": forms.get("open_form") or OpenForm(formdata=None, number=bilan.edof_number),
               "move_form": forms.get("move_form") or MoveForm(formdata=None),
               "entry_form": forms.get("entry_form") or EntryForm(formdata=None, on=today),
               "exit_form": forms.get("exit_form") or ExitForm(formdata=None, on=today),
               "confirm_entry": forms.get("confirm_entry", False), "entry_is_final": rules.ENTRY_IS_FINAL,
               "earliest_start": rules.earliest_start(db, bilan)}
    if dossier is not None:
        moves = [m for m in rules.allowed_moves(dossier) if m not in OWN_FORMS]
        context["move_form"].to.choices = [(m, STATES[m]) for m in moves]
        context.update(moves=moves, events=rules.events_of(db, dossier),
                       due=rules.next_due(db, dossier, bilan, today),
                       entry_refusal=_reason(rules.check_entry, db, bilan),
                       settlement=rules.settlement(db, bilan, year=today.year))
    return render("edof/show.html", status=status, **context)


def _reason(check, *args) -> str | None:
    try:
        check(*args)
    except RuleViolation as refusal:
        return refusal.message
    return None


def _refused(name: str, form, refusal: RuleViolation | None = None):
    tenant_db().rollback()
    if refusal is not None:
        form.form_errors.append(refusal.message)
    return _page(422, **{name: form})


def _done(message: str):
    tenant_db().commit()
    flash(message, "success")
    return redirect(url_for("bilan_edof.show", bilan_id=g.bilan.id), 303)


def _dossier():
    dossier = rules.dossier_of(tenant_db(), g.bilan.id)
    if dossier is None:
        raise NotFound("Ce bilan n'a pas encore de dossier EDOF.")
    return dossier


@bp.get("/")
def show():
    """The dossier: state, history, what is due in EDOF and by when, entry and exit."""
    if g.bilan.funding != "cpf":
        raise NotFound("Ce bilan n'est pas financé par le CPF : il n'a pas de dossier EDOF.")
    return _page()


@bp.post("/open")
def open_dossier():
    form = OpenForm()
    if not form.validate_on_submit():
        return _refused("open_form", form)
    try:
        rules.open_dossier(tenant_db(), g.bilan, number=form.number.data,
                           requested_at=moment_of(form.requested_on.data), actor=actors.current_staff())
    except RuleViolation as refusal:
        return _refused("open_form", form, refusal)
    return _done("Dossier EDOF enregistré.")


@bp.post("/move")
def move():
    db, dossier = tenant_db(), _dossier()
    form = MoveForm()
    form.to.choices = [(m, STATES[m]) for m in rules.allowed_moves(dossier) if m not in OWN_FORMS]
    if not form.validate_on_submit():
        return _refused("move_form", form)
    try:
        rules.transition(db, dossier, form.to.data, moment_of(form.on.data), actors.current_staff())
    except RuleViolation as refusal:
        return _refused("move_form", form, refusal)
    return _done(f"Dossier EDOF : {STATES[form.to.data]}.")


@bp.post("/entry")
def entry():
    """Declare the entry: irreversible in EDOF, so only with `confirmed` (the dialog or the confirmation step)."""
    db, dossier = tenant_db(), _dossier()
    form = EntryForm()
    if not form.validate_on_submit():
        return _refused("entry_form", form)
    if not form.confirmed.data:
        if _reason(rules.check_entry, db, g.bilan) is None:
            return _page(200, entry_form=form, confirm_entry=True)
    try:
        rules.transition(db, dossier, "inTraining", moment_of(form.on.data), actors.current_staff())
    except RuleViolation as refusal:
        return _refused("entry_form", form, refusal)
    return _done("Entrée en formation enregistrée : déclarez-la dans EDOF le jour même.")


@bp.post("/exit")
def exit_dossier():
    db, dossier = tenant_db(), _dossier()
    form = ExitForm()
    if not form.validate_on_submit():
        return _refused("exit_form", form)
    try:
        rules.declare_exit(db, dossier, ended_on=form.ended_on.data, reason=form.reason.data,
                           at=moment_of(form.on.data), actor=actors.current_staff())
    except RuleViolation as refusal:
        return _refused("exit_form", form, refusal)
    return _done("Sortie de formation enregistrée.")
