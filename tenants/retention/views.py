"""Retention pages: the centre's reminder and retention settings (admins).

A bilan's destruction certificate is on the bilan blueprint, in tenants/retention/bilan_views.py.
"""
from __future__ import annotations

from flask import flash, g, redirect, url_for

from saas.accounts.roles import admin_required
from saas.htmx import is_htmx, render
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.retention.forms import RetentionSettingsForm
from tenants.retention.models import SETTINGS_ID, RetentionSettings, settings_for

bp = staff_blueprint("retention", __name__, url_prefix="/retention")


@bp.get("/settings")
@admin_required
def edit():
    """Delays of reminders, grace period, abandonment, follow-up."""
    settings = settings_for(tenant_db())
    form = RetentionSettingsForm(obj=settings)
    form.load_texts(settings.texts or {})
    return render("retention/settings.html", "retention/_settings_form.html", form=form, **_grace_context(settings))


def _grace_context(settings: RetentionSettings) -> dict:
    """The destruction delay as the admin reads it: what it means, who chose it and when."""
    from saas.accounts.models import Account
    from tenants.retention.destruction import grace_explained

    chooser = tenant_db().get(Account, settings.grace_set_by) if settings.grace_set_by else None
    return {"grace_text": grace_explained(settings), "grace_set_at": settings.grace_set_at,
            "grace_set_by": chooser.name if chooser is not None else None}


@bp.post("/settings")
@admin_required
def update():
    """Save the settings; invalid input comes back with its messages (422)."""
    form = RetentionSettingsForm()
    db = tenant_db()
    if not form.validate_on_submit():
        return render("retention/settings.html", "retention/_settings_form.html", status=422, form=form,
                      **_grace_context(settings_for(db)))
    settings = db.get(RetentionSettings, SETTINGS_ID) or RetentionSettings(id=SETTINGS_ID)
    before = (settings.grace_days, settings.grace_reason)
    if not form.grace_days.data:
        form.grace_reason.data = ""
    for name, field in form._fields.items():
        if hasattr(RetentionSettings, name) and name not in ("id", "texts", "updated_at"):
            setattr(settings, name, field.data)
    if (settings.grace_days, settings.grace_reason) != before:
        settings.grace_set_by, settings.grace_set_at = g.membership.account_id, utcnow()
    settings.texts = form.texts()
    settings.updated_at = utcnow()
    db.add(settings)
    db.commit()
    flash("Paramètres des rappels et de la conservation enregistrés.")
    if is_htmx():
        return render("retention/settings.html", "retention/_settings_form.html", form=form,
                      **_grace_context(settings))
    return redirect(url_for("retention.edit"), 303)
