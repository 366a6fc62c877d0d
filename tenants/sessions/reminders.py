"""Reminders of sessions: the interview tomorrow, and the attendance not yet signed.

What is due is decided here at the sweep's `now`; jobs/reminders.py only calls
these for each centre. Idempotency keys: `reminder:session:<id>:day-before:<date>`
and `reminder:attendance:<attendance id>`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from saas.i18n import datetime_fr, to_paris
from saas.mail.outbox import attachment
from saas.models import as_utc
from tenants.flags.items import each_item
from tenants.reminders.sending import STALE, Context, paris_at
from tenants.sessions import attendance
from tenants.sessions.invitation import session_ics
from tenants.sessions.models import BilanSession


def send_session_reminders(db: Session, centre, now: datetime) -> dict:
    """The day before an interview (09:00 Paris), with the .ics attached (each session on its own:
    tenants/flags/items.py:each_item)."""
    ctx = Context.of(db, centre, now)
    upcoming = db.exec(select(BilanSession).where(
        BilanSession.status == "planned", BilanSession.kind == "interview",
        BilanSession.starts_at > now, BilanSession.starts_at <= now + timedelta(days=2))
        .order_by(BilanSession.starts_at)).all()
    # The ones reminded already stop here (`_remind_session` checks it as well): a night with nothing
    # new opens no action, so takes no write lock (tenants/flags/actions.py:one_action).
    unsent = [session for session in upcoming if _day_before_key(session) not in ctx.taken]
    ctx.preload(session.bilan_id for session in unsent)
    done = each_item(db, centre, now, unsent, lambda session: _remind_session(ctx, session), kind="session",
                     label="le rappel d'une séance", bilan_of=lambda s: s.bilan_id)
    return {"session_reminders": done["sent"]}


def _day_before_key(session) -> str:
    return f"reminder:session:{session.id}:day-before:{to_paris(as_utc(session.starts_at)).date():%Y%m%d}"


def _remind_session(ctx: Context, session) -> dict:
    centre, now = ctx.centre, ctx.now
    starts = as_utc(session.starts_at)
    day = to_paris(starts).date()
    key = _day_before_key(session)
    if now < paris_at(day - timedelta(days=1)) or key in ctx.taken:
        return {}
    bilan = ctx.bilan(session.bilan_id)
    if not ctx.can_email(bilan):
        return {}
    when = datetime_fr(starts)
    return {"sent": ctx.to_beneficiary(
        bilan, key=key, template="reminder_session",
        kind="reminder_session", history=f"Rappel de la séance du {when} envoyé",
        starts=when, duration=session.duration_minutes, format=session.format,
        attachments=lambda s=session: [attachment("seance.ics", "text/calendar", session_ics(s, centre, now))])}


def attendance_reminders_due(db: Session, centre, now: datetime, settings=None) -> list:
    """(session, attendance) still to sign that get their one reminder at `now`: the interviews
    the dashboard lists as awaiting a signature (`attendance.awaiting_signature`) that started
    `attendance_reminder_days` ago, not more than a month before that."""
    settings = settings or Context.of(db, centre, now).settings
    limit = now - timedelta(days=settings.attendance_reminder_days)
    return attendance.awaiting_signature(db, started_before=limit, started_after=limit - STALE)


def send_attendance_reminders(db: Session, centre, now: datetime) -> dict:
    """An interview done but not signed by the beneficiary after 2 days: one reminder (each signature
    on its own: tenants/flags/items.py:each_item)."""
    ctx = Context.of(db, centre, now)
    due = [pair for pair in attendance_reminders_due(db, centre, now, ctx.settings)
           if _attendance_key(pair[1]) not in ctx.taken]  # reminded already: no action opened
    ctx.preload(signature.bilan_id for _session, signature in due)
    done = each_item(db, centre, now, due, lambda pair: _remind_attendance(ctx, *pair), kind="attendance",
                     label="le rappel d'un émargement", ident=lambda pair: pair[1].id,
                     bilan_of=lambda pair: pair[1].bilan_id)
    return {"attendance_reminders": done["sent"]}


def _attendance_key(signature) -> str:
    return f"reminder:attendance:{signature.id}"


def _remind_attendance(ctx: Context, session, signature) -> dict:
    key = _attendance_key(signature)
    if key in ctx.taken:
        return {}
    bilan = ctx.bilan(signature.bilan_id)
    if not ctx.can_email(bilan):
        return {}
    starts = as_utc(session.starts_at)
    return {"sent": ctx.to_beneficiary(
        bilan, key=key, template="reminder_attendance",
        kind="reminder_attendance", history=f"Rappel d'émargement de la séance du {datetime_fr(starts)} envoyé",
        starts=datetime_fr(starts))}
