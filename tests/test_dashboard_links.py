"""No dead ends from the dashboard (issue #13): every link of the triage page of a seeded centre answers
200, and every `#fragment` it carries is an id on the page it leads to (a session's row on the Séances tab,
a block of the bilan's overview), for the consultant and for the admin.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from test_dashboard_triage import story

from saas.i18n import paris_today

from bilans_support import centre_db


class _Page(HTMLParser):
    """The `href` of every link and every `id` of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _dashboard_links(client, slug: str) -> tuple[_Page, list[str]]:
    response = client.get(f"/c/{slug}/")
    assert response.status_code == 200
    page = _Page(response.text)
    # Links of this application only: a mailto: or another site is not this page's to check.
    return page, sorted({href for href in page.links if not urlsplit(href).scheme and not href.startswith("//")})


def _dead_links(client, slug: str) -> tuple[list[str], list[str]]:
    """(links of the dashboard, the ones that do not answer 200 or whose fragment is no id of the target)."""
    dashboard, links = _dashboard_links(client, slug)
    dead, targets = [], {}
    for href in links:
        path, fragment = urldefrag(href)
        if not path:  # "#main": on the dashboard itself
            if fragment not in dashboard.ids:
                dead.append(href)
            continue
        if path not in targets:
            response = client.get(path)
            targets[path] = _Page(response.text) if response.status_code == 200 else None
            if targets[path] is None:
                dead.append(f"{href} ({response.status_code})")
                continue
        if fragment and targets[path] is not None and fragment not in targets[path].ids:
            dead.append(f"{href} (no id {fragment!r})")
    return links, dead


@pytest.fixture
def seeded(app, make_centre, add_member):
    """A centre with a bilan in every situation the dashboard files (today's sessions included),
    seeded on the Paris date of the run: the dashboard reads that date."""
    centre = make_centre("lyon")
    julien = add_member(centre)
    with centre_db(app, centre) as db:
        story(db, julien.id, today=paris_today())
    return centre, julien


def test_every_dashboard_link_resolves_and_its_fragment_exists(client, login, seeded):
    centre, julien = seeded
    login(julien)
    links, dead = _dead_links(client, centre.slug)
    assert dead == []
    # The triage linked its items, not only the menu: the sessions at their rows, the bilans' tabs.
    assert any("/seances#session-" in href for href in links)
    assert any(f"/c/{centre.slug}/bilans/" in href for href in links if "/seances" not in href)


def test_every_dashboard_link_of_the_admin_resolves_and_its_fragment_exists(client, login, seeded):
    centre, _julien = seeded
    login(centre.owner)
    links, dead = _dead_links(client, centre.slug)
    assert dead == []
    assert any("/seances#session-" in href for href in links)
