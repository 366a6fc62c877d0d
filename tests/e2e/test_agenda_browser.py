"""In a real browser: the bilans list's active search keeps its state in the URL (back button included), and the
agenda's week and day views pass axe at 1280 px and 360 px."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from saas.i18n import PARIS

from bilans_support import add_sessions, centre_db, make_bilan
from browser_support import htmx_idle

SERIOUS = {"serious", "critical"}


@pytest.fixture
def backend():
    return "sqlite"  # the browser's behaviour; the rules run on both databases elsewhere


def _login(page, live_server, person):
    page.goto(f"{live_server}/login")
    page.fill("#email", person.email)
    page.fill("#password", person.password)
    page.get_by_role("button", name="Se connecter").click()


def test_list_active_search_pushes_the_url_and_back_restores_it(page, live_server, make_centre, app, axe):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        for name, email in (("Zoé Martin", "z@example.fr"), ("Arthur Petit", "a@example.fr")):
            make_bilan(db, lyon.owner.id, state="prior_interview", name=name, email=email)
    _login(page, live_server, lyon.owner)
    page.goto(f"{live_server}/c/lyon/bilans/")
    assert [v for v in axe(page) if v["impact"] in SERIOUS] == []
    page.locator("#q").press_sequentially("zoe", delay=30)
    page.wait_for_url("**/bilans/?q=zoe")
    htmx_idle(page)
    assert page.locator("#bilan-rows tbody tr").count() == 1
    page.get_by_role("link", name="Bénéficiaire", exact=True).click()
    page.wait_for_url("**sort=name**")
    htmx_idle(page)
    page.go_back()
    page.wait_for_url("**/bilans/?q=zoe")
    assert page.locator("#bilan-rows tbody tr").count() == 1
    page.go_back()
    page.wait_for_url("**/bilans/")
    assert page.locator("#bilan-rows tbody tr").count() == 2
    # A filter (a select) swaps the table too and pushes its canonical URL.
    page.select_option("#status", "all")
    page.wait_for_url("**/bilans/?status=all")


@pytest.mark.parametrize("width", [1280, 360])
def test_agenda_week_and_day_pass_axe(page, live_server, make_centre, app, axe, artifacts, width):
    lyon = make_centre("lyon")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, lyon.owner.id, name="Zoé Martin", email="z@example.fr", started_on=date(2026, 11, 2))
        add_sessions(db, bilan, 1, done=False, start=datetime(2026, 12, 1, 10, tzinfo=PARIS))
        add_sessions(db, bilan, 1, minutes=60, done=False, start=datetime(2026, 12, 1, 11, tzinfo=PARIS))
    page.set_viewport_size({"width": width, "height": 900})
    _login(page, live_server, lyon.owner)
    for url, shot in (("/c/lyon/agenda/?semaine=2026-W49", "agenda-week"),
                      ("/c/lyon/agenda/?vue=jour&jour=2026-12-01", "agenda-day")):
        page.goto(live_server + url)
        assert page.get_by_text("10:00–12:00").count() >= 1
        page.screenshot(path=str(artifacts / f"{shot}-{width}.png"), full_page=True)
        violations = [v for v in axe(page) if v["impact"] in SERIOUS]
        assert violations == [], axe.describe(violations)
