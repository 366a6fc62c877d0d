"""The public booking pages at /o/<slug>/rendez-vous: browse slots, give one's details, confirm from the
emailed link, then move or cancel from it.

Plain forms and links work without JavaScript on a small phone; browsing is GET (a link per slot),
acting is POST behind a page with a button (mail scanners open links: GET never changes anything).
Anti-abuse without tracking: rate limits per address and per email, a honeypot field, and the
confirmation by email before the slot is held beyond 30 minutes (tenants/booking/booking.py).
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

from flask import g, redirect, request, url_for

from saas.errors import RuleViolation
from saas.htmx import render
from saas.i18n import paris_today, weekday_date_fr
from saas.models import utcnow
from saas.parsing import FrenchInputError, parse_date
from saas.security import limiter
from saas.tenancy import public_blueprint, tenant_db
from tenants.booking import booking as rules
from tenants.booking import mailing
from tenants.booking import slots as slot_rules
from tenants.booking.forms import ANY, ActForm, BookingForm, BrowseForm, CancelForm, EmailKeyForm, RescheduleForm
from tenants.booking.models import FORMATS

bp = public_blueprint("booking", __name__, "/rendez-vous")
DAYS_SHOWN = 7

# Guessing link tokens: every link page shares one budget per address (like the portal's links).
guessing = limiter.shared_limit("30/minute;300/day", scope="booking-token")


def _posted_email() -> str:
    """The per-email limit's key: a digest of the address typed, never the address itself."""
    # A rate limit's key, not stored data: bounding its length is no truncation of what was typed.
    typed = (EmailKeyForm().email.data or "").lower()[:254]
    return "booking-email:" + hashlib.sha256(typed.encode("utf-8", "replace")).hexdigest()


def _consultants(db):
    """(id, name) of the consultants who publish availability, by name."""
    names = dict((cid, mailing.consultant_name(db, cid)) for cid in
                 (a.consultant_id for a in slot_rules.availabilities(db)))
    return sorted(names.items(), key=lambda item: item[1].casefold())


def _first_day(text: str | None, today: date) -> date:
    try:
        day = parse_date(text) if text else today
    except FrenchInputError:
        day = today
    return min(max(day, today), today + timedelta(days=365))


def _browse(form: BrowseForm, db):
    """The browse form's choices and the slots of the week it asks for."""
    consultants = _consultants(db)
    form.consultant.choices = [(ANY, "Peu importe")] + [(str(i), n) for i, n in consultants]
    if form.consultant.data not in {c for c, _ in form.consultant.choices}:
        form.consultant.data = ANY
    if form.format.data not in FORMATS:
        form.format.data = "video"
    today = paris_today()
    first = _first_day(form.depuis.data, today)
    consultant_id = None if form.consultant.data == ANY else int(form.consultant.data)
    found = slot_rules.free_slots(db, now=utcnow(), first=first, last=first + timedelta(days=DAYS_SHOWN - 1),
                                  format=form.format.data, consultant_id=consultant_id)
    names = dict(consultants)
    previous = first - timedelta(days=DAYS_SHOWN) if first > today else None
    return {"days": slot_rules.by_day(found), "names": names, "first": first,
            "last": first + timedelta(days=DAYS_SHOWN - 1), "previous": max(previous, today) if previous else None,
            "next": first + timedelta(days=DAYS_SHOWN), "choice": {"consultant": form.consultant.data,
                                                                     "format": form.format.data},
            "any": consultant_id is None, "has_consultants": bool(consultants), "weekday_date_fr": weekday_date_fr}


@bp.get("/", endpoint="start")
def start():
    """Choose a consultant (or any), a format and a slot of the week shown."""
    db = tenant_db()
    form = BrowseForm(request.args)
    context = _browse(form, db)
    return render("booking/start.html", "booking/_slots.html", form=form, centre=g.centre, **context)


def _details_page(form: BookingForm, db, *, status: int = 200, alternatives=None, message: str | None = None):
    parsed = slot_rules.parse_value(form.slot.data)
    return render("booking/details.html", None, status, form=form, centre=g.centre, alternatives=alternatives,
                  message=message, starts=parsed[1] if parsed else None, format_label=FORMATS.get(form.format.data, ""),
                  consultant_name=mailing.consultant_name(db, parsed[0]) if parsed else "",
                  any=form.consultant.data in ("", ANY, None))


@bp.get("/creneau")
def details():
    """The slot chosen: the visitor's details to give (or, if it went meanwhile, the next free ones)."""
    db = tenant_db()
    format = request.args.get("format", "")
    form = BookingForm(formdata=None, data={"slot": request.args.get("creneau", "")[:40], "format": format[:12],
                                            "consultant": request.args.get("consultant", ANY)[:12],
                                            "funding": "unknown"})
    if format not in FORMATS or slot_rules.parse_value(form.slot.data) is None:
        return redirect(url_for("booking.start"), 303)
    if slot_rules.is_free(db, form.slot.data, now=utcnow(), format=format) is None:
        parsed = slot_rules.parse_value(form.slot.data)
        alternatives = rules.next_free(db, now=utcnow(), format=format, after=parsed[1],
                                       consultant_id=None if form.consultant.data == ANY else parsed[0])
        return _details_page(form, db, status=409, alternatives=alternatives,
                             message="Ce créneau n'est plus libre. Choisissez l'un des créneaux ci-dessous.")
    return _details_page(form, db)


@bp.post("/")
@limiter.limit("10/hour")                           # per address
@limiter.limit("5/hour", key_func=_posted_email)    # per email typed
def create():
    """Hold the slot and email the link to confirm it; taken meanwhile: the next free slots instead."""
    db = tenant_db()
    form = BookingForm()
    if form.website.data:  # the honeypot: a robot filled it; the same answer, nothing kept, nothing sent
        return redirect(url_for("booking.sent"), 303)
    if not form.validate_on_submit():
        return _details_page(form, db, status=422)
    now = utcnow()
    try:
        booking, token = rules.book(db, slot=form.slot.data, format=form.format.data, name=form.name.data,
                                    email=form.email.data, phone=form.phone.data, situation=form.situation.data,
                                    funding=form.funding.data, message=form.message.data or "", now=now,
                                    any_consultant=form.consultant.data in ("", ANY, None))
    except rules.SlotTaken as taken:
        db.rollback()
        return _details_page(form, db, status=409, alternatives=taken.alternatives, message=taken.message)
    except RuleViolation as refusal:
        db.rollback()
        form.form_errors.append(refusal.message)
        return _details_page(form, db, status=422)
    mailing.send_hold(db, g.centre, booking, confirm_url=url_for("booking.confirm_page", token=token,
                                                                 _external=True), now=now)
    db.commit()
    return redirect(url_for("booking.sent"), 303)


@bp.get("/envoye")
def sent():
    """The request is in: the visitor confirms from the email within the hold."""
    return render("booking/sent.html", None, centre=g.centre, hold_minutes=rules.HOLD_MINUTES)


def _link_page(token: str, *, status: int = 200, form=None, move=None, message: str | None = None):
    db, now = tenant_db(), utcnow()
    booking = rules.find(db, token)
    found = rules.state(booking, now)
    if found == "unknown":
        return render("booking/link_unknown.html", None, 404, centre=g.centre)
    facts = mailing.details(db, booking)
    context = {"centre": g.centre, "booking": booking, "state": found, "token": token, "facts": facts,
               "act": ActForm(), "cancel": CancelForm(formdata=None), "message": message,
               "hold_minutes": rules.HOLD_MINUTES, "weekday_date_fr": weekday_date_fr}
    if found == "manage":
        today = paris_today()
        first = _first_day(request.args.get("depuis"), today)
        moves = slot_rules.free_slots(db, now=now, first=first, last=first + timedelta(days=DAYS_SHOWN - 1),
                                      format=booking.format, consultant_id=booking.consultant_id,
                                      ignore=booking.id)
        context.update(days=move if move is not None else slot_rules.by_day(moves), first=first,
                       next=first + timedelta(days=DAYS_SHOWN), reschedule=form or RescheduleForm(formdata=None))
    return render("booking/manage.html", None, status, **context)


@bp.get("/confirmer/<token>", endpoint="confirm_page")
@guessing
def confirm_page(token):
    """A button to confirm: nothing happens on opening the link."""
    return _link_page(token)


@bp.post("/confirmer/<token>")
@guessing
def confirm(token):
    """The visitor confirms: the slot is theirs; the confirmation email carries the .ics."""
    db, now = tenant_db(), utcnow()
    booking = rules.find(db, token)
    if booking is None or not ActForm().validate_on_submit():
        return _link_page(token, status=404 if booking is None else 422)
    try:
        changed = rules.confirm(db, booking, now)
    except RuleViolation as refusal:
        db.rollback()
        return _link_page(token, status=refusal.status, message=refusal.message)
    if changed:
        mailing.send_confirmed(db, g.centre, booking, now=now,
                               manage_url=url_for("booking.manage", token=token, _external=True))
    db.commit()
    return redirect(url_for("booking.manage", token=token), 303)


@bp.get("/gerer/<token>", endpoint="manage")
@guessing
def manage(token):
    """The appointment, with the free slots to move it to and the button to cancel it."""
    return _link_page(token)


@bp.post("/gerer/<token>/deplacer")
@guessing
def move(token):
    """Move the appointment to the slot chosen; the new .ics replaces the event (same UID, SEQUENCE + 1)."""
    db, now = tenant_db(), utcnow()
    booking = rules.find(db, token)
    form = RescheduleForm()
    if booking is None:
        return _link_page(token, status=404)
    if not form.validate_on_submit():
        return _link_page(token, status=422, form=form)
    try:
        rules.reschedule(db, booking, form.slot.data, now)
    except rules.SlotTaken as taken:
        db.rollback()
        return _link_page(token, status=409, form=form, move=slot_rules.by_day(taken.alternatives),
                          message=taken.message)
    except RuleViolation as refusal:
        db.rollback()
        return _link_page(token, status=refusal.status, form=form, message=refusal.message)
    booking = rules.find(db, token)
    mailing.send_confirmed(db, g.centre, booking, now=now, moved=True,
                           manage_url=url_for("booking.manage", token=token, _external=True))
    db.commit()
    return redirect(url_for("booking.manage", token=token, deplace=1), 303)


@bp.post("/gerer/<token>/annuler")
@guessing
def cancel(token):
    """Cancel the appointment: the slot is free again; the .ics with METHOD:CANCEL removes the event."""
    db, now = tenant_db(), utcnow()
    booking = rules.find(db, token)
    if booking is None:
        return _link_page(token, status=404)
    form = CancelForm()
    if not form.validate_on_submit():
        return _link_page(token, status=422, message="Cochez la case pour confirmer l'annulation.")
    try:
        rules.cancel(db, booking, now)
    except RuleViolation as refusal:
        db.rollback()
        return _link_page(token, status=refusal.status, message=refusal.message)
    mailing.send_cancelled(db, g.centre, booking, now=now, booking_url=url_for("booking.start", _external=True))
    db.commit()
    return redirect(url_for("booking.manage", token=token), 303)
