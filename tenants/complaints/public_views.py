"""Filing a complaint from the centre's public page (/o/<slug>/reclamation) and from the portal.

Anyone may complain, without an account (Qualiopi indicator 31): throttled per address, a
honeypot field for robots, CSRF like every form; acknowledged by email at once.
"""
from __future__ import annotations

from flask import g

from saas.htmx import render
from saas.security import limiter
from saas.tenancy import public_blueprint, tenant_db
from tenants.complaints import handling
from tenants.complaints.forms import ComplaintForm
from tenants.portal.access import portal_blueprint

bp = public_blueprint("complaints", __name__, "/reclamation")
portal_bp = portal_blueprint("portal_complaints", __name__, url_prefix="/reclamation")

# Per address: a person with a real grievance files one or two; a flood is refused (429).
THROTTLE = "5/hour;20/day"


def _file(form: ComplaintForm, channel: str, page: str):
    if not form.validate_on_submit():
        return render(page, status=422, form=form, centre=g.centre)
    if not form.is_robot:  # a robot is shown the same thanks, and nothing is kept or sent
        db = tenant_db()
        handling.file_complaint(db, g.centre, channel=channel, name=form.name.data, email=form.email.data,
                                category=form.category.data, subject=form.subject.data, text=form.text.data)
        db.commit()
    return render("complaints/thanks.html", centre=g.centre, email=form.email.data, portal=channel == "portal")


@bp.get("/")
def new():
    """The complaint form, open to anyone."""
    return render("complaints/new_public.html", form=ComplaintForm(), centre=g.centre)


@bp.post("/")
@limiter.limit(THROTTLE, methods=["POST"])
def create():
    """Record the complaint and acknowledge it by email."""
    return _file(ComplaintForm(), "public", "complaints/new_public.html")


@portal_bp.get("/")
def portal_new():
    """The complaint form in the beneficiary's space, their address filled in."""
    from tenants.beneficiaries.models import Beneficiary

    person = tenant_db().get(Beneficiary, g.visitor.beneficiary_id)
    form = ComplaintForm(name=person.name if person else None, email=person.email if person else None)
    return render("complaints/new_portal.html", form=form, centre=g.centre)


@portal_bp.post("/")
@limiter.limit(THROTTLE, methods=["POST"])
def portal_create():
    """Record the complaint from the portal and acknowledge it by email."""
    return _file(ComplaintForm(), "portal", "complaints/new_portal.html")
