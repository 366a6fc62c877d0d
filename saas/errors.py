"""The error family, and the one handler that renders a page or, for htmx, a message.

An htmx request's error goes to the layout's messages region (saas/htmx.py:
`to_messages`), never into the element the request aimed at: a refused tick
must leave the phase checklist on screen.
"""
from __future__ import annotations

import logging

from flask import g, make_response, render_template
from werkzeug.exceptions import HTTPException

from saas.htmx import is_htmx, to_messages

log = logging.getLogger(__name__)

MESSAGES = {
    400: "La requête n'a pas pu être comprise.",
    403: "Vous n'avez pas accès à cette page.",
    404: "Cette page n'existe pas ou n'est pas accessible avec votre compte.",
    405: "Cette action n'est pas possible ici.",
    413: "Le fichier envoyé est trop volumineux.",
    422: "Certaines informations sont à corriger.",
    429: "Trop de tentatives. Merci de patienter quelques minutes avant de réessayer.",
    500: "Une erreur inattendue s'est produite. L'équipe technique a été prévenue.",
    503: "Le service est momentanément indisponible.",
}


class BilanError(Exception):
    """An error the user can understand: a French message and an HTTP status."""
    status = 400

    def __init__(self, message_fr: str, status: int | None = None):
        super().__init__(message_fr)
        self.message = message_fr
        if status is not None:
            self.status = status


class RuleViolation(BilanError):
    """A legal or business rule refused the action (the message cites the rule)."""
    status = 422


class NotFound(BilanError):
    status = 404


def _rollback_sessions():
    for name in ("tenant_db", "public_db"):
        session = g.get(name)
        if session is not None:
            session.rollback()


def render_error(status: int, message: str):
    """The error page, or for htmx the message alone, retargeted to the messages region."""
    if is_htmx():
        return to_messages(make_response(render_template("errors/_message.html", status=status, message=message),
                                         status))
    response = make_response(render_template("errors/page.html", status=status, message=message), status)
    response.vary.add("HX-Request")
    return response


def init_app(app):
    @app.errorhandler(BilanError)
    def bilan_error(error: BilanError):
        _rollback_sessions()
        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        return render_error(status, MESSAGES.get(status, error.description or ""))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        _rollback_sessions()
        # Type only: a message may carry personal data (no personal data in logs).
        log.error("unhandled %s on %s", type(error).__name__, _endpoint(), exc_info=app.debug)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render_error(500, MESSAGES[500])


def _endpoint() -> str:
    from flask import request

    return request.endpoint or "?"
