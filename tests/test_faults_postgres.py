"""Fault: PostgreSQL restarted under load (issue #17, "Faults").

A PostgreSQL of this test's own (tests/pg_server.py), the app served by a real
HTTP server on loopback (werkzeug, threaded) with the data and the key store on
it, client threads requesting the staff dashboard, a bilan list and the portal's
autosave all along. PostgreSQL is stopped (`pg_ctl stop -m fast`: every
connection is cut) and started again on the same data directory and port. While
it is down every answer is a clean 503 with the French page (no 500, no
traceback); once it is back the same app, never restarted, answers 200 again at
the first request: the pools ping a connection before lending it
(saas/db.py and saas/crypto/keystore.py, `pool_pre_ping`) and drop the ones the
restart killed.
"""
from __future__ import annotations

import threading
import time
import urllib.parse

import pytest

from pg_server import PostgresUnavailable, _run, start_postgres

PAGE_503 = "Le service est momentanément indisponible"


@pytest.fixture
def own_pg():
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        from pg_server import in_ci

        if in_ci():
            pytest.fail(f"PostgreSQL is required when CI=true: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")
    yield server
    server.stop()


def _pg_ctl(server, *args) -> None:
    _run(server.run_as, [server.bindir / "pg_ctl", "-D", server.datadir, "-w", "-t", "60", *args])


def _restart_options(server) -> str:
    return (f"-k {server.root} -p {server.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c max_connections=200")


@pytest.fixture
def served(own_pg, tmp_path):
    """(app, base URL) of the app on own_pg, served by werkzeug in a thread."""
    from conftest import build_app
    from werkzeug.serving import make_server

    app = build_app(tmp_path, own_pg.create_database(), own_pg.create_database())
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["db"].dispose()
        app.extensions["crypto"].store.dispose()


def _portal_client(app, base, centre, consultant_id):
    """A beneficiary's portal session and its autosave URL, through the product's code."""
    import requests

    from bench.autosave import QUESTION, QUESTIONNAIRE, _csrf
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary, email_index
    from tenants.bilans.models import Bilan
    from tenants.portal.access import issue_link
    from tenants.questionnaires import assignments, queries

    model = centre.model(app)
    with app.app_context(), app.test_request_context("/"), tenant_session(model) as db:
        person = Beneficiary(name="Zoé Martin", email="zoe@example.org", consultant_id=consultant_id)
        person.email_index = email_index(db, person.email)
        db.add(person)
        db.flush()
        bilan = Bilan(beneficiary_id=person.id, consultant_id=consultant_id, status="active", phase="investigation")
        db.add(bilan)
        db.flush()
        assignment = assignments.assign(db, model, bilan, queries.by_library_slug(db, QUESTIONNAIRE),
                                        by=consultant_id)
        url = issue_link(db, model, person, bilan)
        db.commit()
    portal = requests.Session()
    path = urllib.parse.urlsplit(url).path
    assert portal.post(base + path, data={}, allow_redirects=False).status_code == 303
    page = f"/c/{centre.slug}/p/questionnaires/{assignment.id}"
    portal.headers["X-CSRFToken"] = _csrf(portal.get(base + page).text)
    return portal, f"{base}{page}/answers/{QUESTION}", QUESTION


def _check(answer) -> str:
    """'ok' or 'down' for a clean answer; an AssertionError for anything else."""
    body = answer.text
    assert "Traceback" not in body and "Internal Server Error" not in body, body[:500]
    if answer.status_code == 503:
        if answer.headers["Content-Type"].startswith("application/json"):  # /healthz, for the proxy
            assert answer.json() == {"status": "unavailable", "database": False}
        else:
            assert PAGE_503 in body and answer.headers["Retry-After"], body[:500]
        return "down"
    assert answer.status_code == 200, (answer.status_code, body[:500])
    return "ok"


def test_postgres_restarted_under_load_gives_clean_503_then_recovers_without_restarting_the_app(
        served, own_pg, make_centre_on):
    import requests

    app, base = served
    centre = make_centre_on(app)
    staff = requests.Session()
    answer = staff.post(base + "/login", data={"email": centre.owner.email, "password": centre.owner.password},
                        allow_redirects=False)
    assert answer.status_code == 303, answer.text[:300]
    portal, autosave_url, question = _portal_client(app, base, centre, centre.owner.id)
    requests_for = {
        "dashboard": lambda n: staff.get(f"{base}/c/{centre.slug}/"),
        "bilans": lambda n: staff.get(f"{base}/c/{centre.slug}/bilans/", headers={"HX-Request": "true"}),
        "autosave": lambda n: portal.post(autosave_url, data={question: f"Réponse {n}"},
                                          headers={"HX-Request": "true"}),
        "healthz": lambda n: requests.get(f"{base}/healthz"),
    }
    for name, ask in requests_for.items():  # all up before the fault
        assert _check(ask(0)) == "ok", name

    answered = {"ok": 0, "down": 0}
    failures: list[str] = []
    stop = threading.Event()

    def hammer(name, ask):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                answered[_check(ask(n))] += 1
            except AssertionError as error:
                failures.append(f"{name}: {error}"[:600])
            except requests.RequestException as error:  # the HTTP server itself must stay up
                failures.append(f"{name}: {type(error).__name__}")
            time.sleep(0.02)

    threads = [threading.Thread(target=hammer, args=item) for item in requests_for.items()]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        _pg_ctl(own_pg, "-m", "fast", "stop")
        time.sleep(1.5)  # requests meet the outage
        outage = {name: _check(ask(-1)) for name, ask in requests_for.items()}
        _pg_ctl(own_pg, "-l", str(own_pg.root / "server.log"), "-o", _restart_options(own_pg), "start")
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert outage == dict.fromkeys(requests_for, "down")
    assert answered["ok"] + answered["down"] > 0
    # Back: the same app answers at once (dead pooled connections pinged and replaced).
    for name, ask in requests_for.items():
        assert _check(ask(10_000)) == "ok", name
    saved = portal.post(autosave_url, data={question: "Après le redémarrage"}, headers={"HX-Request": "true"})
    assert _check(saved) == "ok" and "Enregistr" in saved.text


@pytest.fixture
def make_centre_on():
    """Provision one centre (and its admin) on `app` through the signup code."""
    from conftest import PASSWORD, MadeCentre, Person

    def make(app) -> MadeCentre:
        from saas.accounts.models import Account
        from saas.accounts.passwords import hash_password
        from saas.accounts.queries import account_by_email
        from saas.signup.provision import create_centre

        owner = Person(email="owner@lyon.test", name="Admin Lyon", password=PASSWORD)
        with app.app_context():
            account = Account(email=owner.email, name=owner.name, password_hash=hash_password(owner.password))
            centre = create_centre(name="Centre Lyon", slug="lyon", siret="73282932000074", nda="11755555555",
                                   admin=account)
            with app.extensions["db"].public_session() as session:
                owner.id = account_by_email(session, owner.email).id
        return MadeCentre(centre.id, centre.slug, centre.name, centre.schema, owner)

    return make



def test_database_unavailable_is_an_outage_not_a_programming_error():
    """503 for a database that is away; an SQL mistake (SQLite says OperationalError too) stays a 500."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from saas.errors import database_unavailable

    def wrapped(orig, invalidated=False):
        return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)

    assert database_unavailable(wrapped(sqlite3.OperationalError("database is locked")))
    assert not database_unavailable(wrapped(sqlite3.OperationalError("no such table: bilan")))
    assert database_unavailable(wrapped(sqlite3.OperationalError("disk I/O error"), invalidated=True))
    assert not database_unavailable(ValueError("not a database error"))


def test_a_database_gone_while_closing_the_request_keeps_the_answer_built():
    """The race the restart test met once: the answer is built, then PostgreSQL stops before the
    teardown's ROLLBACK. That closing error is logged, not turned into a 500; any other error at
    close is still raised (saas/db.py:_close_after_answer)."""
    import pytest
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from saas.db import _close_after_answer

    def gone():
        raise OperationalError("ROLLBACK", {}, Exception("terminating connection"), connection_invalidated=True)

    def bug():
        raise ProgrammingError("ROLLBACK", {}, Exception("syntax error"))

    _close_after_answer(gone)
    with pytest.raises(ProgrammingError):
        _close_after_answer(bug)
