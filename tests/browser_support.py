"""Helpers for the browser tests (tests/e2e/)."""
from __future__ import annotations


def htmx_idle(page) -> None:
    """Wait until htmx has no request in flight and has processed what it swapped in (an element
    swapped in a moment ago has no listeners yet: a change made then sends nothing)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, "
                           ".htmx-added')")
