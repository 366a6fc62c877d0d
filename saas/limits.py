"""Request body limits per route class, checked before anything reads the body; 413 in French.

Flask's MAX_CONTENT_LENGTH is None by default: without a limit a 22 MiB POST
to /login was parsed (by the CSRF check and the login throttle's key) and
stored. Every request now gets `request.max_content_length` (Flask 3.1) from
its view: `FORM_MAX` unless the view declares more with `@body_limit(...)`
(long texts, questionnaire answers, uploads at their own size). The check is
the first `before_request` function, so neither CSRF, the throttles nor a
view reads a body over its limit; a body without Content-Length is cut by
werkzeug at the same limit. Text fields are bounded again, per field, by the
forms (`saas.forms.max_length`; tests/test_limits.py walks every form).
"""
from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

KIB = 1024
MIB = 1024 * KIB
FORM_MAX = 64 * KIB  # a staff or portal form: a few fields of at most 8,000 characters
LONG_TEXT_MAX = 1 * MIB  # a synthesis, a whole questionnaire's answers
MAX_FORM_PARTS = 500  # fields (and files) in one multipart body


def body_limit(max_bytes: int = FORM_MAX, *, file_bytes: int = 0):
    """Decorator, right under `@bp.post(...)`: this view accepts a body of up to `max_bytes`
    of fields plus `file_bytes` of uploaded files (the feature's own file limit)."""
    def mark(view):
        view.max_body_bytes = max_bytes + file_bytes
        view.max_file_bytes = file_bytes
        return view
    return mark


def _view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def limit_for(view) -> int:
    return getattr(view, "max_body_bytes", FORM_MAX)


def size_fr(n: int) -> str:
    """64 Ko, 10 Mo: the units a French reader expects (rounded down)."""
    if n >= MIB:
        return f"{n // MIB}\u202fMo"
    return f"{max(n // KIB, 1)}\u202fKo"


def _limit_body():
    limit = limit_for(_view())
    request.max_content_length = limit
    request.max_form_memory_size = min(limit, current_app.config["MAX_FORM_MEMORY_SIZE"] or limit)
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def too_large(error):
    from saas.errors import render_error

    limit, file_limit = limit_for(_view()), getattr(_view(), "max_file_bytes", 0)
    if request.mimetype == "multipart/form-data" and file_limit:
        message = f"Le fichier envoyé est trop volumineux : {size_fr(file_limit)} au plus."
    else:
        message = f"Les informations envoyées sont trop volumineuses : {size_fr(limit)} au plus pour ce formulaire."
    return render_error(413, message)


def init_app(app) -> None:
    # Flask ships MAX_CONTENT_LENGTH=None, so it is set, not defaulted; views ask for more.
    app.config["MAX_CONTENT_LENGTH"] = FORM_MAX
    app.config["MAX_FORM_PARTS"] = MAX_FORM_PARTS
    app.config["MAX_FORM_MEMORY_SIZE"] = LONG_TEXT_MAX  # one non-file field of a multipart body
    # First of all before_request functions: CSRF and the throttles' keys read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)
    app.register_error_handler(RequestEntityTooLarge, too_large)
