"""The public page's texts and its version history (admins; the auditor gets the versions in the audit pack)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from saas.accounts.roles import admin_required
from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import staff_blueprint, tenant_db
from tenants.public_page import settings, versions
from tenants.public_page.forms import DayForm, PublicPageForm

bp = staff_blueprint("public_page_admin", __name__, url_prefix="/admin/page-publique")


def _edit(form=None, status=200):
    db = tenant_db()
    texts = settings.settings_for(db)
    if form is None:
        form = PublicPageForm(obj=texts)
        form.price.data = texts.price_cents
    return render("public_page/edit.html", status=status, form=form, latest=versions.last_version(db))


@bp.get("/")
@admin_required
def edit():
    """The page's editable texts (methods, access modalities, places, price)."""
    return _edit()


@bp.post("/")
@admin_required
def update():
    """Save the texts; the page's new content becomes a new dated version at once."""
    form = PublicPageForm()
    if not form.validate_on_submit():
        return _edit(form, 422)
    db = tenant_db()
    settings.save(db, methods=form.methods.data or "", access_modalities=form.access_modalities.data or "",
                  places=form.places.data or "", price_cents=form.price.data)
    db.commit()
    before = versions.last_version(db)
    after = versions.snapshot(db, g.centre, paris_today())
    flash("Page publique mise à jour : nouvelle version enregistrée." if before is None or after.number != before.number
          else "Textes enregistrés : la page publique n'a pas changé.")
    return redirect(url_for("public_page_admin.edit"), 303)


@bp.get("/versions")
@admin_required
def history():
    """Every version with its dates, and what the page said on a chosen day."""
    db = tenant_db()
    asked = "day" in request.args
    form = DayForm(formdata=request.args if asked else None, meta={"csrf": False})
    if asked and form.validate():
        found = versions.in_force_on(db, form.day.data)
        if found is not None:
            return redirect(url_for("public_page_admin.version", number=found.number), 303)
        form.day.errors.append("La page publique n'existait pas encore ce jour-là.")
    rows = versions.all_versions(db)
    ends = {v.number: (rows[i - 1].created_at if i else None) for i, v in enumerate(rows)}
    status = 422 if form.errors else 200
    return render("public_page/versions.html", status=status, rows=rows, ends=ends, form=form)


@bp.get("/versions/<int:number>")
@admin_required
def version(number: int):
    """What the page said while this version was in force."""
    db = tenant_db()
    found = versions.by_number(db, number)
    if found is None:
        abort(404)
    following = versions.next_of(db, found)
    return render("public_page/version.html", version=found, until=following.created_at if following else None)
