"""PDF documents (WeasyPrint), rendered in memory, and French typography for them.

Nothing is written to disk: `render_pdf` returns bytes. Every document has the
same letterhead (templates/pdf/_base.html: the centre's logo, name, address,
SIRET and NDA) and footer ("Page 1 sur 3"). Text gets narrow no-break spaces
before « : ; ? ! » and inside guillemets (French rules), and larger type when
the beneficiary needs it (Qualiopi 26: disability). Nothing is fetched over the
network: the logo is embedded as a data: URI and WeasyPrint may open no other URL.
"""
from __future__ import annotations

import base64
import re
from html import unescape

from flask import render_template
from markupsafe import Markup, escape

NNBSP = "\u202f"
_BEFORE = re.compile(r"[ \u00a0\u202f]+([:;?!»])")
_BEFORE_BARE = re.compile(r"(?<=[\w\)»%€])([;?!»])")
_AFTER = re.compile(r"«[ \u00a0\u202f]*")
_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0](?=\d{3}(?!\d))")
_UNIT = re.compile(r"(?<=\d)[ \u00a0](?=(?:€|%|h\b))")
_TEXT_NODE = re.compile(r">([^<]+)<")


def typo_fr(value) -> str:
    """Narrow no-break spaces before : ; ? ! » and after « (keeps Markup safe)."""
    if value is None:
        return ""
    is_markup = isinstance(value, Markup)
    text = str(value)
    text = _BEFORE.sub(NNBSP + r"\1", text)
    text = _BEFORE_BARE.sub(NNBSP + r"\1", text)
    text = _AFTER.sub("«" + NNBSP, text)
    text = _UNIT.sub(NNBSP, _THOUSANDS.sub(NNBSP, text))
    return Markup(text) if is_markup else text


def typeset_body(html: str) -> str:
    """French typography on every text node of the <body> (never on CSS or markup)."""
    head, sep, body = html.partition("<body")
    if not sep:
        return html
    body = _TEXT_NODE.sub(lambda m: ">" + str(escape(typo_fr(unescape(m.group(1))))) + "<", body)
    return head + sep + body


def paragraphs(value) -> Markup:
    """Plain text to escaped paragraphs, with French typography."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", str(value or "")) if b.strip()]
    return Markup("".join(f"<p>{escape(typo_fr(b)).replace(chr(10), Markup('<br>'))}</p>" for b in blocks))


def logo_uri(logo: bytes | None) -> str | None:
    """The logo as a data: URI for the letterhead (PNG or JPEG, tenants/admin/branding.py:checked_logo)."""
    if not logo:
        return None
    kind = "image/png" if logo.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(logo).decode()}"


def render_html(template: str, **context) -> str:
    """The typeset HTML of a PDF: the letterhead reads `centre` (logo, address, legal ids)."""
    from tenants.admin.branding import centre_logo

    centre = context.get("centre")
    context.setdefault("logo_uri", logo_uri(centre_logo(centre)) if centre is not None else None)
    return typeset_body(render_template(template, **context))


def render_pdf(template: str, pdf_variant: str | None = None, **context) -> bytes:
    """A PDF from templates/pdf/<template>, in memory; `pdf_variant` e.g. "pdf/a-3b" (Factur-X invoices)."""
    from weasyprint import HTML, URLFetcher

    return HTML(string=render_html(template, **context), base_url=None,
                url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(pdf_variant=pdf_variant)


def init_filters(state) -> None:
    state.app.jinja_env.filters.update(typo_fr=typo_fr, paragraphs=paragraphs)
