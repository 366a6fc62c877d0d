"""Emails of the centre's administration: the invitation to join the centre."""
from __future__ import annotations

from saas.accounts.roles import ROLE_LABELS
from saas.mail.outbox import queue_email
from saas.urls import external_url


def send_invitation(db, centre, *, email: str, name: str, role: str, inviter: str, token: str) -> None:
    """Queue the invitation email with its joining link."""
    queue_email(db, to=email, template="invitation", kind="invitation", sender_name=centre.name,
                centre_id=centre.id, name=name, inviter=inviter, centre_name=centre.name,
                role_label=ROLE_LABELS[role].lower(), link=external_url("accounts.join", token=token))
