"""Helpers for the browser tests (tests/e2e/)."""
from __future__ import annotations


def htmx_idle(page) -> None:
    """Wait until htmx has no request in flight and has processed what it swapped in (an element
    swapped in a moment ago has no listeners yet: a change made then sends nothing)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, "
                           ".htmx-added')")


SERIOUS = ("serious", "critical")

# A 360 px phone in Paris, French, touch: the beneficiary's usual device (docs/ARCHITECTURE.md, e2e).
PHONE_CONTEXT = {"bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris",
                 "viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
                 "has_touch": True}


def assert_no_serious(axe, page) -> None:
    """axe finds nothing serious or critical on the page as it is now (WCAG 2.1 AA)."""
    found = [v for v in axe(page) if v.get("impact") in SERIOUS]
    assert found == [], f"{page.url}: {axe.describe(found)}"


def assert_fits(page, width: int = 360) -> None:
    """No sideways scrolling at this width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width
