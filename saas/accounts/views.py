"""Login, logout, centre switching, password change and reset, joining by invitation."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, logout_user
from sqlmodel import select

from saas.accounts import mailing, queries, sessions
from saas.accounts.forms import (
    ChangePasswordForm,
    JoinForm,
    LoginForm,
    NewPasswordForm,
    PostedEmailForm,
    ResetRequestForm,
)
from saas.accounts.login import current_login_session, sign_in, sign_out
from saas.accounts.models import Account, Invitation, LoginSession, Membership, PasswordReset
from saas.accounts.passwords import hash_password, verify_password
from saas.centres.models import Centre
from saas.db import public_db
from saas.models import utcnow
from saas.security import limiter
from saas.tokens import hash_token, new_token

bp = Blueprint("accounts", __name__)

RESET_VALIDITY = timedelta(hours=1)
SAME_ANSWER_LOGIN = "Adresse e-mail ou mot de passe incorrect."
SAME_ANSWER_RESET = ("Si un compte existe pour cette adresse, un e-mail avec un lien de "
                     "réinitialisation vient d'être envoyé. Le lien est valable une heure.")


def _posted_email() -> str:
    # A rate limit's key, not stored data: bounding its length is no truncation of what was typed.
    return "account:" + queries.normalise_email(PostedEmailForm().email.data or "")[:254]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def landing_url(account: Account) -> str:
    centres = queries.centres_of(public_db(), account.id)
    if len(centres) == 1:
        return url_for("dashboard.index", slug=centres[0][0].slug)
    return url_for("accounts.centres")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])                      # per address
@limiter.limit("10/minute;50/day", methods=["POST"], key_func=_posted_email)  # per account
def login():
    """Log in; the same answer whether the address is known or not."""
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = queries.account_by_email(public_db(), form.email.data)
        if verify_password(account.password_hash if account else None, form.password.data):
            sign_in(account, remember=form.remember.data)
            return redirect(safe_next(form.next.data) or landing_url(account), 303)
        form.password.errors.append(SAME_ANSWER_LOGIN)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End this browser's session on the server: a copy of its cookies no longer opens anything."""
    sign_out()
    flash("Vous êtes déconnecté.")
    return redirect(url_for("public.home"), 303)


@bp.get("/centres")
@login_required
def centres():
    """The centres this person belongs to, with their role in each."""
    rows = queries.centres_of(public_db(), current_user.id)
    return render_template("accounts/centres.html", rows=rows)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    """Change one's password: every other session of the account ends; the open sessions, listed."""
    form = ChangePasswordForm()
    db = public_db()
    if form.validate_on_submit():
        account = db.get(Account, current_user.id)
        if not verify_password(account.password_hash, form.current.data):
            form.current.errors.append("Mot de passe actuel incorrect.")
        else:
            account.password_hash = hash_password(form.password.data)
            db.add(account)
            sessions.end_sessions(db, account.id, keep=current_login_session())
            db.commit()
            flash("Mot de passe modifié. Vos autres sessions ont été fermées.")
            return redirect(url_for("accounts.profile"), 303)
    status = 422 if request.method == "POST" else 200
    current = current_login_session()
    return render_template("accounts/profile.html", form=form,
                           login_sessions=sessions.open_sessions(db, current_user.id),
                           current_session_id=current.id if current is not None else None), status


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """End one of this account's sessions (a lost phone, a shared computer); this one logs out."""
    db = public_db()
    row = db.get(LoginSession, session_id)
    if row is None or row.account_id != current_user.id or not sessions.is_live(row):
        abort(404)
    current = current_login_session()
    if current is not None and current.id == row.id:
        sign_out()
        flash("Vous êtes déconnecté.")
        return redirect(url_for("accounts.login"), 303)
    sessions.end_session(db, row)
    db.commit()
    flash(f"La session « {row.device} » a été fermée.")
    return redirect(url_for("accounts.profile"), 303)


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session and remember-me cookie of this account, this one included."""
    db = public_db()
    sessions.end_sessions(db, current_user.id)
    db.commit()
    logout_user()
    flash("Toutes vos sessions ont été fermées.")
    return redirect(url_for("accounts.login"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10/minute", methods=["POST"])
@limiter.limit("3/hour", methods=["POST"], key_func=_posted_email)
def forgot_password():
    """Ask for a reset link; the answer never says whether the account exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        db = public_db()
        account = queries.account_by_email(db, form.email.data)
        if account is not None:
            token, token_hash = new_token()
            db.add(PasswordReset(account_id=account.id, token_hash=token_hash,
                                 expires_at=utcnow() + RESET_VALIDITY))
            mailing.send_reset_link(db, account, token)
            db.commit()
        flash(SAME_ANSWER_RESET)
        return redirect(url_for("accounts.login"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/forgot.html", form=form), status


def _valid_reset(token: str) -> PasswordReset | None:
    found = public_db().exec(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))).first()
    if found is None or found.used_at is not None or found.expires_at < utcnow():
        return None
    return found


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def reset_password(token: str):
    """GET shows the form and changes nothing (mail scanners); POST sets the password."""
    reset = _valid_reset(token)
    if reset is None:
        return render_template("accounts/link_expired.html", kind="reset"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        db = public_db()
        account = db.get(Account, reset.account_id)
        account.password_hash = hash_password(form.password.data)
        reset.used_at = utcnow()
        db.add_all([account, reset])
        # Whoever knew the old password is signed out everywhere; this browser gets a new session.
        sessions.end_sessions(db, account.id)
        sign_in(account)
        flash("Votre mot de passe a été changé.")
        return redirect(landing_url(account), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/reset.html", form=form, token=token), status


def _valid_invitation(token: str) -> Invitation | None:
    found = public_db().exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()
    if found is None or found.accepted_at or found.revoked_at or found.expires_at < utcnow():
        return None
    return found


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["POST"])
def join(token: str):
    """Accept an invitation: set a password (new person) or confirm (existing account)."""
    invitation = _valid_invitation(token)
    if invitation is None:
        return render_template("accounts/link_expired.html", kind="invitation"), 410
    db = public_db()
    centre = db.get(Centre, invitation.centre_id)
    if centre is None or not centre.is_active:
        abort(404)
    account = queries.account_by_email(db, invitation.email)
    form = JoinForm(name=invitation.name)
    if account is not None:
        if request.method == "POST":
            if not current_user.is_authenticated or current_user.id != account.id:
                return redirect(url_for("accounts.login", next=request.path), 303)
            _accept(db, invitation, account)
            return redirect(url_for("dashboard.index", slug=centre.slug), 303)
        return render_template("accounts/join.html", invitation=invitation, centre=centre, account=account)
    if form.validate_on_submit():
        account = Account(email=queries.normalise_email(invitation.email), name=form.name.data,
                          password_hash=hash_password(form.password.data))
        db.add(account)
        db.flush()
        _accept(db, invitation, account)
        sign_in(account)
        return redirect(url_for("dashboard.index", slug=centre.slug), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("accounts/join.html", invitation=invitation, centre=centre, account=None,
                           form=form), status


def _accept(db, invitation: Invitation, account: Account) -> None:
    if queries.membership(db, account.id, invitation.centre_id) is None:
        db.add(Membership(account_id=account.id, centre_id=invitation.centre_id, role=invitation.role))
    invitation.accepted_at = utcnow()
    db.add(invitation)
    db.commit()
    flash("Bienvenue ! Vous avez rejoint le centre.")
