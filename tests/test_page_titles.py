"""Every staff page without an id in its URL has a plain-text <title>: a block left open in a
template (the administration page once put its whole logo section in its title) shows as markup in
the browser's tab and in screen readers' first announcement of the page (WCAG 2.4.2)."""
from __future__ import annotations

import html
import re

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _staff_pages(app, slug: str) -> list[str]:
    """The GET rules under /c/<slug>/ that need no other parameter, from the URL map."""
    pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or set(rule.arguments) != {"slug"} or not rule.rule.startswith("/c/"):
                continue
            if rule.endpoint.startswith("static") or rule.rule.endswith((".css", ".ics", ".pdf", ".csv", "/logo")):
                continue
            pages.append(rule.rule.replace("<slug>", slug))
    return sorted(set(pages))


def test_every_staff_page_title_is_plain_text(app, make_centre, login, client):
    lyon = make_centre("lyon")
    login(lyon.owner)
    pages = _staff_pages(app, "lyon")
    assert len(pages) > 10, pages  # the walk found the centre's pages, not nothing
    checked = 0
    for path in pages:
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        found = TITLE.search(response.text)
        assert found, f"{path}: no <title>"
        text = html.unescape(found.group(1)).strip()
        assert "<" not in found.group(1) and text, f"{path}: title {found.group(1)[:80]!r}"
        assert "\n" not in text, f"{path}: title spans lines: {text[:80]!r}"
        checked += 1
    assert checked > 10, checked
