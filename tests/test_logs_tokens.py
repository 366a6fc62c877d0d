"""No working link in any log: gunicorn's access and error logs, werkzeug's request log, error reports.

Every kind of link token is issued through the app (signup verification,
password reset, invitation, portal link, employer's agreement link, 360°
respondent link), then each URL is requested through a real server and the
logs are grepped for every token. The mask is driven by the URL map
(saas/logs.py), so a new token route is covered without a list to keep.
"""
from __future__ import annotations

import base64
import io
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Login, build_app

from portal_helpers import assign, enter, fill_url, issue, last_link
from portal_helpers import make_bilan as portal_bilan

ROOT = Path(__file__).resolve().parent.parent
MASTER_KEY = base64.b64encode(b"k" * 32).decode()
SIGNUP = {
    "centre_name": "Centre Horizon Carrières", "slug": "horizon", "siret": "732 829 320 00074",
    "nda": "11755555555", "qualiopi_number": "", "qualiopi_expires_on": "",
    "admin_name": "Claire Dupont", "admin_email": "claire.dupont@example.fr", "password": "un mot de passe long",
}


@pytest.fixture
def app(tmp_path):
    """SQLite only: the server under test reads the same files through its own environment."""
    app = build_app(tmp_path, f"sqlite:///{tmp_path / 'data' / 'bilan.db'}",
                    f"sqlite:///{tmp_path / 'keys' / 'keystore.db'}", MASTER_KEY=MASTER_KEY)
    yield app
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _link(mail, route: str) -> str:
    return _path(re.search(r"(https?://\S+" + route + r"[A-Za-z0-9_.-]+)", mail.body_text).group(1))


def issue_every_kind_of_link(app, client, make_centre, outbox) -> dict[str, str]:
    """{kind: path} for one link of each kind, made by the app's own code paths."""
    links = {}
    assert client.post("/signup/", data=SIGNUP).status_code == 303
    links["signup"] = _link(outbox(kind="signup_verification")[-1], "/signup/verify/")
    lyon = make_centre("lyon")
    client.post("/password/forgot", data={"email": lyon.owner.email})
    links["password_reset"] = _link(outbox(kind="password_reset")[-1], "/password/reset/")
    staff = app.test_client()
    Login(staff)(lyon.owner)
    assert staff.post("/c/lyon/admin/invitations", data={"name": "Hugo Martin", "email": "hugo@example.fr",
                                                          "role": "consultant"}).status_code == 303
    links["invitation"] = _link(outbox(kind="invitation")[-1], "/invitations/")
    person, bilan = portal_bilan(app, lyon)
    links["portal"] = _path(issue(app, lyon, person, bilan))
    aid = assign(app, lyon, bilan, "retour_360")
    enter(client, last_link(outbox))
    assert client.post(f"{fill_url('lyon', aid)}/respondents",
                       data={"name": "Alice Martin", "email": "alice@example.fr",
                             "relationship": "collegue"}).status_code == 200
    links["respondent"] = _link(outbox(kind="questionnaire_360")[-1], "/avis/")
    links["employer"] = _employer_link(app, lyon, outbox)
    return links


def _employer_link(app, centre, outbox) -> str:
    from tenants.agreements import drafting
    from tenants.bilans.models import Bilan

    from bilans_support import centre_db, make_bilan

    with centre_db(app, centre) as db:
        bilan_id = make_bilan(db, centre.owner.id, state="quoted", funding="employer_plan", name="Marc Dubois",
                              email="marc@example.fr").id
    with app.test_request_context("/"), centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        agreement = drafting.draft_for(bilan, centre_name=centre.name)
        agreement.employer_email = "rh@transports-ra.example"
        drafting.send(db, bilan, agreement, centre=centre.model(app), now=datetime.now(UTC))
        db.commit()
    mail = next(m for m in outbox() if m.body_text and "/convention/" in m.body_text)
    return _link(mail, "/convention/")


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> int:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Gunicorn:
    """gunicorn 'wsgi:app' on loopback with the project's gunicorn.conf.py, logs to files."""

    def __init__(self, tmp_path: Path, app):
        self.access, self.errors, self.output = (tmp_path / "access.log", tmp_path / "error.log",
                                                 tmp_path / "gunicorn.out")
        self.env = dict(os.environ, DATABASE_URL=app.config["DATABASE_URL"], KEYSTORE_URL=app.config["KEYSTORE_URL"],
                        MASTER_KEY=MASTER_KEY, SECRET_KEY="test-secret", MAIL_URL=app.config["MAIL_URL"],
                        ARGON2_PROFILE="fast", SCHEDULER_IN_PROCESS="0", BASE_URL="http://localhost")
        self.env.pop("GUNICORN_CMD_ARGS", None)

    def start(self, attempts: int = 3):
        for _ in range(attempts):  # another process may take the free port between the probe and the bind
            self.port = _free_port()
            with open(self.output, "ab") as out:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "wsgi:app", "-c", str(ROOT / "gunicorn.conf.py"),
                     "-b", f"127.0.0.1:{self.port}", "-w", "1", "--capture-output",
                     "--access-logfile", str(self.access), "--error-logfile", str(self.errors),
                     # Every atom that can hold the URL: request line, path, raw URI, referer.
                     "--access-logformat", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({raw_uri}e)s'],
                    cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
            # The port opens when the master binds, before the worker has imported the app:
            # wait for an answer from /healthz, generously, so a loaded machine is not a failure.
            if self._wait_for_port(deadline=time.monotonic() + 60) and self._wait_for_app(time.monotonic() + 90):
                return self
            self.stop()
        raise AssertionError("gunicorn did not start: " + self.output.read_text(errors="replace")[-2000:])

    def _wait_for_port(self, deadline: float) -> bool:
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def _wait_for_app(self, deadline: float) -> bool:
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=30) as response:
                    return response.status == 200
            except OSError:
                time.sleep(0.2)
        return False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in (self.access, self.errors, self.output) if p.exists())


def test_no_token_in_gunicorn_access_or_error_log(app, client, make_centre, outbox, tmp_path):
    links = issue_every_kind_of_link(app, client, make_centre, outbox)
    server = Gunicorn(tmp_path, app).start()
    try:
        statuses = {kind: _get(server.url(path), Referer=server.url(path)) for kind, path in links.items()}
        _get(server.url(links["portal"] + "/renew"))
        _get(server.url(links["employer"] + "/convention.pdf"))
    finally:
        server.stop()
    assert all(status < 500 for status in statuses.values()), statuses
    logs = server.logs()
    for kind, path in links.items():
        token = _token(path)
        assert token not in logs, f"{kind} token in gunicorn's logs"
        masked = path[: -len(token)] + "***"
        assert masked in server.access.read_text(), f"{kind}: {masked} not in the access log"


def test_no_token_in_werkzeug_request_log(app, client, make_centre, outbox):
    """`flask run`'s server (werkzeug) on loopback: its request log line for every token route."""
    from werkzeug.serving import make_server

    links = issue_every_kind_of_link(app, client, make_centre, outbox)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)  # added after the app: the logger's own filter must do it
    werkzeug_log = logging.getLogger("werkzeug")
    werkzeug_log.addHandler(handler)
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for path in links.values():
            _get(f"http://127.0.0.1:{server.port}{path}")
    finally:
        server.shutdown()
        thread.join(timeout=5)
        werkzeug_log.removeHandler(handler)
        werkzeug_log.setLevel(level)
    text = captured.getvalue()
    for kind, path in links.items():
        assert _token(path) not in text, f"{kind} token in werkzeug's request log"
        assert path[: -len(_token(path))] + "***" in text


def test_no_token_in_error_reports(app, make_centre):
    """Flask's "Exception on <path>" report (and its traceback) for a token route that fails."""
    lyon = make_centre("lyon")
    person, bilan = portal_bilan(app, lyon)
    path = _path(issue(app, lyon, person, bilan))
    token = _token(path)

    def failing(**values):
        raise RuntimeError(f"could not open {path}")  # a message that quotes the URL

    app.view_functions["portal.open"] = failing
    # Debug: saas/errors.py logs the traceback, whose last line is the message above.
    app.debug = True
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)  # added after the app: an error-report handler of its own
    handler.setFormatter(logging.Formatter("%(message)s"))
    logging.getLogger().addHandler(handler)
    try:
        assert app.test_client().get(path).status_code == 500
        logging.getLogger("werkzeug").error("Error on request %s", f"GET {path}", exc_info=RuntimeError(path))
    finally:
        logging.getLogger().removeHandler(handler)
    text = captured.getvalue()
    assert "unhandled RuntimeError on portal.open" in text and "could not open /c/lyon/r/***" in text
    assert token not in text and "/c/lyon/r/***" in text


def test_every_token_route_of_the_url_map_is_masked(app):
    """Driven by the URL map: each rule with a token variable, with a sample token, comes out masked."""
    from saas.logs import is_secret_variable, mask

    token_rules = [rule for rule in app.url_map.iter_rules() if any(map(is_secret_variable, rule.arguments))]
    assert {"signup.verify", "accounts.reset_password", "accounts.join", "portal.open", "agreement_links.show",
            "portal.respondents.open"} <= {rule.endpoint for rule in token_rules}
    sample = "Zx9-tok_" + "A" * 35
    for rule in token_rules:
        path = re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda m: sample if is_secret_variable(m.group(1)) else "lyon",
                      rule.rule)
        line = f'127.0.0.1 - - "GET {path}?x=1 HTTP/1.1" 200 - "http://localhost{path}"'
        assert sample not in mask(line), rule.rule
        assert "***" in mask(line)
    assert mask("GET /c/lyon/beneficiaries/abc123 HTTP/1.1") == "GET /c/lyon/beneficiaries/abc123 HTTP/1.1"
