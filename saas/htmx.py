"""htmx: tell its requests apart, answer a page or just the fragment, and send messages
to the layout's one messages region.

Errors and toasts never land in the element a request aimed at (a phase
checklist, a planning): an error answers with `HX-Retarget: #messages` and
`HX-Reswap: innerHTML` (htmx 2 honours both over `hx-target` and over the
`responseHandling` config, https://htmx.org/reference/#response_headers); a
success toast is an `HX-Trigger` event, `bilan:message`, that static/js/app.js
shows in the same region. A form's own validation errors are not messages: the
form's fragment comes back with each error beside its field (status 422).

The region is fixed in view (static/css/app.css "toasts"), so a message is seen
wherever the page is scrolled; every message in it has one markup,
templates/_toast.html: flashed messages after a plain form's redirect, htmx
toasts and errors alike.
"""
from __future__ import annotations

import json

from flask import get_flashed_messages, get_template_attribute, make_response, render_template, request
from markupsafe import Markup

MESSAGES_ID = "messages"          # templates/layout.html and static/js/app.js use this id
MESSAGE_EVENT = "bilan:message"   # static/js/app.js listens for it
SAVED = "Enregistré"
LEVELS = ("success", "info", "warn", "error")
# flash()'s categories; flash(message) alone ("message") confirms a save.
_CATEGORIES = {"error": "error", "warning": "warn", "warn": "warn", "info": "info"}


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the page)."""
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def render(page: str, fragment: str | None = None, status: int = 200, **context):
    """The fragment for htmx, else the full page; always `Vary: HX-Request`."""
    template = fragment if fragment and is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def hx_redirect(url: str, status: int = 303):
    """Redirect that htmx follows as a full navigation, and plain forms as a 303."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    response = make_response("", status)
    response.headers["Location"] = url
    return response


def level_of(category: str) -> str:
    """The toast level of a flash() category (templates/_toast.html styles each level)."""
    return _CATEGORIES.get(category, "success")


def flashed_toasts() -> list[tuple[str, str]]:
    """This request's flashed messages as (level, text): the layout shows them as toasts."""
    return [(level_of(category), message) for category, message in get_flashed_messages(with_categories=True)]


def to_messages(response):
    """Send this (error) answer to the messages region instead of the request's target, as an
    error toast (templates/_toast.html): it stays until closed."""
    body = response.get_data(as_text=True)
    if body.strip():
        response.set_data(str(get_template_attribute("_toast.html", "toast")("error", body=Markup(body))))
    response.headers["HX-Retarget"] = f"#{MESSAGES_ID}"
    response.headers["HX-Reswap"] = "innerHTML"
    response.vary.add("HX-Request")
    return response


def toast(response, message: str = SAVED, level: str = "success"):
    """A message shown in the messages region once htmx has the answer (`HX-Trigger`).

    Several toasts of one answer are joined; the header is ASCII JSON, since
    header values are Latin-1 and "…" or a narrow no-break space are not.
    """
    try:
        events = json.loads(response.headers.get("HX-Trigger") or "{}")
    except ValueError:
        events = {}
    if not isinstance(events, dict):
        events = {}
    previous = events.get(MESSAGE_EVENT) or {}
    text = f"{previous['text']} {message}" if previous.get("text") else message
    worst = "error" if "error" in (level, previous.get("level")) else level
    events[MESSAGE_EVENT] = {"text": text, "level": worst}
    response.headers["HX-Trigger"] = json.dumps(events, ensure_ascii=True)
    return response


def _flashes_as_toasts(response):
    """An htmx fragment answer shows this request's flashed messages at once, not on the next page."""
    followed = ("Location", "HX-Redirect", "HX-Location", "HX-Refresh")
    if not is_htmx() or not 200 <= response.status_code < 300 or any(h in response.headers for h in followed):
        return response
    for level, message in flashed_toasts():
        toast(response, message, level)
    return response


def init_app(app) -> None:
    app.after_request(_flashes_as_toasts)
    app.add_template_global(flashed_toasts)
