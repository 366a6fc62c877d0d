"""The reminder to the admins of a complaint still unanswered after the centre's delay (7 days by default).

What is due is decided here at the sweep's `now` (jobs/reminders.py only calls it for each centre).
One email per complaint and admin, ever: idempotency key `complaint:<id>:unanswered:<admin id>`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from saas.i18n import date_fr, plural
from saas.models import as_utc
from tenants.complaints.handling import note_event, reference, settings_for
from tenants.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent
from tenants.flags.items import each_item
from tenants.portal.access import external
from tenants.reminders.sending import send_once


def unanswered_due(db: Session, now: datetime) -> list[Complaint]:
    """Complaints filed at least `reminder_days` ago that still have no answer at `now` and were never
    reminded (their history says so: the outbox keys are purged after 400 days, jobs/purge.py)."""
    reminded = select(ComplaintEvent.complaint_id).where(ComplaintEvent.kind == "reminded")
    waiting = db.exec(select(Complaint).where(Complaint.status.in_(OPEN_STATUSES), Complaint.id.not_in(reminded))
                      .order_by(Complaint.filed_at)).all()
    if not waiting:  # most nights: the settings are not read (one statement less per centre)
        return []
    since = now - timedelta(days=settings_for(db).reminder_days)
    return [complaint for complaint in waiting if as_utc(complaint.filed_at) <= since]


def remind_unanswered(db: Session, centre, now: datetime) -> dict:
    """Each admin of the centre is told once about each complaint unanswered past the delay (each
    complaint on its own: tenants/flags/items.py:each_item)."""
    from saas.accounts.queries import members_of
    from saas.accounts.roles import is_admin

    due = unanswered_due(db, now)
    if not due:
        return {}
    admins = [account for account, membership in members_of(db, centre.id) if is_admin(membership)]
    days = settings_for(db).reminder_days

    def remind(complaint: Complaint) -> dict:
        sent = 0
        for admin in admins:
            sent += send_once(db, now, key=f"complaint:{complaint.id}:unanswered:{admin.id}", to=admin.email,
                              template="complaint_unanswered", kind="complaint_unanswered", centre=centre,
                              name=admin.name, centre_name=centre.name, reference=reference(complaint),
                              filed=date_fr(as_utc(complaint.filed_at)), days=days,
                              link=external("staff_complaints.show", slug=centre.slug, complaint_id=complaint.id))
        if sent:
            note_event(db, complaint, "reminded",
                       f"Rappel aux administrateurs : sans réponse après {plural(days, 'jour')}", at=now)
        return {"sent": sent}

    done = each_item(db, centre, now, due, remind, kind="complaint", label="le rappel d'une réclamation")
    return {"complaint_reminders": done["sent"]}
