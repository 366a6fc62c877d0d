"""Flask-Login wiring: an account's sessions die with its session_version."""
from __future__ import annotations

from flask_login import LoginManager

from saas.accounts.models import Account

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_account(user_id: str) -> Account | None:
    """`<id>:<session_version>`: a password change or "log out everywhere" bumps it."""
    from saas.db import public_db

    account_id, _, version = (user_id or "").partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    account = public_db().get(Account, int(account_id))
    if account is None or account.session_version != int(version):
        return None
    return account


def init_app(app) -> None:
    login_manager.init_app(app)
