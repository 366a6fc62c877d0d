"""Cross-site requests are refused on every state-changing route, even with a valid CSRF token.

Routes come from the app's URL map, so a route added tomorrow is covered
without touching this file.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select as core_select
from werkzeug.routing import IntegerConverter

from jobs_support import add_bilan

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
EVIL = "http://evil.example"
REFUSED_TEXT = "envoyée depuis un autre site"


def state_changing_routes(app):
    """(method, path) for every rule that accepts a state-changing method: placeholders for its arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods or ()) & STATE_CHANGING)
        if not methods or rule.endpoint == "static":
            continue
        values = {}
        for name in rule.arguments:
            converter = rule._converters.get(name)
            values[name] = "lyon" if name == "slug" else 1 if isinstance(converter, IntegerConverter) else "x" * 32
        _domain, path = rule.build(values, append_unknown=False)
        found.extend((method, path) for method in methods)
    return found


def snapshot(app, centre) -> dict:
    """Every row of every platform table and of the centre's tables, as stored."""
    from saas.models import PublicModel
    from saas.tenancy import tenant_session
    from saas.tenancy.models import TenantModel

    rows = {}
    with app.app_context():
        with app.extensions["db"].public_session() as s:
            for table in PublicModel.metadata.sorted_tables:
                rows[table.name] = sorted(map(repr, s.execute(core_select(table)).all()))
        with tenant_session(centre.model(app)) as db:
            for table in TenantModel.metadata.sorted_tables:
                rows["tenant." + table.name] = sorted(map(repr, db.execute(core_select(table)).all()))
    return rows


def test_the_url_map_has_state_changing_routes_to_check(app):
    routes = state_changing_routes(app)
    paths = {path for _method, path in routes}
    assert len(routes) > 40
    assert {"/login", "/logout", "/c/lyon/admin/invitations"} <= paths
    assert any(path.startswith("/c/lyon/r/") for path in paths)  # the portal's link page too


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                                     {"Origin": "null", "Sec-Fetch-Site": "same-site"}],
                         ids=["evil-origin", "cross-site", "null-origin-cross-site", "null-origin-same-site"])
def test_every_state_changing_route_refuses_a_cross_site_request(app, client, make_centre, add_member, login,
                                                                 headers):
    lyon = make_centre("lyon")
    add_bilan(app, lyon, consultant_id=add_member(lyon).id)
    login(lyon.owner)
    before = snapshot(app, lyon)
    answers = {}
    for method, path in state_changing_routes(app):
        response = client.open(path, method=method, data={"name": "x", "email": "x@example.org"},
                               headers={**headers, "HX-Request": "true", "X-CSRFToken": "whatever"})
        answers[f"{method} {path}"] = response.status_code
        if response.status_code == 403:
            assert REFUSED_TEXT in response.text
    assert {route: status for route, status in answers.items() if status != 403} == {}
    assert snapshot(app, lyon) == before
    assert client.get("/c/lyon/").status_code == 200  # POST /logout was refused too: still logged in


@pytest.fixture
def csrf_on(app):
    """Real CSRF tokens for this test (the suite turns them off); read per request by Flask-WTF."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def page_token(client, path="/account") -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get(path).text).group(1)


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Origin": EVIL, "Sec-Fetch-Site": "same-origin"},
                                     {"Origin": "null", "Sec-Fetch-Site": "cross-site"}],
                         ids=["evil-origin", "cross-site", "lying-fetch-site", "null-origin-cross-site"])
def test_a_valid_csrf_token_from_another_site_is_refused(app, client, make_centre, login, csrf_on, headers):
    lyon = make_centre("lyon")
    app.config["WTF_CSRF_ENABLED"] = False
    login(lyon.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    token = page_token(client)
    response = client.post("/logout", headers={**headers, "HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 403
    assert REFUSED_TEXT in response.text
    assert client.get("/c/lyon/").status_code == 200  # not logged out


@pytest.mark.parametrize("headers", [
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://localhost:80"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"},
    {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},
    {"Origin": "null"},
    {},
], ids=["same-origin", "default-port", "same-site-with-our-origin", "our-form-under-no-referrer",
        "typed-by-the-user", "old-browser-under-no-referrer", "no-header"])
def test_a_same_origin_request_with_its_token_passes(app, client, make_centre, login, csrf_on, headers):
    lyon = make_centre("lyon")
    app.config["WTF_CSRF_ENABLED"] = False
    login(lyon.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    token = page_token(client)
    response = client.post("/logout", headers={**headers, "HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 303
    assert client.get("/c/lyon/").status_code == 302  # logged out


def test_without_a_token_the_same_origin_request_is_still_refused(app, client, make_centre, login, csrf_on):
    lyon = make_centre("lyon")
    app.config["WTF_CSRF_ENABLED"] = False
    login(lyon.owner)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/logout", headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 400
    assert client.get("/c/lyon/").status_code == 200


@pytest.mark.parametrize("app_config", [{"BASE_URL": "https://bilan.example"}])
def test_the_public_address_is_our_origin_behind_a_proxy(app, client, make_centre, login, app_config):
    """TLS ends at the proxy: the request reaches Flask as http://localhost, the browser says https://bilan.example."""
    lyon = make_centre("lyon")
    login(lyon.owner)
    assert client.post("/logout", headers={"Origin": "https://bilan.example"}).status_code == 303
    login(lyon.owner)
    assert client.post("/logout", headers={"Origin": "https://bilan.example.evil.test"}).status_code == 403
    assert client.post("/logout", headers={"Origin": "http://bilan.example"}).status_code == 403
