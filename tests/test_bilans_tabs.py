"""The bilan page in tabs (issue 13): each tab a URL of its own, the full page or the workspace fragment
for htmx, and the overview's phase, hours and next step read from the rule functions."""
from __future__ import annotations

import html
import re

import pytest

from bilans_support import add_sessions, centre_db, owner_bilan

TABS = {"": "Vue d'ensemble", "/seances": "Séances", "/questionnaires-du-bilan": "Questionnaires",
        "/synthese": "Synthèse", "/documents": "Documents", "/historique": "Historique"}
HTMX = {"HX-Request": "true", "HX-Target": "bilan-workspace"}


@pytest.fixture
def lyon(make_centre):
    return make_centre("lyon")


def _current_tab(page: str) -> str:
    found = re.findall(r'<a [^>]*data-tab-link aria-current="page">([^<]+)</a>', page)
    assert len(found) == 1, found
    return html.unescape(found[0])


@pytest.mark.parametrize("suffix", list(TABS))
def test_each_bilan_tab_is_a_url_with_full_page_and_fragment(app, client, lyon, login, suffix):
    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    url = f"/c/lyon/bilans/{bilan_id}{suffix}"
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.text and "HX-Request" in page.headers["Vary"]
    assert _current_tab(page.text) == TABS[suffix]
    assert page.text.count('id="bilan-workspace"') == 1
    fragment = client.get(url, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<div id="bilan-workspace"')
    assert _current_tab(fragment.text) == TABS[suffix]
    # The tab links are plain links that htmx narrows (hx-get) and that push their own URL.
    for other in TABS:
        target = f"/c/lyon/bilans/{bilan_id}{other}"
        assert f'href="{target}" hx-get="{target}" hx-push-url="true"' in fragment.text


def test_bilan_tabs_of_another_consultant_are_404(app, client, lyon, add_member, login):
    bilan_id = owner_bilan(app, lyon)
    other = add_member(lyon, "consultant")
    login(other)
    for suffix in TABS:
        assert client.get(f"/c/lyon/bilans/{bilan_id}{suffix}").status_code == 404


def test_sessions_tab_shows_the_planning_and_logs_access_to_session_notes(app, client, lyon, login):
    """The planning shows each session's notes: opening the tab is logged like the planning page."""
    from sqlmodel import select

    from tenants.access_log.models import AccessLog

    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/seances").text
    assert 'id="planning"' in page and 'id="logbook"' in page
    with centre_db(app, lyon) as db:
        kinds = [row.kind for row in db.exec(select(AccessLog).where(AccessLog.bilan_id == bilan_id)).all()]
    assert "session_notes" in kinds


def test_overview_shows_the_three_phases_as_a_task_list(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon, phase="investigation")
    login(lyon.owner)
    page = html.unescape(client.get(f"/c/lyon/bilans/{bilan_id}").text)
    tasks = re.findall(r'<li class="task task-(\w+)"', page)
    assert tasks == ["done", "current", "todo"]
    assert re.search(r'aria-current="step">\s*<span class="task-name"><strong>Phase d.investigation', page)
    assert "0 sur 3" in page  # the investigation checklist (tenants/bilans/checklists.py) has three items


def test_overview_hours_bar_reads_the_hours_rule(app, client, lyon, login):
    """done / planned / 13 h floor / 24 h cap, with a text equivalent of the bar."""
    from tenants.bilans.models import Bilan
    from tenants.bilans.workspace import hours_bar
    from tenants.sessions.hours import hours_of

    bilan_id = owner_bilan(app, lyon, phase="investigation")
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        add_sessions(db, bilan, 3)                        # 6 h signed
        add_sessions(db, bilan, 1, signed=False)          # 2 h waiting for a signature
        bar = hours_bar(hours_of(db, bilan))
    assert bar["floor"] == 130.0 and bar["width"] == 240 and bar["accompaniment"] == 60.0 and bar["done"] == 60.0
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    assert f'class="hb-floor" x1="{bar["floor"]}"' in page and 'aria-hidden="true" focusable="false"' in page
    assert "Accompagnement réalisé et émargé : 6\u202fh" in page and "encore 7\u202fh" in page
    assert "maximum 24\u202fh" in page


def test_overview_next_step_shows_what_blocks_it(app, client, lyon, login):
    """Without consent, the next step (leave the preliminary phase) is blocked by the consent rule."""
    from tenants.bilans.lifecycle import phase_blockers
    from tenants.bilans.models import Bilan

    bilan_id = owner_bilan(app, lyon, consent=False)
    with centre_db(app, lyon) as db:
        reason = phase_blockers(db, db.get(Bilan, bilan_id), "investigation")[0].reason
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}").text
    step = html.unescape(page.split('id="next-step"', 1)[1].split("</section>", 1)[0])
    assert "Passer à la phase d'investigation" in step and reason in step
    assert f'href="/c/lyon/bilans/{bilan_id}#consent"' in step


def test_history_tab_lists_events_and_links_the_full_history(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/historique").text
    assert "Bilan démarré : phase préliminaire" in page and f"/c/lyon/bilans/{bilan_id}/history/" in page


def test_documents_tab_links_the_existing_documents(app, client, lyon, login):
    bilan_id = owner_bilan(app, lyon)
    login(lyon.owner)
    page = client.get(f"/c/lyon/bilans/{bilan_id}/documents").text
    assert f"/c/lyon/bilans/{bilan_id}/quote.pdf" in page and f"/c/lyon/bilans/{bilan_id}/evidence/" in page
    assert "certificate.pdf" not in page  # issued at the closing only
