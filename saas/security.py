"""Security defaults: CSRF, same-origin requests, throttling, cookies and response headers."""
from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from saas.errors import BilanError

log = logging.getLogger(__name__)

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# Only our own scripts and styles; no inline script (htmx's inline indicator
# styles are switched off in layout.html's htmx-config meta).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'; frame-ancestors 'none'")


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": 80, "https": 443}
CROSS_SITE_REFUSED = ("Cette action a été envoyée depuis un autre site : elle a été refusée. "
                      "Rechargez la page dans Bilan, puis recommencez.")


def _origin_of(url: str) -> str | None:
    """scheme://host[:port], lowercased, default port dropped; None if it is not an http(s) origin."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return f"{scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS[scheme] else "")


def own_origins() -> set[str]:
    """BASE_URL's origin and the one this request was addressed to (Host header)."""
    return {o for o in (_origin_of(current_app.config["BASE_URL"]), _origin_of(request.host_url)) if o}


def cross_site_reason() -> str | None:
    """Why this request must be refused as coming from another site, else None.

    A valid CSRF token is not enough (a token can leak); the browser's own
    headers say where a request comes from (OWASP CSRF cheat sheet, "Verifying
    origin with standard headers"; Fetch Metadata). `Origin`, when it names a
    site, must be ours. `Sec-Fetch-Site`: `cross-site` is refused; `same-site`
    (a sibling subdomain) only with our own Origin; `same-origin` and `none`
    (typed by the user) pass.

    `Origin: null` is what browsers send for our own forms and htmx posts:
    with `Referrer-Policy: no-referrer` (below) the Fetch standard serializes
    the origin of a non-CORS POST as "null". So "null" is judged by
    `Sec-Fetch-Site` alone. Clients that send neither header (curl, Safari
    before 16.4 on old iPhones) rely on the CSRF token alone.
    """
    if request.method not in STATE_CHANGING:
        return None
    origin = request.headers.get("Origin")
    ours = origin is not None and _origin_of(origin) in own_origins()
    if origin is not None and origin.strip() != "null" and not ours:
        return "origin"
    fetch_site = (request.headers.get("Sec-Fetch-Site") or "").lower()
    if fetch_site == "cross-site":
        return "sec-fetch-site cross-site"
    if fetch_site == "same-site" and not ours:
        return "sec-fetch-site same-site"
    return None


def refuse_cross_site() -> None:
    """before_request, ahead of every view and of the CSRF check: 403 with a French page."""
    reason = cross_site_reason()
    if reason is not None:
        log.warning("cross-site %s refused on %s (%s)", request.method, request.endpoint, reason)
        raise BilanError(CROSS_SITE_REFUSED, 403)


def init_app(app) -> None:
    secure = app.config["BASE_URL"].startswith("https://")
    # Flask ships defaults for these keys, so they are set, not defaulted.
    app.config.update(
        SESSION_COOKIE_NAME="bilan_session", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure, REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure, REMEMBER_COOKIE_DURATION=timedelta(days=30),
    )
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # tied to the session instead
    app.config.setdefault("WTF_I18N_ENABLED", False)  # WTForms messages in French via Meta.locales
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    app.before_request(refuse_cross_site)  # registered first: runs before any other check or view
    csrf.init_app(app)
    limiter.init_app(app)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        # Links carry tokens: never leak a URL to another site.
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages, fragments and downloads (PDF, .ics, exports) hold personal data: no copy in any cache.
        # Only our static assets may be cached (saas/downloads.py sets it on every file too).
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
