"""Signup: the form, the verification email, and the POST that creates the centre."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlmodel import delete, select

from saas.accounts import queries
from saas.accounts.login import sign_in
from saas.accounts.models import Account
from saas.accounts.passwords import hash_password
from saas.centres.models import Centre
from saas.db import public_db
from saas.i18n import de
from saas.models import utcnow
from saas.security import limiter
from saas.signup import mailing
from saas.signup.forms import SignupForm, SlugCheckForm
from saas.signup.identifiers import suggest_slug
from saas.signup.models import PendingSignup
from saas.signup.provision import SlugTaken, create_centre
from saas.tokens import hash_token, new_token

bp = Blueprint("signup", __name__, url_prefix="/signup")

SIGNUP_VALIDITY = timedelta(hours=48)
SLUG_TAKEN = "Cette adresse est déjà prise : choisissez-en une autre."


def slug_taken(slug: str) -> bool:
    return public_db().exec(select(Centre.id).where(Centre.slug == slug.lower())).first() is not None


@bp.get("/")
def form():
    """The signup form."""
    return render_template("signup/form.html", form=SignupForm())


@bp.post("/")
@limiter.limit("10/hour")
def submit():
    """Check everything, keep what was typed, send the verification email."""
    form = SignupForm()
    valid = form.validate_on_submit()
    if form.slug.data and not form.slug.errors and slug_taken(form.slug.data):
        form.slug.errors.append(SLUG_TAKEN)
        valid = False
    if not valid:
        return render_template("signup/form.html", form=form), 422
    db = public_db()
    token, token_hash = new_token()
    db.add(PendingSignup(
        token_hash=token_hash, centre_name=form.centre_name.data, slug=form.slug.data,
        siret=form.siret.data, nda=form.nda.data, qualiopi_number=form.qualiopi_number.data or None,
        qualiopi_expires_on=form.qualiopi_expires_on.data, admin_name=form.admin_name.data,
        admin_email=queries.normalise_email(form.admin_email.data),
        password_hash=hash_password(form.password.data), expires_at=utcnow() + SIGNUP_VALIDITY))
    mailing.send_verification(db, to=form.admin_email.data, name=form.admin_name.data,
                              centre_name=form.centre_name.data, token=token)
    db.commit()
    return redirect(url_for("signup.sent"), 303)


@bp.get("/sent")
def sent():
    return render_template("signup/sent.html")


@bp.get("/check-slug")
def check_slug():
    """Inline validation as the slug is typed (htmx): the message alone."""
    form = SlugCheckForm(formdata=request.args)
    if not form.slug.data and form.centre_name.data:
        form.slug.data = suggest_slug(form.centre_name.data)
    slug = form.slug.data or ""
    problem = (form.slug.errors[0] if not form.validate() and form.slug.errors else None) or (
        SLUG_TAKEN if slug_taken(slug) else None)
    return render_template("signup/_slug_status.html", slug=slug, problem=problem)


def _pending(token: str) -> PendingSignup | None:
    found = public_db().exec(select(PendingSignup).where(PendingSignup.token_hash == hash_token(token))).first()
    if found is None or found.expires_at < utcnow():
        return None
    return found


@bp.get("/verify/<token>")
def verify(token: str):
    """Shows a button and changes nothing: mail scanners open links before people do."""
    pending = _pending(token)
    if pending is None:
        return render_template("accounts/link_expired.html", kind="signup"), 410
    return render_template("signup/verify.html", pending=pending, token=token)


@bp.post("/verify/<token>")
@limiter.limit("20/minute")
def confirm(token: str):
    """Create the centre, log the admin in, land on the dashboard."""
    pending = _pending(token)
    if pending is None:
        return render_template("accounts/link_expired.html", kind="signup"), 410
    db = public_db()
    account = queries.account_by_email(db, pending.admin_email) or Account(
        email=pending.admin_email, name=pending.admin_name, password_hash=pending.password_hash)
    db.expunge_all()
    db.rollback()  # provisioning uses its own connections: hold none meanwhile
    try:
        centre = create_centre(name=pending.centre_name, slug=pending.slug, siret=pending.siret, nda=pending.nda,
                               qualiopi_number=pending.qualiopi_number,
                               qualiopi_expires_on=pending.qualiopi_expires_on, admin=account)
    except SlugTaken:
        _forget(db, pending)
        flash("Entre-temps, l'adresse choisie a été prise par un autre centre. Recommencez avec une autre adresse.",
              "error")
        return redirect(url_for("signup.form"), 303)
    _forget(db, pending)
    sign_in(queries.account_by_email(db, pending.admin_email))
    flash(f"Bienvenue ! L'espace {de(centre.name)} est prêt.")
    return redirect(url_for("dashboard.index", slug=centre.slug), 303)


def _forget(db, pending: PendingSignup) -> None:
    db.exec(delete(PendingSignup).where(PendingSignup.id == pending.id))
    db.commit()
