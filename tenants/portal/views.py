"""The beneficiary's entry: personal link pages, one-time code, portal home, text size."""
from __future__ import annotations

from flask import g, make_response, redirect, request, url_for

from saas.htmx import render
from saas.models import utcnow
from saas.security import limiter
from saas.tenancy import centre_blueprint, tenant_db
from tenants.portal import access, items, stepup
from tenants.portal.forms import CodeForm, TextSizeForm

bp = centre_blueprint("portal", __name__)
bp.context_processor(access.portal_context)

# Guessing tokens: every link URL shares one budget per address.
guessing = limiter.shared_limit("20/minute;200/day", scope="portal-token")


def _expired(token: str):
    # Unknown, other centre's, expired and revoked links all get this page, same status.
    return render("portal/link_expired.html", status=404, token=token)


@bp.get("/r/<token>", endpoint="open")
@guessing
def open_link(token):
    """A button, and nothing else: mail scanners open links before the person does."""
    link = access.find_link(tenant_db(), token)
    if link is None or access.link_state(tenant_db(), link) != "ok":
        return _expired(token)
    return render("portal/open.html", token=token, centre_name=g.centre.name, landing=_landing())


@bp.post("/r/<token>")
@guessing
def enter(token):
    """The person pressed the button: a portal session, then the clean URL."""
    db = tenant_db()
    link = access.find_link(db, token)
    if link is None or access.link_state(db, link) != "ok":
        return _expired(token)
    link.last_used_at = utcnow()
    db.add(link)
    db.commit()
    access.start_session(g.centre, link)
    # Straight to what the email was about (a questionnaire), else the home page.
    return redirect(_landing() or url_for("portal.home"), 303)


@bp.post("/r/<token>/renew")
@guessing
@limiter.limit("3/hour")
def renew(token):
    """Send a fresh link to the address on file; the answer never says whether the token existed."""
    db = tenant_db()
    link = access.find_link(db, token)
    if link is not None and access.send_fresh_link(db, g.centre, link):
        db.commit()
    return render("portal/link_sent.html")


@bp.get("/p/")
@access.visitor_required
def home():
    """What the beneficiary has to do, from every feature's portal_items."""
    db = tenant_db()
    beneficiary = access._beneficiary(db, g.visitor.beneficiary_id)
    return render("portal/home.html", items=items.collect(db, g.visitor),
                  name=getattr(beneficiary, "name", ""), centre_name=g.centre.name, centre=g.centre)


def _safe_next() -> str:
    return _landing() or url_for("portal.home")


def _landing() -> str | None:
    """The `next` path asked for, only if it stays inside this centre's portal (no open redirect)."""
    target = request.values.get("next", "")
    prefix = url_for("portal.home")
    if target.startswith(prefix) and "//" not in target and "\\" not in target and len(target) <= 300:
        return target
    return None


def _code_page(form: CodeForm | None = None, sent: bool | None = None, status: int = 200):
    db = tenant_db()
    beneficiary = access._beneficiary(db, g.visitor.beneficiary_id)
    form = form or CodeForm(formdata=None, data={"next": _safe_next()})
    return render("portal/code.html", status=status, form=form, next=_safe_next(),
                  sent=stepup.active_code(db, g.visitor) is not None if sent is None else sent,
                  address=stepup.mask_email(getattr(beneficiary, "email", "") or ""))


@bp.get("/p/code")
@access.visitor_required
def code():
    """Ask for the emailed code (sending one is a POST: scanners never trigger it)."""
    return _code_page()


@bp.post("/p/code/send")
@access.visitor_required
@limiter.limit("5/hour")
def send_code():
    """Email a new code to the address on file."""
    db = tenant_db()
    stepup.send_code(db, g.centre, g.visitor)
    db.commit()
    return redirect(url_for("portal.code", next=_safe_next()), 303)


@bp.post("/p/code")
@access.visitor_required
@limiter.limit("20/hour")
def check_code():
    """Check the typed code; 5 wrong tries kill it and a new one must be sent."""
    db = tenant_db()
    form = CodeForm()
    if not form.validate_on_submit():
        return _code_page(form, status=422)
    result = stepup.check_code(db, g.visitor, form.code.data)
    db.commit()
    if result == "ok":
        access.mark_code_verified()
        return redirect(_safe_next(), 303)
    if result == "wrong":
        form.code.errors.append("Code incorrect. Vérifiez les 6 chiffres reçus par e-mail.")
    else:  # the code field is gone: a new code must be sent first
        form.form_errors.append("Ce code n'est plus valable (expiré ou trop d'essais). Demandez un nouveau code.")
    return _code_page(form, sent=result == "wrong", status=422)


@bp.post("/p/text-size")
def set_text_size():
    """Remember the chosen text size in a cookie (no portal session needed)."""
    form = TextSizeForm()
    response = make_response(redirect(_safe_next(), 303))
    if form.validate_on_submit():
        response.set_cookie(access.TEXT_SIZE_COOKIE, form.size.data, max_age=365 * 86400, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response


@bp.post("/p/logout")
def logout():
    """Close the portal session on this browser."""
    access.end_session(g.centre)
    return render("portal/logged_out.html")

