"""The employer's own link to the draft agreement: view it, then transmit it to the employee (R6313-8).

Not a beneficiary page: no portal session, the token itself is the key (stored as
its sha256, expiring). Mail scanners open links first, so GET only shows the
draft and a button; the POST records the transmission and emails the employee.
"""
from __future__ import annotations

from functools import wraps

from flask import g, redirect, url_for

from saas.downloads import pdf_response
from saas.htmx import render
from saas.i18n import to_paris
from saas.models import utcnow
from saas.security import limiter
from saas.tenancy import centre_blueprint, tenant_db
from tenants.agreements import clock, sendings, transmission
from tenants.beneficiaries.models import Beneficiary
from tenants.bilans.models import Bilan

bp = centre_blueprint("agreement_links", __name__, url_prefix="/convention")
guessing = limiter.shared_limit("20/minute;200/day", scope="portal-token")


def _found(token: str):
    """(agreement, bilan) of a usable link, else None (unknown, expired, other centre: same answer)."""
    db = tenant_db()
    agreement = transmission.find_by_token(db, token)
    if agreement is None or not transmission.link_usable(agreement, utcnow()):
        return None
    bilan = db.get(Bilan, agreement.bilan_id)
    return (agreement, bilan) if bilan is not None else None


def _closed():
    return render("agreements/employer_closed.html", status=404)


def _by_link(view):
    """Load the link's agreement and bilan once for `view(token, agreement, bilan)`; a closed link gets
    the same page whatever the reason."""
    @wraps(view)
    def wrapped(token: str):
        found = _found(token)
        return _closed() if found is None else view(token, *found)
    return wrapped


@bp.get("/<token>", endpoint="show")
@guessing
@_by_link
def show(token: str, agreement, bilan):
    """The draft and one button; opening the link changes nothing."""
    db = tenant_db()
    return render("agreements/employer.html", token=token, agreement=agreement,
                  person=db.get(Beneficiary, bilan.beneficiary_id),
                  state=clock.clock_state(agreement, to_paris(utcnow()).date()))


@bp.get("/<token>/convention.pdf")
@guessing
@_by_link
def pdf(token: str, agreement, bilan):
    """The draft as a PDF (reading only)."""
    return pdf_response(sendings.render_pdf(tenant_db(), g.centre, agreement, bilan), sendings.PDF_NAME)


@bp.post("/<token>")
@guessing
@_by_link
def transmit(token: str, agreement, bilan):
    """The employer transmits the draft to the employee today: the 10 days start (R6313-8)."""
    if agreement.status == "with_employer":
        now = utcnow()
        transmission.transmit(tenant_db(), agreement, bilan, on=to_paris(now).date(), method="employer_link",
                              now=now, actor=f"{agreement.employer_name} (employeur)")
        tenant_db().commit()
    return redirect(url_for("agreement_links.show", token=token), 303)
