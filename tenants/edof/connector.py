"""The centre's synchronisation service: its settings and the declarations out (entry, service done).

A centre may let a synchronisation service (Wedof, tenants/edof/wedof.py,
behind tenants/edof/sync.py:EdofSync) speak to EDOF for it: off by default,
turned on by an admin with the service's address, its API key and the webhook
secret, both sealed (`EdofConnector`). States come in by webhook
(tenants/edof/webhooks.py); what staff declare in Bilan goes out: entry
(inTraining) and service done (serviceDoneDeclared). `transition` queues each
declaration in the transaction of the state change (`queue_declaration`: an
`EdofDeclaration`, once per dossier and kind); it is sent after the commit of
the request (`after_this_request`) and, failing that, by the reminders sweep
(`send_declarations`) or the "Renvoyer les déclarations" button: a failed call
is shown and sent again, and the local state never depends on it.
docs/RULES.md, "CPF and EDOF (issue 14)".
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime
from urllib.parse import urlsplit

from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import to_paris
from saas.models import as_utc, utcnow
from tenants.edof.models import DECLARATIONS, EdofConnector, EdofDeclaration, EdofDossier, EdofEvent
from tenants.edof.moves import passed
from tenants.edof.sync import EdofSync, RemoteDossier, SyncError
from tenants.edof.wedof import WedofService

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.wedof.fr/api"
_SENDING = "edof_declarations_queued"   # flask.g: the after-commit sending is registered once per request


# -- Settings -------------------------------------------------------------------------------------

def connector_of(db: Session) -> EdofConnector | None:
    return db.exec(select(EdofConnector)).first()


def active(db: Session) -> EdofConnector | None:
    """The centre's connector when turned on (with its key); None otherwise: off by default."""
    connector = connector_of(db)
    return connector if connector is not None and connector.enabled and connector.api_key_ct else None


def check_base_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise RuleViolation("Indiquez l'adresse de l'API du service, par exemple https://www.wedof.fr/api.")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise RuleViolation("L'adresse de l'API doit commencer par https:// (la clé d'API ne circule pas en clair).")
    return url


def configure(db: Session, *, enabled: bool, base_url: str, api_key: str | None, webhook_secret: str | None
              ) -> EdofConnector:
    """The admin's settings: an empty key or secret keeps the one saved; turning on needs both."""
    connector = connector_of(db) or EdofConnector()
    connector.base_url = check_base_url(base_url or DEFAULT_BASE_URL)
    api_key, webhook_secret = (api_key or "").strip(), (webhook_secret or "").strip()   # pasted with a space
    if api_key:
        connector.api_key = api_key
    if webhook_secret:
        connector.webhook_secret = webhook_secret
    if enabled and not (connector.api_key_ct and connector.webhook_secret_ct):
        raise RuleViolation("Pour activer la synchronisation, indiquez la clé d'API et le secret des webhooks.")
    connector.enabled = enabled
    connector.updated_at = utcnow()
    db.add(connector)
    db.flush()
    return connector


def service_for(db: Session) -> EdofSync | None:
    """The centre's synchronisation service, None when the connector is off."""
    connector = active(db)
    return WedofService(connector.base_url, connector.api_key) if connector is not None else None


# -- Declarations out -----------------------------------------------------------------------------

def queue_declaration(db: Session, dossier: EdofDossier, to: str) -> EdofDeclaration | None:
    """Called by `transition` for a move made in Bilan: entry and service done are declared to the
    service when it is on, once per dossier and kind; sent after this request's commit."""
    if to not in DECLARATIONS or active(db) is None:
        return None
    found = db.exec(select(EdofDeclaration).where(EdofDeclaration.dossier_id == dossier.id,
                                                  EdofDeclaration.kind == to)).first()
    if found is not None:
        return found
    declaration = EdofDeclaration(dossier_id=dossier.id, bilan_id=dossier.bilan_id, kind=to)
    db.add(declaration)
    db.flush()
    _send_after_commit()
    return declaration


def _send_after_commit() -> None:
    from flask import after_this_request, g, has_request_context

    if not has_request_context() or g.get(_SENDING):
        return
    g.setdefault(_SENDING, True)

    @after_this_request
    def send_queued(response):
        from flask import flash

        from saas.tenancy import tenant_db

        if response.status_code < 400:
            db = tenant_db()
            # What the view committed stays; what it did not (an error path) is dropped, never committed here.
            db.rollback()
            counts = send_pending(db)
            if counts["failed"]:
                flash("La déclaration n'a pas pu être transmise au service de synchronisation : elle est "
                      "enregistrée dans Bilan et sera renvoyée (page EDOF).", "error")
            elif counts["sent"]:
                flash("Déclaration transmise au service de synchronisation EDOF.", "success")
        return response


def declared_on(db: Session, declaration: EdofDeclaration) -> date:
    """The Paris day of the state change a declaration declares."""
    moment = db.exec(select(EdofEvent.at).where(EdofEvent.dossier_id == declaration.dossier_id,
                                                EdofEvent.to_state == declaration.kind)
                     .order_by(EdofEvent.at.desc())).first()
    return to_paris(as_utc(moment or declaration.created_at)).date()


def send(db: Session, declaration: EdofDeclaration, service: EdofSync) -> bool:
    """One declaration to the service, committed with its outcome. When the service refuses, it is asked
    what it holds: a dossier already past the declared state was declared before (a lost reply)."""
    dossier = db.get(EdofDossier, declaration.dossier_id)
    declaration.attempts += 1
    try:
        if declaration.kind == "inTraining":
            service.declare_entry(dossier, declared_on(db, declaration))
        else:
            service.declare_service_done(dossier, declared_on(db, declaration))
    except SyncError as refusal:
        remote = _remote(service, dossier.number)
        if remote is None or not passed(remote.state, declaration.kind):
            declaration.status, declaration.failure = "failed", refusal.message[:200]
            db.add(declaration)
            db.commit()
            log.warning("edof declaration %s not taken: %s", declaration.id, type(refusal).__name__)
            return False
    declaration.status, declaration.failure, declaration.sent_at = "sent", None, utcnow()
    db.add(declaration)
    db.commit()
    return True


def _remote(service: EdofSync, number: str) -> RemoteDossier | None:
    try:
        return service.fetch_dossier(number)
    except SyncError:
        return None


def waiting(db: Session, bilan_ids=None) -> list[EdofDeclaration]:
    """Declarations not yet taken by the service (pending or failed), oldest first; `bilan_ids` None: all."""
    query = select(EdofDeclaration).where(EdofDeclaration.status != "sent")
    if bilan_ids is not None:
        query = query.where(EdofDeclaration.bilan_id.in_(bilan_ids))
    return list(db.exec(query.order_by(EdofDeclaration.created_at)).all())


def send_pending(db: Session, bilan_ids=None) -> Counter:
    """Send every waiting declaration (of `bilan_ids`), each committed with its outcome."""
    counts = Counter()
    service = service_for(db)
    if service is None:
        return counts
    for declaration in waiting(db, bilan_ids):
        counts["sent" if send(db, declaration, service) else "failed"] += 1
    return counts


def send_declarations(db: Session, centre, now: datetime) -> Counter:
    """The reminders sweep's part (jobs/reminders.py decides when): what a request could not send."""
    from tenants.flags.items import each_item

    service = service_for(db)
    if service is None:
        return Counter()
    return each_item(db, centre, now, waiting(db),
                     lambda d: {"edof_declarations_sent": int(send(db, d, service))},
                     kind="edof_declaration", label="l'envoi d'une déclaration EDOF au service de synchronisation",
                     bilan_of=lambda d: d.bilan_id)
