"""The planning of one bilan: sessions against 24 h, progress, attendance, .ics."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, g, redirect, request, url_for
from flask_login import current_user
from sqlmodel import select

from saas.accounts.roles import admin_required
from saas.downloads import file_response
from saas.errors import NotFound, RuleViolation
from saas.htmx import SAVED, is_htmx, render
from saas.i18n import PARIS
from saas.parsing import FrenchInputError, parse_date
from saas.tenancy import tenant_db
from tenants.access_log.log import logs_access
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.access import bilan_blueprint
from tenants.bilans.models import FORMATS
from tenants.history import actors
from tenants.sessions import attendance as attendance_rule
from tenants.sessions import hours as hours_rule
from tenants.sessions import invitation, mailing, planning, template
from tenants.sessions.forms import TIME, NotesForm, PlanForm, SessionForm, StatusForm, TemplateForm
from tenants.sessions.models import KINDS, Attendance, BilanSession, SessionNote

bp = bilan_blueprint("sessions", __name__, url_prefix="/sessions")
STATUS_SAVED = {"done": "Séance marquée réalisée.", "cancelled": "Séance annulée."}


def planning_context(db, bilan, error: str | None = None, **forms) -> dict:
    """The planning page's context; `forms` replace the blank ones (a refused form comes back as typed)."""
    sessions = list(db.exec(select(BilanSession).where(BilanSession.bilan_id == bilan.id)
                            .order_by(BilanSession.starts_at)).all())
    attendances = {a.session_id: a for a in db.exec(select(Attendance).where(Attendance.bilan_id == bilan.id)).all()}
    hours = hours_rule.hours_of(db, bilan)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    notes = {n.session_id: n for n in db.exec(select(SessionNote).where(SessionNote.bilan_id == bilan.id)).all()}
    now = datetime.now(PARIS)
    return {"bilan": bilan, "person": person, "sessions": sessions, "attendances": attendances, "hours": hours,
            "notes": notes, "started": {s.id for s in sessions if s.starts_at <= now},
            "warning": hours_rule.planning_warning(hours), "error": error,
            "max_minutes": hours_rule.MAX_TOTAL_MINUTES, "floor_minutes": hours_rule.MIN_ACCOMPANIMENT_MINUTES,
            "kinds": KINDS, "formats": FORMATS, "template": template.template_of(db),
            "now": now, **_forms(db, bilan, person), **forms}


def _forms(db, bilan, person) -> dict:
    """Blank forms of the page, filled from the bilan and the centre's template."""
    plan = template.template_of(db)
    return {"session_form": SessionForm(formdata=None, data={"duration_minutes": 60 if person.short_sessions else 120,
                                                             "format": bilan.format, "time": "09:30"}),
            "plan_form": PlanForm(formdata=None, data={"interview_hours": bilan.planned_interview_minutes,
                                                       "personal_hours": bilan.planned_personal_minutes}),
            "template_form": TemplateForm(formdata=None, data={"interview_count": plan.interview_count,
                                                               "interview_minutes": plan.interview_minutes,
                                                               "personal_hours": plan.personal_minutes})}


def _page(db, bilan, status: int = 200, error: str | None = None, **forms):
    return render("sessions/index.html", "sessions/_planning.html", status=status,
                  **planning_context(db, bilan, error, **forms))


@bp.get("/")
@logs_access("session_notes")  # the planning page shows each session's notes
def index():
    """Sessions, planned vs done, and the form to add one."""
    db = tenant_db()
    bilan = g.bilan
    context = planning_context(db, bilan)
    _prefill(context["session_form"], request.args)
    return render("sessions/index.html", "sessions/_planning.html", **context)


def _prefill(form: SessionForm, args) -> None:
    """The agenda's empty slots link here with ?jour=2026-12-02&heure=10:00 (tenants/agenda/views.py)."""
    try:
        form.day.data = parse_date(args.get("jour", "")) if args.get("jour") else form.day.data
    except FrenchInputError:
        pass
    if TIME.regex.match(args.get("heure", "")):
        form.time.data = args["heure"]


@bp.post("/")
def create():
    """Schedule a session; past 24 h the form comes back with the reason (422)."""
    db = tenant_db()
    bilan = g.bilan
    form = SessionForm()
    if not form.validate_on_submit():
        return _page(db, bilan, 422, session_form=form)
    local = datetime.fromisoformat(f"{form.day.data.isoformat()}T{form.time.data}")
    try:
        session = planning.schedule(db, bilan, starts_at=local.replace(tzinfo=PARIS).astimezone(UTC),
                                    duration_minutes=form.duration_minutes.data, kind=form.kind.data,
                                    format=form.format.data, notes=form.notes.data or None,
                                    actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        return _page(db, bilan, 422, refusal.message, session_form=form)
    person = db.get(Beneficiary, bilan.beneficiary_id)
    if session.starts_at > datetime.now(PARIS):
        mailing.send_invitation(db, g.centre, bilan, person, session, actor=actors.current_staff())
        return _planning_done(db, bilan, "Séance planifiée : l'invitation est envoyée au bénéficiaire.")
    return _planning_done(db, bilan, "Séance enregistrée.")


def _session(db, bilan, session_id) -> BilanSession:
    session = db.get(BilanSession, session_id)
    if session is None or session.bilan_id != bilan.id:
        raise NotFound("Séance introuvable.")
    return session


@bp.post("/<session_id>/status")
def update_status(session_id: str):
    """Mark a session done or cancelled."""
    db = tenant_db()
    bilan = g.bilan
    form = StatusForm()
    if not form.validate_on_submit():
        raise RuleViolation(" ".join(form.status.errors))
    planning.set_status(db, bilan, _session(db, bilan, session_id), form.status.data, actor=actors.current_staff(),
                        now=datetime.now(PARIS))
    return _planning_done(db, bilan, STATUS_SAVED.get(form.status.data, SAVED))


@bp.post("/<session_id>/paper-attendance")
def paper_attendance(session_id: str):
    """Émargement papier reçu: the staff member records the signed sheet (who and when are kept)."""
    db, bilan = tenant_db(), g.bilan
    attendance_rule.record_paper(db, bilan, _session(db, bilan, session_id), account_id=current_user.id,
                                 actor=actors.current_staff(), now=datetime.now(PARIS))
    return _planning_done(db, bilan, "Émargement papier enregistré.")


def _planning_done(db, bilan, message: str = SAVED):
    """htmx: the planning fragment again; plain form: back to the planning page (303). Either way the
    message confirms the save (a toast for htmx: saas/htmx.py turns this request's flashes into toasts)."""
    db.commit()
    flash(message, "success")
    if is_htmx():
        return render("sessions/_planning.html", "sessions/_planning.html", **planning_context(db, bilan))
    return redirect(url_for("sessions.index"), 303)


@bp.post("/<session_id>/notes")
def notes(session_id: str):
    """The consultant's notes of a session (a working document, sealed)."""
    db = tenant_db()
    bilan = g.bilan
    session = _session(db, bilan, session_id)
    form = NotesForm()
    if not form.validate_on_submit():
        raise RuleViolation(" ".join(form.notes.errors))
    planning.save_notes(db, session, form.notes.data or "")
    return _planning_done(db, bilan, "Notes de la séance enregistrées.")


@bp.get("/<session_id>.ics")
def ics(session_id: str):
    """The session as an iCalendar file."""
    db = tenant_db()
    bilan = g.bilan
    session = _session(db, bilan, session_id)
    return file_response(invitation.session_ics(session, g.centre), "seance.ics", "text/calendar", download=True)


@bp.post("/template")
@admin_required
def save_template():
    """The centre's default planning (admins), from this page."""
    db = tenant_db()
    bilan = g.bilan
    form = TemplateForm()
    if not form.validate_on_submit():
        return _page(db, bilan, 422, template_form=form)
    try:
        template.save(db, interview_count=form.interview_count.data, interview_minutes=form.interview_minutes.data,
                      personal_minutes=form.personal_hours.data)
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _page(db, bilan, 422, template_form=form)
    return _planning_done(db, bilan, "Modèle de planning du centre enregistré.")


@bp.post("/apply-template")
def apply_template():
    """Reset this bilan's provisional plan to the centre's template."""
    db = tenant_db()
    bilan = g.bilan
    template.apply(bilan, template.template_of(db))
    db.add(bilan)
    return _planning_done(db, bilan, "Planning provisoire remis au modèle du centre.")


@bp.post("/plan")
def plan():
    """Set the provisional plan (interview and personal-work hours), within 24 h."""
    db = tenant_db()
    bilan = g.bilan
    form = PlanForm()
    if not form.validate_on_submit():
        return _page(db, bilan, 422, plan_form=form)
    interview, personal = form.interview_hours.data, form.personal_hours.data
    try:
        hours_rule.check_plan(interview, personal)
    except RuleViolation as refusal:
        form.form_errors.append(refusal.message)
        return _page(db, bilan, 422, plan_form=form)
    bilan.planned_interview_minutes, bilan.planned_personal_minutes = interview, personal
    db.add(bilan)
    return _planning_done(db, bilan, "Planning provisoire enregistré.")
