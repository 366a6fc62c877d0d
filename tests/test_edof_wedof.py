"""The Wedof connector (tenants/edof/sync.py, connector.py, wedof.py, webhooks.py): off by default, its key sealed,
declarations out to a real HTTP server on loopback standing in for Wedof, signed webhooks in."""
import hashlib
import hmac
import html
import json
import logging
import threading
from datetime import date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import func, select

from saas.i18n import PARIS, paris_today

from bilans_support import add_sessions, centre_db, make_bilan

API_KEY = "cle-api-wedof-0123456789"
SECRET = "secret-des-webhooks-abcdef"


class FakeWedof:
    """A Wedof stand-in on 127.0.0.1: records each request; answers `status` to POSTs and `folders` to GETs."""

    def __init__(self):
        self.requests, self.status, self.folders, self.redirect = [], 200, {}, None
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                fake.requests.append(("POST", self.path, dict(self.headers), json.loads(self.rfile.read(length))))
                if fake.redirect:
                    self.send_response(307)
                    self.send_header("Location", fake.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._reply(fake.status, {"ok": fake.status < 400, "detail": "Zoé Martin, données personnelles"})

            def do_GET(self):
                fake.requests.append(("GET", self.path, dict(self.headers), None))
                number = self.path.rsplit("/", 1)[1]
                if number in fake.folders:
                    self._reply(200, fake.folders[number])
                else:
                    self._reply(404, {"error": "not found"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api"

    def posts(self):
        return [r for r in self.requests if r[0] == "POST"]


@pytest.fixture
def wedof():
    fake = FakeWedof()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join(5)


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def text(response) -> str:
    return html.unescape(response.text)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=PARIS)


def turn_on(client, url: str):
    response = client.post("/c/lyon/edof/connector", data={"enabled": "y", "base_url": url, "api_key": API_KEY,
                                                           "webhook_secret": SECRET})
    assert response.status_code == 303, text(response)


def accepted_bilan(app, centre, *, number="EDOF-1", signed=True) -> str:
    """A started CPF bilan whose dossier is accepted (and a signed first session, when `signed`)."""
    from tenants.edof import dossier as rules

    with centre_db(app, centre) as db:
        bilan = make_bilan(db, centre.owner.id, funding="cpf")
        if signed:
            add_sessions(db, bilan, 1)
        first = bilan.started_on - timedelta(days=25)
        dossier = rules.open_dossier(db, bilan, number=number, requested_at=noon(first), actor="Test")
        rules.transition(db, dossier, "validated", noon(first + timedelta(days=1)), "Test", origin="edof")
        rules.transition(db, dossier, "accepted", noon(first + timedelta(days=2)), "Test", origin="edof")
        db.commit()
        return bilan.id


def declarations(app, centre):
    from tenants.edof.models import EdofDeclaration

    with centre_db(app, centre) as db:
        return [(d.kind, d.status, d.attempts) for d in db.exec(select(EdofDeclaration)).all()]


def test_wedof_connector_is_off_by_default_and_its_key_is_sealed(app, client, lyon, login, wedof):
    from tenants.edof.models import EdofConnector

    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    entry = client.post(f"/c/lyon/bilans/{bilan_id}/edof/entry", data={"on": paris_today().isoformat(),
                                                                       "confirmed": "y"})
    assert entry.status_code == 303
    assert wedof.requests == [] and declarations(app, lyon) == []        # off: nothing declared, nothing queued
    assert client.post("/o/lyon/edof/wedof", data=b"{}").status_code == 404
    refused = client.post("/c/lyon/edof/connector", data={"enabled": "y", "base_url": wedof.url})
    assert refused.status_code == 422 and "indiquez la clé d'API et le secret" in text(refused)
    bad_url = client.post("/c/lyon/edof/connector", data={"enabled": "y", "base_url": "http://wedof.example/api",
                                                          "api_key": API_KEY, "webhook_secret": SECRET})
    assert bad_url.status_code == 422 and "https://" in text(bad_url)
    turn_on(client, wedof.url)
    with centre_db(app, lyon) as db:
        raw = db.connection().execute(select(EdofConnector.__table__.c.api_key,
                                             EdofConnector.__table__.c.webhook_secret)).one()
        assert API_KEY.encode() not in raw[0] and SECRET.encode() not in raw[1]
        assert db.exec(select(EdofConnector)).one().api_key == API_KEY
    page = text(client.get("/c/lyon/edof/connector"))
    assert API_KEY not in page and SECRET not in page and "Une clé est enregistrée." in page
    assert "/o/lyon/edof/wedof" in page


def test_wedof_entry_declared_with_the_api_key_once_the_staff_declares_it(app, client, lyon, login, wedof):
    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    turn_on(client, wedof.url)
    entry = client.post(f"/c/lyon/bilans/{bilan_id}/edof/entry", data={"on": paris_today().isoformat(),
                                                                       "confirmed": "y"})
    assert entry.status_code == 303
    [(method, path, headers, body)] = wedof.posts()
    assert (method, path) == ("POST", "/api/registrationFolders/EDOF-1/inTraining")
    assert headers["X-Api-Key"] == API_KEY and body == {"date": paris_today().isoformat()}
    assert declarations(app, lyon) == [("inTraining", "sent", 1)]
    assert "Déclaration transmise au service de synchronisation EDOF" in text(client.get(entry.headers["Location"]))


def test_wedof_failure_is_shown_never_loses_the_local_state_and_is_sent_again(app, client, lyon, login, wedof,
                                                                             caplog):
    from tenants.edof import dossier as rules

    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    turn_on(client, wedof.url)
    wedof.status = 503
    with caplog.at_level(logging.WARNING):
        entry = client.post(f"/c/lyon/bilans/{bilan_id}/edof/entry", data={"on": paris_today().isoformat(),
                                                                           "confirmed": "y"})
    assert entry.status_code == 303
    assert "n'a pas pu être transmise" in text(client.get(entry.headers["Location"]))
    assert "données personnelles" not in caplog.text and "Zoé" not in caplog.text
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "inTraining"     # the local state stays
    assert declarations(app, lyon) == [("inTraining", "failed", 1)]
    page = text(client.get("/c/lyon/edof/"))
    assert "Échec, à renvoyer" in page and "HTTP 503" in page and "Zoé" not in page
    wedof.status = 200
    assert client.post("/c/lyon/edof/declarations/send").status_code == 303
    assert declarations(app, lyon) == [("inTraining", "sent", 2)]
    assert len(wedof.posts()) == 2


def test_wedof_declaration_already_taken_is_not_sent_twice(app, lyon, wedof):
    """Idempotent: when the service refuses a declaration its dossier already shows (a reply lost before),
    the declaration counts as sent; the sweep sends only what waits."""
    from saas.models import utcnow
    from tenants.edof import connector as sync
    from tenants.edof.models import EdofDeclaration

    bilan_id = accepted_bilan(app, lyon)
    with centre_db(app, lyon) as db:
        sync.configure(db, enabled=True, base_url=wedof.url, api_key=API_KEY, webhook_secret=SECRET)
        from tenants.edof import dossier as rules

        rules.transition(db, rules.dossier_of(db, bilan_id), "inTraining", noon(paris_today()), "Claire Dupont")
        db.commit()
        assert [d.status for d in db.exec(select(EdofDeclaration))] == ["pending"]
    wedof.status = 409
    wedof.folders["EDOF-1"] = {"externalId": "EDOF-1", "state": "inTraining"}
    with centre_db(app, lyon) as db:
        done = sync.send_declarations(db, lyon.model(app), utcnow())
        assert done["edof_declarations_sent"] == 1
    assert declarations(app, lyon) == [("inTraining", "sent", 1)]
    with centre_db(app, lyon) as db:
        assert sync.send_declarations(db, lyon.model(app), utcnow()) == {}
    assert len(wedof.posts()) == 1


def test_wedof_fetch_dossier_reads_the_folder_from_the_service(app, lyon, wedof):
    from tenants.edof.wedof import WedofService

    wedof.folders["EDOF-9"] = {"externalId": "EDOF-9", "state": "accepted",
                               "history": {"validatedDate": "2026-11-02T10:00:00+01:00"}}
    service = WedofService(wedof.url, API_KEY)
    remote = service.fetch_dossier("EDOF-9")
    assert (remote.number, remote.state, remote.days) == ("EDOF-9", "accepted", {"validated": date(2026, 11, 2)})
    assert service.fetch_dossier("EDOF-404") is None
    assert wedof.requests[0][2]["X-Api-Key"] == API_KEY


def test_wedof_redirect_is_refused_so_the_api_key_never_follows_it(wedof):
    from tenants.edof.models import EdofDossier
    from tenants.edof.sync import SyncError
    from tenants.edof.wedof import WedofService

    wedof.redirect = wedof.url + "/elsewhere"
    with pytest.raises(SyncError, match="HTTP 307"):
        WedofService(wedof.url, API_KEY).declare_entry(EdofDossier(number="EDOF-1", bilan_id="b"), date(2026, 12, 1))
    assert [r[1] for r in wedof.requests] == ["/api/registrationFolders/EDOF-1/inTraining"]


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def hook(client, body: dict, *, delivery="d-1", event="registrationFolder.updated", signature=None):
    raw = json.dumps(body).encode()
    return client.post("/o/lyon/edof/wedof", data=raw, content_type="application/json", headers={
        "X-Wedof-Event": event, "X-Wedof-Delivery": delivery,
        "X-Wedof-Signature": signature if signature is not None else sign(raw)})


def test_wedof_webhook_with_a_bad_signature_is_refused_and_logged(app, client, lyon, login, wedof, caplog):
    from tenants.edof import dossier as rules
    from tenants.edof.models import EdofDelivery

    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    turn_on(client, wedof.url)
    body = {"externalId": "EDOF-1", "state": "inTraining", "attendee": "Zoé Martin"}
    with caplog.at_level(logging.WARNING):
        forged = hook(client, body, signature=sign(json.dumps(body).encode(), "un autre secret"))
        missing = hook(client, body, signature="")
    assert forged.status_code == 401 and missing.status_code == 401
    assert caplog.text.count("bad signature") == 2 and "Zoé" not in caplog.text and "EDOF-1" not in caplog.text
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "accepted"
        assert db.exec(select(func.count()).select_from(EdofDelivery)).one() == 0


def test_wedof_webhook_changes_the_state_with_its_history_and_a_replayed_delivery_is_refused(
        app, client, lyon, login, wedof, caplog):
    from tenants.edof import dossier as rules
    from tenants.history.models import HistoryEvent

    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    turn_on(client, wedof.url)
    day = paris_today() - timedelta(days=1)
    body = {"externalId": "EDOF-1", "state": "inTraining", "history": {"inTrainingDate": day.isoformat()}}
    good = hook(client, body, delivery="delivery-42")
    assert good.status_code == 200, good.text
    with centre_db(app, lyon) as db:
        dossier = rules.dossier_of(db, bilan_id)
        assert dossier.state == "inTraining" and rules.state_day(db, dossier, "inTraining") == day
        event = rules.events_of(db, dossier)[-1]
        assert (event.from_state, event.to_state, event.actor) == ("accepted", "inTraining",
                                                                   "Wedof (synchronisation EDOF)")
        assert "EDOF : Entrée en formation déclarée" in [e.detail for e in db.exec(select(HistoryEvent))]
    assert wedof.posts() == [] and declarations(app, lyon) == []   # read from EDOF: never declared back
    with caplog.at_level(logging.WARNING):
        replay = hook(client, body, delivery="delivery-42")
    assert replay.status_code == 409 and "replayed delivery" in caplog.text
    with centre_db(app, lyon) as db:
        assert len(rules.events_of(db, rules.dossier_of(db, bilan_id))) == 4


def test_wedof_webhook_unknown_event_or_dossier_is_acknowledged_and_ignored(app, client, lyon, login, wedof):
    from tenants.edof import dossier as rules

    bilan_id = accepted_bilan(app, lyon)
    login(lyon.owner)
    turn_on(client, wedof.url)
    assert hook(client, {"id": 3}, delivery="a", event="certificationFolder.toRegister").status_code == 202
    assert hook(client, {"externalId": "EDOF-404", "state": "accepted"}, delivery="b").status_code == 202
    assert hook(client, {"externalId": "EDOF-1", "state": "notProcessed"}, delivery="c").status_code == 200
    refused = hook(client, {"externalId": "EDOF-1", "state": "refusedByOrganism"}, delivery="d")
    assert refused.status_code == 202 and "refusé par les règles EDOF" in refused.text
    assert client.post("/o/lyon/edof/wedof", data=b"{}", headers={"X-Wedof-Signature": sign(b"{}")}).status_code == 400
    with centre_db(app, lyon) as db:
        assert rules.dossier_of(db, bilan_id).state == "accepted"
