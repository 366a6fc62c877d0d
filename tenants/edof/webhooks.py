"""Webhooks of the synchronisation service: a dossier's state in EDOF, pushed to the centre's public URL.

POST /o/<slug>/edof/wedof, no account and no CSRF token (a server calls it;
this route alone is exempt): Wedof sends the event in `X-Wedof-Event`, the
delivery's id in `X-Wedof-Delivery` and a signature in `X-Wedof-Signature`.
Wedof's public pages name these headers but not the signature's scheme, so
Bilan checks the HMAC-SHA256 of the raw body under the centre's webhook
secret, in hexadecimal (a "sha256=" prefix allowed), compared in constant time
(docs/RULES.md, "CPF and EDOF (issue 14)"). Refused, each logged with its
reason and never the body: the connector off (404), a bad or missing signature
(401), a delivery already received (409: `EdofDelivery`, unique). An event
that is not a registration folder's, or a folder Bilan does not know, is
acknowledged (202) and ignored; a known one moves the dossier through
`tenants/edof/progress.py:advance` (so `transition`), a move EDOF does not
allow being acknowledged, logged and left alone (Wedof would only send it again).
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from flask import g, request
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from saas.errors import RuleViolation
from saas.i18n import plural
from saas.limits import body_limit
from saas.models import utcnow
from saas.security import csrf
from saas.tenancy import public_blueprint, tenant_db
from tenants.edof import connector, progress, sync
from tenants.edof.models import EdofDelivery, EdofDossier

log = logging.getLogger(__name__)

bp = public_blueprint("edof_webhooks", __name__, url_prefix="/edof")
MAX_BODY = 256 * 1024
FOLDER_EVENTS = "registrationFolder."
WEDOF_ACTOR = "Wedof (synchronisation EDOF)"


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def signature_of(secret: str, body: bytes) -> str:
    """The signature Bilan expects: HMAC-SHA256 of the raw body under the secret, hexadecimal."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed(secret: str | None, body: bytes, given: str | None) -> bool:
    if not secret or not given:
        return False
    given = given.strip()
    if given.lower().startswith("sha256="):
        given = given[7:]
    return hmac.compare_digest(signature_of(secret, body).encode(), given.lower().encode("ascii", "replace"))


def _refused(slug: str, status: int, reason: str, text: str) -> Answer:
    log.warning("edof webhook refused for centre %s: %s", slug, reason)
    return Answer(status, text)


def _header(value: str | None, limit: int = 100) -> str:
    value = (value or "").strip()
    return value if 0 < len(value) <= limit and value.isprintable() and value.isascii() else ""


def receive(db: Session, slug: str, headers, body: bytes, now: datetime) -> Answer:
    """One delivery: checked (connector on, signature, not seen before), then applied or ignored."""
    settings = connector.active(db)
    if settings is None:
        return _refused(slug, 404, "connector off", "Synchronisation EDOF non activée pour ce centre.")
    if not signed(settings.webhook_secret, body, headers.get("X-Wedof-Signature")):
        return _refused(slug, 401, "bad signature", "Signature invalide.")
    delivery, event = _header(headers.get("X-Wedof-Delivery")), _header(headers.get("X-Wedof-Event"))
    if not delivery or not event:
        return _refused(slug, 400, "delivery or event header missing",
                        "En-têtes X-Wedof-Delivery et X-Wedof-Event requis.")
    if db.exec(select(EdofDelivery.id).where(EdofDelivery.delivery == delivery)).first() is not None:
        return _refused(slug, 409, "replayed delivery", "Livraison déjà reçue.")
    answer = _apply(db, slug, event, body, now)
    db.add(EdofDelivery(delivery=delivery, event=event, received_at=now))
    try:
        db.commit()
    except IntegrityError:   # the same delivery received twice at once: the other one counts
        db.rollback()
        return _refused(slug, 409, "replayed delivery", "Livraison déjà reçue.")
    return answer


def _apply(db: Session, slug: str, event: str, body: bytes, now: datetime) -> Answer:
    """The event's effect, or why it has none (the delivery is recorded either way)."""
    from tenants.edof.wedof import folder_of

    if not event.startswith(FOLDER_EVENTS):
        log.info("edof webhook for centre %s: event ignored", slug)
        return Answer(202, "Événement ignoré.")
    try:
        folder = folder_of(json.loads(body))
    except (ValueError, RecursionError, sync.SyncError):   # RecursionError: JSON nested beyond reason
        log.warning("edof webhook for centre %s: unreadable folder ignored", slug)
        return Answer(202, "Dossier illisible : ignoré.")
    dossier = db.exec(select(EdofDossier).where(EdofDossier.number == folder.number)).first()
    if dossier is None:
        log.info("edof webhook for centre %s: unknown dossier ignored", slug)
        return Answer(202, "Dossier inconnu de Bilan : ignoré.")
    try:
        moves = progress.advance(db, dossier, folder.state, days=folder.days, ended_on=folder.ended_on,
                                 exit_reason=folder.exit_reason, default_at=now, actor=WEDOF_ACTOR)
    except RuleViolation:
        db.rollback()
        log.warning("edof webhook for centre %s: move refused by the EDOF rules", slug)
        return Answer(202, "Changement d'état refusé par les règles EDOF : ignoré.")
    return Answer(200, f"Enregistré : {plural(len(moves), 'changement')} d'état." if moves else "Dossier déjà à jour.")


@bp.post("/wedof")
@body_limit(MAX_BODY)
@csrf.exempt
def wedof():
    """Wedof's webhook for this centre (signed; see the module docstring)."""
    answer = receive(tenant_db(), g.centre.slug, request.headers, request.get_data(cache=False), utcnow())
    return answer.text, answer.status, {"Content-Type": "text/plain; charset=utf-8"}
