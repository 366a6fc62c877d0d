"""Absolute links for emails and documents, built on BASE_URL."""
from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def base_url() -> str:
    """BASE_URL; in development without one, the host and port this request came to (never in
    production: a Host header chosen by a client must not write the links of a reset email)."""
    config = current_app.config
    if config.get("BASE_URL_FROM_SERVER") and current_app.debug and has_request_context():
        return request.host_url.rstrip("/")
    return config["BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values) -> str:
    return base_url() + url_for(endpoint, **values)
