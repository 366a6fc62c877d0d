"""Browser tests: Playwright's sync API driving Debian's chromium, headless.

Every test under tests/e2e/ gets the `e2e` marker (`-m "not e2e"` skips them).
Fixtures:
- `browser` (session): chromium from /usr/bin/chromium ($CHROMIUM overrides).
  `playwright install` is never needed. Missing chromium: a failure when
  CI=true, a skip elsewhere.
- `page`: a fresh context and page per test, CSP bypassed so axe can be
  injected; a screenshot goes to artifacts/ when the test fails.
- `live_server`: the `app` fixture (defined by tests/conftest.py, or
  overridden in a test module) served by werkzeug on 127.0.0.1 in a thread;
  its value is the base URL without a trailing slash.
- `artifacts`: tests/e2e/artifacts/ (git-ignored), for screenshots.
- `axe`: `axe(page)` injects the vendored axe-core, runs it and returns the
  list of violations; `axe.describe(violations)` makes them readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
AXE_JS = next(iter(sorted((HERE / "vendor").glob("axe-core-*/axe.min.js"))), None)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, chromium keeps calling Google's hosts, which this closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# RGAA 4 (the French standard) follows WCAG 2.1 AA.
AXE_DEFAULT_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"browser tests need chromium when CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        _unavailable(f"{CHROMIUM} not found (apt-get install -y chromium, or scripts/ensure-system-deps.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed: {exc}")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"chromium did not start: {exc}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def browser_context_args() -> dict:
    """Options of each test's browser context; override in a module to change them."""
    # bypass_csp: the app's CSP forbids inline scripts, and axe is injected as one.
    return {"bypass_csp": True, "locale": "fr-FR", "timezone_id": "Europe/Paris",
            "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def page(request, browser, browser_context_args, artifacts):
    context = browser.new_context(**browser_context_args)
    # Playwright's own default: a two-core CI running the suite on two workers is slow at times;
    # every wait is for a condition, so a longer ceiling costs nothing when the page is quick.
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        with contextlib.suppress(Exception):
            page.screenshot(path=str(artifacts / f"failed-{name}.png"), full_page=True)
    context.close()


class LiveServer:
    """A Flask app served by werkzeug on 127.0.0.1:<free port> in a daemon thread."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.server = make_server(host, port, app, threaded=True)
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="live-server", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def live_server(app) -> Iterator[str]:
    with LiveServer(app) as server:
        yield server.url


class Axe:
    """`axe(page)` runs the vendored axe-core in the page and returns its violations."""

    def __init__(self, script: Path):
        self.script = script

    def __call__(self, page, context=None, options=None) -> list[dict]:
        """Violations in `context` (a CSS selector, default the document); WCAG 2.1 A/AA by default."""
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(self.script))
        return page.evaluate(
            "async ([context, options]) => (await axe.run(context || document, options)).violations",
            [context, options if options is not None else AXE_DEFAULT_OPTIONS],
        )

    @staticmethod
    def describe(violations: list[dict]) -> str:
        """One line per violation and element, for assertion messages."""
        lines = [
            f"{v['id']} ({v.get('impact')}): {v['help']} at {json.dumps(node.get('target'))}"
            for v in violations
            for node in v.get("nodes", [])
        ]
        return "\n".join(lines) or "no violations"


@pytest.fixture
def axe() -> Axe:
    """`violations = axe(page)`; `assert not violations, axe.describe(violations)`."""
    if AXE_JS is None:
        pytest.fail("axe-core is missing under tests/e2e/vendor/", pytrace=False)
    return Axe(AXE_JS)


@pytest.fixture
def backend():
    """Browser tests run on the embedded default (SQLite); the rest of the suite covers PostgreSQL."""
    return "sqlite"

