"""Emails of the accounts part of the platform, queued in the caller's transaction."""
from __future__ import annotations

from saas.mail.outbox import queue_email
from saas.urls import external_url


def send_reset_link(db, account, token: str) -> None:
    """The password reset link (valid as long as its PasswordReset row)."""
    queue_email(db, to=account.email, template="reset_password", kind="password_reset",
                name=account.name, link=external_url("accounts.reset_password", token=token))
