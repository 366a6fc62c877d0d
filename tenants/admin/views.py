"""Centre administration (admins only): members, invitations, centre details."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, g, redirect, url_for
from flask_login import current_user

from saas.accounts import queries
from saas.accounts.forms import InviteForm
from saas.accounts.models import Invitation, Membership
from saas.accounts.roles import ROLE_LABELS, admin_required, is_admin
from saas.centres.models import Centre
from saas.errors import NotFound, RuleViolation
from saas.htmx import is_htmx, render
from saas.i18n import paris_today
from saas.limits import body_limit
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from saas.tokens import new_token
from tenants.admin import branding, mailing
from tenants.admin.forms import CentreDetailsForm, LogoForm
from tenants.admin.qualiopi import qualiopi_warning
from tenants.bilans import certificate

bp = staff_blueprint("admin", __name__, url_prefix="/admin")

INVITATION_VALIDITY = timedelta(days=7)
def _page(invite_form=None, details_form=None, status=200, logo_form=None):
    db = tenant_db()
    centre = db.get(Centre, g.centre.id)
    return render("admin/index.html", "admin/_invitations.html", status=status,
                  centre=centre, members=queries.members_of(db, centre.id),
                  invitations=queries.pending_invitations(db, centre.id, utcnow()),
                  invite_form=invite_form or InviteForm(), roles=ROLE_LABELS,
                  details_form=details_form or CentreDetailsForm(obj=centre),
                  logo_form=logo_form or LogoForm(),
                  warning=qualiopi_warning(centre, paris_today()),
                  signatory_missing=certificate.signatory_missing(centre))


@bp.get("/")
@admin_required
def index():
    """Members, pending invitations, centre details and Qualiopi warning."""
    return _page()


@bp.post("/invitations")
@admin_required
def invite():
    """Invite by email; htmx gets the invitations block back."""
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(invite_form=form, status=422)
    db = tenant_db()
    existing = queries.account_by_email(db, form.email.data)
    if existing is not None and queries.membership(db, existing.id, g.centre.id) is not None:
        form.email.errors.append("Cette personne est déjà membre du centre.")
        return _page(invite_form=form, status=422)
    token, token_hash = new_token()
    db.add(Invitation(centre_id=g.centre.id, email=queries.normalise_email(form.email.data), name=form.name.data,
                      role=form.role.data, token_hash=token_hash, invited_by=current_user.id,
                      expires_at=utcnow() + INVITATION_VALIDITY))
    mailing.send_invitation(db, g.centre, email=form.email.data, name=form.name.data, role=form.role.data,
                            inviter=current_user.name, token=token)
    db.commit()
    flash(f"Invitation envoyée à {form.email.data}.")
    if is_htmx():
        return _page()
    return redirect(url_for("admin.index"), 303)


@bp.post("/invitations/<int:invitation_id>/revoke")
@admin_required
def revoke(invitation_id: int):
    db = tenant_db()
    invitation = db.get(Invitation, invitation_id)
    if invitation is None or invitation.centre_id != g.centre.id:
        raise NotFound("Invitation introuvable.")
    invitation.revoked_at = utcnow()
    db.commit()
    if is_htmx():
        return _page()
    return redirect(url_for("admin.index"), 303)


@bp.post("/members/<int:membership_id>/remove")
@admin_required
def remove_member(membership_id: int):
    """Remove someone from the centre; the last admin cannot leave it headless."""
    db = tenant_db()
    membership = db.get(Membership, membership_id)
    if membership is None or membership.centre_id != g.centre.id:
        raise NotFound("Membre introuvable.")
    admins = [m for _, m in queries.members_of(db, g.centre.id) if is_admin(m)]
    if is_admin(membership) and len(admins) <= 1:
        raise RuleViolation("Le centre doit garder au moins un administrateur.")
    db.delete(membership)
    db.commit()
    flash("Membre retiré du centre.")
    return redirect(url_for("admin.index"), 303)


@bp.post("/centre")
@admin_required
def update_centre():
    """Legal ids, address, legal representative (signs the certificates), Qualiopi, référent handicap."""
    form = CentreDetailsForm()
    if not form.validate_on_submit():
        return _page(details_form=form, status=422)
    db = tenant_db()
    centre = db.get(Centre, g.centre.id)
    form.populate_obj(centre)
    centre.qualiopi_number = centre.qualiopi_number or None
    centre.legal_representative_name = centre.legal_representative_name or None
    centre.legal_representative_title = centre.legal_representative_title or None
    centre.disability_contact_name = centre.disability_contact_name or None
    centre.disability_contact_email = (centre.disability_contact_email or "").lower() or None
    centre.contact_email = (centre.contact_email or "").lower() or None
    centre.contact_phone = centre.contact_phone or None
    centre.address_street = centre.address_street or None
    centre.address_postcode = centre.address_postcode or None
    centre.address_city = centre.address_city or None
    centre.brand_colour = centre.brand_colour or None
    db.add(centre)
    db.commit()
    flash("Informations du centre enregistrées.")
    return redirect(url_for("admin.index"), 303)




@bp.post("/logo")
@body_limit(file_bytes=branding.LOGO_MAX_BYTES)
@admin_required
def upload_logo():
    """The centre's logo, on its pages, its portal and its documents (tenants/admin/branding.py)."""
    form = LogoForm()
    if not form.validate_on_submit():
        return _page(logo_form=form, status=422)
    upload = form.logo.data
    data = upload.read(branding.LOGO_MAX_BYTES + 1) if upload and upload.filename else b""
    try:
        branding.save_logo(tenant_db(), g.centre.id, data)
    except RuleViolation as exc:
        form.logo.errors = [str(exc)]
        return _page(logo_form=form, status=422)
    flash("Logo enregistré.")
    return redirect(url_for("admin.index") + "#centre-brand", 303)


@bp.post("/logo/remove")
@admin_required
def remove_logo():
    branding.remove_logo(tenant_db(), g.centre.id)
    flash("Logo retiré.")
    return redirect(url_for("admin.index") + "#centre-brand", 303)
