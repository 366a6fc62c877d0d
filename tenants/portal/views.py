"""The beneficiary's entry: personal link pages, one-time code, portal home, text size."""
from __future__ import annotations

from flask import g, make_response, redirect, request, url_for

from saas.htmx import render
from saas.models import utcnow
from saas.security import limiter
from saas.tenancy import centre_blueprint, tenant_db
from tenants.portal import access, items, stepup

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
    return render("portal/open.html", token=token, centre_name=g.centre.name)


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
    return redirect(url_for("portal.home"), 303)


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
    target = request.values.get("next", "")
    prefix = url_for("portal.home")
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return prefix


@bp.get("/p/code")
@access.visitor_required
def code():
    """Ask for the emailed code (sending one is a POST: scanners never trigger it)."""
    db = tenant_db()
    beneficiary = access._beneficiary(db, g.visitor.beneficiary_id)
    return render("portal/code.html", next=_safe_next(), sent=stepup.active_code(db, g.visitor) is not None,
                  address=stepup.mask_email(getattr(beneficiary, "email", "") or ""), message=None)


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
    result = stepup.check_code(db, g.visitor, request.form.get("code", ""))
    db.commit()
    if result == "ok":
        access.mark_code_verified()
        return redirect(_safe_next(), 303)
    beneficiary = access._beneficiary(db, g.visitor.beneficiary_id)
    message = ("Code incorrect. Vérifiez les 6 chiffres reçus par e-mail." if result == "wrong" else
               "Ce code n'est plus valable (expiré ou trop d'essais). Demandez un nouveau code.")
    return render("portal/code.html", status=422, next=_safe_next(), sent=result == "wrong",
                  address=stepup.mask_email(getattr(beneficiary, "email", "") or ""), message=message)


@bp.post("/p/text-size")
def set_text_size():
    """Remember the chosen text size in a cookie (no portal session needed)."""
    size = request.form.get("size", "")
    response = make_response(redirect(_safe_next(), 303))
    if size in access.TEXT_SIZES:
        response.set_cookie(access.TEXT_SIZE_COOKIE, size, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


@bp.post("/p/logout")
def logout():
    """Close the portal session on this browser."""
    access.end_session(g.centre)
    return render("portal/logged_out.html")

