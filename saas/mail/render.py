"""Emails from templates: French plain text plus HTML, the centre as sender name."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template


@dataclass
class RenderedEmail:
    subject: str
    text: str
    html: str
    attachments: list[dict] = field(default_factory=list)


def render_email(template: str, /, **context) -> RenderedEmail:
    """`templates/email/<name>.txt` and `.html`; the subject is the text's first line."""
    text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    html = render_template(f"email/{template}.html", subject=subject.strip(), **context)
    return RenderedEmail(subject=subject.strip(), text=body.lstrip("\n"), html=html)
