"""Links in emails follow the address served: `make run` prints and serves one address, and
BASE_URL defaults from it in development (saas/config.py:served_address, saas/urls.py:base_url)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from saas.config import from_environment

ROOT = Path(__file__).resolve().parent.parent


def test_base_url_defaults_to_the_host_and_port_flask_run_serves():
    assert from_environment({})["BASE_URL"] == "http://127.0.0.1:5000"
    assert from_environment({"FLASK_RUN_PORT": "5001"})["BASE_URL"] == "http://127.0.0.1:5001"
    assert from_environment({"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "8000"})["BASE_URL"] == \
        "http://127.0.0.1:8000"
    given = from_environment({"BASE_URL": "https://bilan.example", "FLASK_RUN_PORT": "5001"})
    assert given["BASE_URL"] == "https://bilan.example" and given["BASE_URL_FROM_SERVER"] is False


def test_make_run_serves_and_prints_the_one_address_it_is_given():
    recipe = subprocess.run(["make", "-n", "--no-print-directory", "run", "PORT=5001"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert "--port" not in recipe  # flask run reads FLASK_RUN_PORT, like the links do
    seed = next(line for line in recipe.splitlines() if "demo seed" in line)  # prints the address
    serve = next(line for line in recipe.splitlines() if " run --debug" in line)
    for line in (seed, serve):
        assert "FLASK_RUN_HOST=127.0.0.1 FLASK_RUN_PORT=5001 " in line
    shown = subprocess.run(["make", "-s", "--no-print-directory", "help", "PORT=5001"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert "http://127.0.0.1:5001" in shown


@pytest.fixture
def app_config():
    # What an empty BASE_URL gives in development: the served address, here not the one asked.
    return {"BASE_URL": "http://127.0.0.1:5000", "BASE_URL_FROM_SERVER": True, "DEBUG": True}


def _reset_link(app, client, outbox, email: str, **request) -> str:
    response = client.post("/password/forgot", data={"email": email}, **request)
    assert response.status_code == 303
    with app.app_context():
        body = outbox(kind="password_reset")[-1].body_text
    return next(line for line in body.splitlines() if "/password/reset/" in line).strip()


def test_links_in_emails_follow_the_port_served_in_development(app, client, make_centre, outbox):
    centre = make_centre("lyon")
    link = _reset_link(app, client, outbox, centre.owner.email, base_url="http://127.0.0.1:5001")
    assert link.startswith("http://127.0.0.1:5001/password/reset/")


def test_outside_development_the_host_header_never_writes_a_link(app, client, make_centre, outbox):
    centre = make_centre("lyon")
    app.debug = False
    link = _reset_link(app, client, outbox, centre.owner.email, base_url="http://evil.example")
    assert link.startswith("http://127.0.0.1:5000/password/reset/")
