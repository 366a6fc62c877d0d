"""Debian's chromium, driven by Playwright, clicks on a live Flask page and runs axe."""

import pytest
from flask import Flask

PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><title>Essai du navigateur</title>
<script src="/static.js" defer></script></head>
<body>
<header><p>Bilan</p></header>
<main>
  <h1>Essai</h1>
  <p id="compteur">0 clic</p>
  <button type="button" id="plus">Ajouter un clic</button>
  <form method="post" action="/envoyer">
    <label for="nom">Nom</label> <input id="nom" name="nom" autocomplete="name">
    <button type="submit">Envoyer</button>
  </form>
</main>
</body></html>"""

SCRIPT = """document.getElementById('plus').addEventListener('click', () => {
  const p = document.getElementById('compteur');
  p.textContent = (parseInt(p.textContent, 10) + 1) + ' clics';
});"""

BROKEN = """<!doctype html><html><head><title>x</title></head><body>
<img src="/nope.png"><input name="q"><p style="color:#eee;background:#fff">pâle</p></body></html>"""


@pytest.fixture
def app():
    app = Flask(__name__)

    @app.get("/")
    def index():
        # The same strict CSP as the product: no inline script.
        return PAGE, 200, {"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'"}

    @app.get("/static.js")
    def static_js():
        return SCRIPT, 200, {"Content-Type": "text/javascript"}

    @app.post("/envoyer")
    def send():
        from flask import request
        return f"<!doctype html><html lang=fr><title>Reçu</title><h1>Bonjour {request.form['nom']}</h1></html>"

    @app.get("/broken")
    def broken():
        return BROKEN

    return app


def test_click_and_form_submit_work(page, live_server, artifacts):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Ajouter un clic").click()
    page.get_by_role("button", name="Ajouter un clic").click()
    assert page.locator("#compteur").text_content() == "2 clics"
    page.get_by_label("Nom").fill("Zoé")
    page.get_by_role("button", name="Envoyer").click()
    assert page.get_by_role("heading").text_content() == "Bonjour Zoé"
    page.screenshot(path=str(artifacts / "infra-browser.png"))
    assert (artifacts / "infra-browser.png").stat().st_size > 0


def test_axe_finds_no_violation_on_a_well_formed_page(page, live_server, axe):
    page.goto(live_server + "/")
    violations = axe(page)
    assert violations == [], axe.describe(violations)


def test_axe_reports_violations_on_a_broken_page(page, live_server, axe):
    page.goto(live_server + "/broken")
    found = {v["id"] for v in axe(page)}
    assert {"image-alt", "label", "html-has-lang", "color-contrast"} <= found


def test_e2e_marker_is_applied(request):
    assert request.node.get_closest_marker("e2e") is not None
