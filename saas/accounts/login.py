"""Flask-Login wiring: the cookies carry a server-side login session's id, checked on every request.

`sign_in` is the one way to log someone in (login, password reset, invitation,
signup). The session cookie's `_user_id` and the remember-me cookie both hold
the id of a `LoginSession` row (saas/accounts/sessions.py); the user loader
answers only while that row is live, so ending the row (logout, the profile
page, a password change) kills every copy of both cookies (OWASP ASVS 5.0 7.4.1).
"""
from __future__ import annotations

from flask import g, request, session
from flask_login import LoginManager, current_user, login_user, logout_user

from saas.accounts import sessions
from saas.accounts.models import Account, LoginSession

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "Connectez-vous pour accéder à cette page."
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


def sign_in(account: Account, *, remember: bool = False) -> None:
    """Open a new login session for `account` in this browser and commit the request's platform session."""
    from saas.db import public_db

    db = public_db()
    token, row = sessions.open_session(db, account.id, user_agent=request.user_agent.string, remember=remember)
    db.commit()
    g.login_session = row
    account.bind_login(token)
    login_user(account, remember=remember)


def current_login_session() -> LoginSession | None:
    """The LoginSession row behind this request's user, if logged in."""
    if not current_user.is_authenticated:
        return None
    return g.get("login_session")


def sign_out() -> None:
    """End this browser's login session on the server, then drop its cookies."""
    from saas.db import public_db

    row = current_login_session()
    if row is not None:
        db = public_db()
        sessions.end_session(db, db.merge(row))
        db.commit()
    logout_user()
    g.pop("login_session", None)


@login_manager.user_loader
def load_account(token: str) -> Account | None:
    """The account of the live login session with this id; None once it is ended or expired."""
    from saas.db import public_db

    centre = g.get("centre")  # set from the URL before any before_request function runs
    found = sessions.live_login(public_db(), token, centre_id=centre.id if centre is not None else None)
    if found is None:
        return None
    row, account, membership = found
    if centre is not None:
        # Read with the login, for saas/tenancy's membership check: one statement less per staff page.
        g.login_membership = (account.id, centre.id, membership)
    account.bind_login(token)
    g.login_session = row
    return account


def _check_login_session():
    """Before every request: load the user now (nothing written yet), record activity, drop dead cookies."""
    if request.endpoint == "static":
        return
    if current_user.is_authenticated:
        row = g.get("login_session")
        if row is not None and sessions.touch_due(row):
            from saas.db import public_db

            db = public_db()
            sessions.touch(db, row)
            db.commit()
    elif "_user_id" in session:
        # The session this cookie named was ended: forget it and delete the remember-me cookie too.
        logout_user()


def init_app(app) -> None:
    login_manager.init_app(app)
    app.before_request(_check_login_session)
