"""The error family, and the one handler that renders a page or, for htmx, a message.

An htmx request's error goes to the layout's messages region (saas/htmx.py:
`to_messages`), never into the element the request aimed at: a refused tick
must leave the phase checklist on screen.
"""
from __future__ import annotations

import logging

from flask import current_app, g, make_response, render_template
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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


# SQLSTATE classes of a database that is not there for a while: 08 connection exception,
# 57 operator intervention (57P01 admin_shutdown on a restart, 57P03 cannot_connect_now while
# it starts), 53 insufficient resources (too many connections).
UNAVAILABLE_SQLSTATES = ("08", "57", "53")


def database_unavailable(error: Exception) -> bool:
    """True for a database that is down, restarting or saturated (answer 503 and let the pool
    reconnect), False for an error of the request itself (a 500, a bug to fix).

    A connection SQLAlchemy found dead (`connection_invalidated`), a connection refused (psycopg
    raises OperationalError without an SQLSTATE), the PostgreSQL classes above, SQLite's busy
    database after its timeout, or the pool's own wait timing out. SQLite's OperationalError also
    covers "no such table": that one stays a 500.
    """
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    if type(orig).__module__.startswith("psycopg"):
        import psycopg

        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate:
            return sqlstate.startswith(UNAVAILABLE_SQLSTATES)
        return isinstance(orig, psycopg.OperationalError)
    return "database is locked" in str(orig)


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

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_error(error: Exception):
        if not database_unavailable(error):
            return unexpected(error)
        try:
            _rollback_sessions()
        except Exception:  # the connection is gone: the pool drops it at teardown
            pass
        log.warning("database unavailable (%s) on %s", type(getattr(error, "orig", error)).__name__, _endpoint())
        return render_unavailable()

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        _rollback_sessions()
        # Type only: a message may carry personal data (no personal data in logs).
        log.error("unhandled %s on %s", type(error).__name__, _endpoint(), exc_info=app.debug)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        return render_error(500, MESSAGES[500])


def render_unavailable():
    """503 while the database is away: rendered without the context processors (they load the
    account, the centre and its menu from the database) and with a page that asks nothing of it,
    or for htmx the message alone. The next request after the database is back is served
    normally: the pools ping each connection before lending it (saas/db.py, `pool_pre_ping`)."""
    message = MESSAGES[503] + " Merci de réessayer dans un instant."
    env = current_app.jinja_env
    if is_htmx():
        response = to_messages(make_response(env.get_template("errors/_message.html").render(message=message), 503))
    else:
        response = make_response(env.get_template("errors/unavailable.html").render(message=message), 503)
        response.vary.add("HX-Request")
    response.headers["Retry-After"] = "30"
    return response


def _endpoint() -> str:
    from flask import request

    return request.endpoint or "?"
