"""The centre's public pages, /o/<slug>: the offer (Qualiopi indicator 1) and the accessibility statement.

No login, no cookie, no script, no form: what anyone may read about the centre. Showing the offer page
stores a new dated version first when its content changed (tenants/public_page/versions.py).
"""
from __future__ import annotations

from flask import g

from saas.htmx import render
from saas.i18n import paris_today
from saas.tenancy import public_blueprint, tenant_db
from tenants.public_page import accessibility, versions

bp = public_blueprint("public_page", __name__)

# Public, so a cache may keep it a little; the version is stored on the first view after a change.
CACHE = "public, max-age=300"


def _public(response):
    response.headers["Cache-Control"] = CACHE
    return response


@bp.get("")
def show():
    """The offer page as it stands, dated by its last change."""
    version = versions.snapshot(tenant_db(), g.centre, paris_today())
    return _public(render("public_page/show.html", version=version, compliance=accessibility.COMPLIANCE))


@bp.get("/accessibilite")
def accessibility_statement():
    """The accessibility statement (RGAA 4.1) from the centre's settings and the app's own audit."""
    return _public(render("public_page/accessibility.html", s=accessibility.statement(g.centre),
                          compliance=accessibility.COMPLIANCE, defenseur_form=accessibility.DEFENSEUR_FORM,
                          defenseur_delegates=accessibility.DEFENSEUR_DELEGATES,
                          defenseur_post=accessibility.DEFENSEUR_POST))
