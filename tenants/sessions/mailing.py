"""Emails of sessions to the beneficiary: the invitation with its .ics (the reminder the day
before is tenants/sessions/reminders.py)."""
from __future__ import annotations

from saas.mail.outbox import attachment, queue_email
from tenants.bilans.consent import can_email
from tenants.bilans.models import FORMATS
from tenants.history.models import record
from tenants.sessions import invitation
from tenants.sessions.models import KINDS


def send_invitation(db, centre, bilan, person, session, *, actor: str | None = None) -> bool:
    """The session email with its .ics invitation, once per session; nothing for a stopped bilan."""
    from tenants.portal.access import issue_link

    if not person.email or not can_email(db, bilan):
        return False
    ics = invitation.session_ics(session, centre)
    queue_email(db, to=person.email, template="session_scheduled", kind="session_scheduled",
                sender_name=centre.name, centre_id=centre.id, bilan_id=bilan.id,
                idempotency_key=f"session-scheduled:{session.id}",
                attachments=[attachment("seance.ics", "text/calendar", ics)], name=person.name,
                centre_name=centre.name, starts_at=session.starts_at, duration=session.duration_minutes,
                kind_label=KINDS[session.kind], format_label=FORMATS[session.format],
                link=issue_link(db, centre, person, bilan))
    record(db, bilan.id, "email", "Invitation à une séance envoyée (.ics)", actor)
    return True
