"""Emails of the signup, queued in the caller's transaction."""
from __future__ import annotations

from saas.mail.outbox import queue_email
from saas.urls import external_url


def send_verification(db, *, to: str, name: str, centre_name: str, token: str) -> None:
    """The link that confirms the signup's email address and creates the centre (GET shows, POST creates)."""
    queue_email(db, to=to, template="verify_signup", kind="signup_verification", name=name,
                centre_name=centre_name, link=external_url("signup.verify", token=token))
