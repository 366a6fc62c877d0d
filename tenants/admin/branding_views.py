"""Public resources of a centre's brand: its colour as a stylesheet, its logo.

Public like the centre's name: the portal and the 360° respondents' pages show them
before anyone logs in. The colour is a stylesheet because the CSP forbids inline
styles (saas/security.py).
"""
from __future__ import annotations

from flask import Response, abort, g

from saas.centres.branding import normalised
from saas.tenancy import centre_blueprint, tenant_db
from tenants.admin.branding import logo_of

bp = centre_blueprint("branding", __name__)

# The URL carries the colour or the logo's digest (?v=...): a change is a new URL.
CACHE = "public, max-age=86400"


@bp.get("/brand.css")
def stylesheet():
    colour = normalised(g.centre.brand_colour) if g.centre.brand_colour else None
    body = f":root {{ --brand: {colour}; --brand-ink: #fff; }}\n" if colour else ""
    return Response(body, mimetype="text/css", headers={"Cache-Control": CACHE})


@bp.get("/logo")
def logo():
    found = logo_of(tenant_db()) if g.centre.has_logo else None
    if found is None:
        abort(404)
    return Response(bytes(found.content), mimetype=found.content_type,
                    headers={"Cache-Control": CACHE, "X-Content-Type-Options": "nosniff"})
