"""Documents sent to the browser: never cached (they hold personal data), named, inline or downloaded."""
from __future__ import annotations

from flask import make_response


def file_response(data: bytes, filename: str, mimetype: str, download: bool = False):
    response = make_response(data)
    response.mimetype = mimetype
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def pdf_response(data: bytes, filename: str, download: bool = False):
    return file_response(data, filename, "application/pdf", download)
