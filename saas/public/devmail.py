"""/_dev/mail: the .eml files of the file transport, only when debugging."""
from __future__ import annotations

import email
from email import policy
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("devmail", __name__, url_prefix="/_dev/mail")


def _directory() -> Path:
    url = current_app.config["MAIL_URL"]
    if not url.startswith("file://"):
        abort(404)
    return Path(url[len("file://"):])


def _read(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


@bp.get("/")
def index():
    """Newest first: sender, recipient, subject."""
    directory = _directory()
    files = sorted(directory.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True) if directory.exists() else []
    messages = [(path.name, _read(path)) for path in files[:200]]
    return render_template("public/devmail.html", messages=messages)


@bp.get("/<name>")
def show(name: str):
    path = _directory() / name
    if "/" in name or not name.endswith(".eml") or not path.is_file():
        abort(404)
    message = _read(path)
    body = message.get_body(("plain",))
    return render_template("public/devmail_show.html", name=name, message=message,
                           text=body.get_content() if body else "")
