"""Security by default: headers, cookies, CSRF, throttling, health check."""
from __future__ import annotations

import pytest

from saas.security import CSP


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "frame-ancestors 'none'" in CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_no_inline_script_in_pages(client):
    import re

    for path in ("/", "/login", "/signup/", "/password/forgot"):
        html = client.get(path).text
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert not re.search(r"<[^>]+\son[a-z]+=", html), path
        assert not re.search(r"<[^>]+\sstyle=", html), path


def test_healthz_reports_database(app, client):
    assert client.get("/healthz").status_code == 200
    app.extensions["db"].engine.dispose()
    from sqlalchemy import create_engine

    app.extensions["db"].engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert client.get("/healthz").status_code == 503


@pytest.fixture
def app_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_forms_refuse_posts_without_csrf_token(client, make_centre):
    lyon = make_centre("lyon")
    response = client.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password})
    assert response.status_code == 400
    assert "/c/lyon/" not in response.headers.get("Location", "")


@pytest.mark.parametrize("app_config", [{"BASE_URL": "https://bilan.example"}], indirect=True)
def test_cookies_are_secure_httponly_lax_over_https(client, make_centre):
    lyon = make_centre("lyon")
    response = client.post("/login", data={"email": lyon.owner.email, "password": lyon.owner.password,
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_login_is_throttled_per_account(client, make_centre):
    lyon = make_centre("lyon")
    statuses = [client.post("/login", data={"email": lyon.owner.email, "password": "mauvais mot de passe"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(12)]
    assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]
    # ... and the throttle page is French, not a stack trace.
    page = client.post("/login", data={"email": lyon.owner.email, "password": "x"})
    assert "Trop de tentatives" in page.text


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_password_reset_is_throttled_per_address(client, outbox):
    statuses = [client.post("/password/forgot", data={"email": f"p{n}@example.fr"}).status_code for n in range(12)]
    assert statuses[:10] == [303] * 10 and 429 in statuses[10:]
