"""Retention pages: the centre's reminder and retention settings (admins), and resolving a flag.

A bilan's destruction certificate is on the bilan blueprint, in tenants/retention/bilan_views.py.
"""
from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, request, url_for

from saas.accounts.roles import admin_required, bilan_scope
from saas.htmx import is_htmx, render
from saas.models import utcnow
from saas.tenancy import staff_blueprint, tenant_db
from tenants.retention.forms import RetentionSettingsForm
from tenants.retention.models import SETTINGS_ID, Flag, RetentionSettings, settings_for

bp = staff_blueprint("retention", __name__, url_prefix="/retention")


@bp.get("/settings")
@admin_required
def edit():
    """Delays of reminders, grace period, abandonment, follow-up."""
    settings = settings_for(tenant_db())
    form = RetentionSettingsForm(obj=settings)
    form.load_texts(settings.texts or {})
    return render("retention/settings.html", "retention/_settings_form.html", form=form)


@bp.post("/settings")
@admin_required
def update():
    """Save the settings; invalid input comes back with its messages (422)."""
    form = RetentionSettingsForm()
    if not form.validate_on_submit():
        return render("retention/settings.html", "retention/_settings_form.html", status=422, form=form)
    db = tenant_db()
    settings = db.get(RetentionSettings, SETTINGS_ID) or RetentionSettings(id=SETTINGS_ID)
    for name, field in form._fields.items():
        if hasattr(RetentionSettings, name) and name not in ("id", "texts", "updated_at"):
            setattr(settings, name, field.data)
    settings.texts = form.texts()
    settings.updated_at = utcnow()
    db.add(settings)
    db.commit()
    flash("Paramètres des rappels et de la conservation enregistrés.")
    if is_htmx():
        return render("retention/settings.html", "retention/_settings_form.html", form=form)
    return redirect(url_for("retention.edit"), 303)


@bp.post("/flags/<flag_id>/resolve")
def resolve(flag_id: str):
    """Mark a flag as seen and handled."""
    db = tenant_db()
    flag = db.get(Flag, flag_id)
    scope = bilan_scope(g.membership)  # a flag is seen by its bilan's consultant, and admins
    if flag is None or (scope is not None and flag.consultant_id != scope):
        abort(404)
    flag.resolved_at = utcnow()
    db.add(flag)
    db.commit()
    if is_htmx():
        return make_response("", 200)
    return redirect(request.referrer or url_for("dashboard.index"), 303)
