"""Staff pages of the booking: the appointments booked, "Créer le bilan", the availability page
(a consultant their own; an admin any consultant's, tenants/agenda/week.py:owner_of) and the centre's
setting of how long a visitor who did not go on is kept (admins)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from sqlmodel import select

from saas.accounts.queries import members_of
from saas.accounts.roles import admin_required, bilan_scope, sees_every_bilan
from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.booking import availability as availability_rules
from tenants.booking import prospects
from tenants.booking.forms import AvailabilityForm, CreateBilanForm, SettingsForm
from tenants.booking.models import Booking, BookingSettings
from tenants.booking.purge import settings_of
from tenants.booking.slots import paris_moment
from tenants.history import actors

bp = staff_blueprint("bookings", __name__, url_prefix="/rendez-vous")
SHOWN = 200


def _whose() -> int:
    """The consultant whose page this is: a consultant their own, an admin the member picked."""
    scope = bilan_scope(g.membership)
    if scope is not None:
        return scope
    members = {a.id for a, _m in members_of(tenant_db(), g.centre.id)}
    picked = request.args.get("consultant", type=int)
    return picked if picked in members else g.membership.account_id


def _list_page(status: int = 200, settings_form=None):
    db = tenant_db()
    query = select(Booking).where(Booking.status.in_(("held", "confirmed")),
                                  Booking.starts_at >= paris_moment(paris_today(), 0))
    scope = bilan_scope(g.membership)
    if scope is not None:
        query = query.where(Booking.consultant_id == scope)
    bookings = db.exec(query.order_by(Booking.starts_at).limit(SHOWN)).all()
    names = {a.id: a.name for a, _m in members_of(db, g.centre.id)}
    admin = sees_every_bilan(g.membership)
    return render("booking/index.html", None, status, bookings=bookings, names=names, admin=admin,
                  create=CreateBilanForm(formdata=None),
                  settings=settings_form or (SettingsForm(obj=settings_of(db)) if admin else None),
                  public_url=url_for("booking.start", _external=True))


@bp.get("/")
def index():
    """The appointments booked from today (a consultant's own; an admin's every consultant's)."""
    return _list_page()


@bp.post("/bilan")
def create_bilan():
    """The booking becomes a bilan in prior interview, its answers as sealed notes."""
    db = tenant_db()
    form = CreateBilanForm()
    if not form.validate_on_submit():
        abort(404)
    booking = db.get(Booking, form.booking.data)
    scope = bilan_scope(g.membership)
    if booking is None or (scope is not None and booking.consultant_id != scope):
        abort(404)
    try:
        bilan = prospects.create_bilan(db, booking, actor=actors.current_staff())
    except RuleViolation as refusal:
        db.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("bookings.index"), 303)
    db.commit()
    return redirect(url_for("bilan.show", bilan_id=bilan.id), 303)


@bp.post("/reglages")
@admin_required
def update_settings():
    """How long a visitor who did not go on is kept (1 to 24 months)."""
    db = tenant_db()
    form = SettingsForm()
    if not form.validate_on_submit():
        return _list_page(422, settings_form=form)
    row = db.get(BookingSettings, 1) or BookingSettings(id=1)
    row.purge_months, row.updated_at = form.purge_months.data, utcnow()
    db.add(row)
    db.commit()
    flash("Durée de conservation des demandes enregistrée.")
    return redirect(url_for("bookings.index"), 303)


def _availability_page(consultant_id: int, form=None, status: int = 200):
    db = tenant_db()
    if form is None:
        row = availability_rules.of(db, consultant_id)
        form = AvailabilityForm(formdata=None, obj=row)
        for field, text in zip(form.day_fields, availability_rules.week_texts(db, consultant_id), strict=True):
            field.data = text
        form.days_off.data = availability_rules.days_off_text(db, consultant_id, paris_today())
    admin = sees_every_bilan(g.membership)
    members = [(a.id, a.name) for a, _m in members_of(db, g.centre.id)] if admin else []
    return render("booking/availability.html", None, status, form=form, consultant_id=consultant_id,
                  members=members, own=consultant_id == g.membership.account_id,
                  picked={"consultant": consultant_id} if consultant_id != g.membership.account_id else {})


@bp.get("/disponibilites")
def availability():
    """Weekly hours, days off, buffer, notice, horizon and formats of a consultant's appointments."""
    return _availability_page(_whose())


@bp.post("/disponibilites")
def update_availability():
    """Save the availability; invalid input comes back with each error beside its field (422)."""
    consultant_id = _whose()
    db = tenant_db()
    form = AvailabilityForm()
    if not form.check(paris_today()):
        return _availability_page(consultant_id, form, 422)
    try:
        availability_rules.save(db, consultant_id, settings=form.settings(), week=form.week, days_off=form.off)
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _availability_page(consultant_id, form, 422)
    db.commit()
    flash("Disponibilités enregistrées.")
    picked = {"consultant": consultant_id} if consultant_id != g.membership.account_id else {}
    return redirect(url_for("bookings.availability", **picked), 303)
