"""Bytes that are not UTF-8 in a form body or a query string: a 400 in French, before any view reads them.

Werkzeug decodes such bytes to U+FFFD and goes on, so a broken or hostile
client's text would reach the forms half-readable. Every page is served in
UTF-8 and browsers post in UTF-8, so only a broken or hostile client sends
anything else (issue #12; docs/SECURITY.md, "Hostile input"). Multipart
bodies carry files, which are bytes: their text fields are checked by the form
layer instead (saas/forms.py, UNTYPABLE refuses U+FFFD).
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import request

from saas.errors import BilanError

MESSAGE = ("Les informations envoyées ne sont pas lisibles (encodage invalide). "
           "Rechargez la page et réessayez.")


def _is_utf8(encoded: bytes) -> bool:
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def refuse_bad_encoding():
    """Before any view (and after the body size limit, saas/limits.py): the query string and an
    urlencoded body must be UTF-8 once percent-decoded."""
    if not _is_utf8(request.query_string):
        raise BilanError(MESSAGE, 400)
    if request.mimetype == "application/x-www-form-urlencoded" and not _is_utf8(request.get_data(cache=True)):
        raise BilanError(MESSAGE, 400)


def init_app(app) -> None:
    # Just after saas/limits.py's body limit (first of all), before CSRF and the throttles read the form.
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(1 if funcs else 0, refuse_bad_encoding)
