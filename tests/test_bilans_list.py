"""The bilans list: active search, sort, filters, pages, the state in the URL, a fixed number of statements."""
import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy import event

from bilans_support import add_sessions, backdate_row, centre_db, make_bilan

NAMES = ["Zoé Martin", "Élodie Bernard", "Arthur Petit", "Bruno Durand", "Chloé Leroy"]


def _names(html: str) -> list[str]:
    """Beneficiaries' names in table order."""
    return re.findall(r'<td><a href="/c/[^"]+/bilans/[0-9a-f]+">([^<]+)</a></td>', html)


@pytest.fixture
def lyon(app, make_centre):
    return make_centre("lyon")


def _bilans(app, centre, consultant_id, names, *, state="active", **extra):
    made = []
    with centre_db(app, centre) as db:
        for i, name in enumerate(names):
            bilan = make_bilan(db, consultant_id, state=state, name=name, email=f"{uuid4().hex}@example.fr",
                               **extra)
            # Distinct, known activity dates: the first name is the most recent.
            backdate_row(db, bilan, last_activity_at=datetime(2026, 11, 30, 12, tzinfo=UTC) - timedelta(days=i))
            made.append(bilan.id)
    return made


@contextmanager
def counted_statements(app):
    """How many statements the database receives inside the block (every connection of the app's engine)."""
    engine = app.extensions["db"].engine
    seen = []

    def count(*_args):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_list_sorted_by_last_activity_by_default_and_by_name_after_decryption(app, client, lyon, login):
    _bilans(app, lyon, lyon.owner.id, NAMES)
    login(lyon.owner)
    assert _names(client.get("/c/lyon/bilans/").text) == NAMES
    page = client.get("/c/lyon/bilans/?sort=name")
    # Accents fold: "Élodie" sorts with the E.
    assert _names(page.text) == ["Arthur Petit", "Bruno Durand", "Chloé Leroy", "Élodie Bernard", "Zoé Martin"]
    assert 'aria-sort="ascending"' in page.text
    assert _names(client.get("/c/lyon/bilans/?sort=name&dir=desc").text)[0] == "Zoé Martin"


def test_list_search_ignores_case_and_accents_and_keeps_other_filters(app, client, lyon, login):
    _bilans(app, lyon, lyon.owner.id, NAMES)
    login(lyon.owner)
    page = client.get("/c/lyon/bilans/?q=ELODIE", headers={"HX-Request": "true"})
    assert _names(page.text) == ["Élodie Bernard"]
    assert "<html" not in page.text and "HX-Request" in page.headers["Vary"]
    assert page.headers["HX-Push-Url"] == "/c/lyon/bilans/?q=ELODIE"  # canonical: no empty fields
    assert _names(client.get("/c/lyon/bilans/?q=zoe&phase=investigation").text) == []
    assert "Aucun bilan ne correspond." in client.get("/c/lyon/bilans/?q=personne").text


def test_list_search_field_is_active_search_and_submits_without_javascript(app, client, lyon, login):
    login(lyon.owner)
    html = client.get("/c/lyon/bilans/?q=zo").text
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html and 'hx-push-url="true"' in html
    assert re.search(r'<form method="get" action="/c/lyon/bilans/"', html)
    assert '<button type="submit">Rechercher</button>' in html
    assert 'value="zo"' in html


def test_list_filters_by_phase_funding_and_status(app, client, lyon, login):
    with centre_db(app, lyon) as db:
        make_bilan(db, lyon.owner.id, name="Zoé Martin", email="z@example.fr", phase="investigation", funding="cpf")
        make_bilan(db, lyon.owner.id, name="Arthur Petit", email="a@example.fr", funding="personal")
        make_bilan(db, lyon.owner.id, name="Bruno Durand", email="b@example.fr", state="cancelled")
    login(lyon.owner)
    assert _names(client.get("/c/lyon/bilans/?phase=investigation").text) == ["Zoé Martin"]
    assert _names(client.get("/c/lyon/bilans/?funding=personal").text) == ["Arthur Petit"]
    assert _names(client.get("/c/lyon/bilans/?status=closed").text) == ["Bruno Durand"]
    assert sorted(_names(client.get("/c/lyon/bilans/?status=all").text)) == ["Arthur Petit", "Bruno Durand",
                                                                              "Zoé Martin"]
    assert "Bruno Durand" not in _names(client.get("/c/lyon/bilans/").text)


def test_list_sort_by_phase_next_session_and_hours(app, client, lyon, login):
    soon = datetime.now(UTC) + timedelta(days=2)
    with centre_db(app, lyon) as db:
        late = make_bilan(db, lyon.owner.id, name="Zoé Martin", email="z@example.fr", phase="conclusion")
        early = make_bilan(db, lyon.owner.id, name="Arthur Petit", email="a@example.fr")
        make_bilan(db, lyon.owner.id, name="Bruno Durand", email="b@example.fr", state="quoted")
        add_sessions(db, late, 3)                                          # 6 h done
        add_sessions(db, late, 1, done=False, start=soon + timedelta(days=3))
        add_sessions(db, early, 1, done=False, start=soon)
    login(lyon.owner)
    assert _names(client.get("/c/lyon/bilans/?sort=phase").text) == ["Bruno Durand", "Arthur Petit", "Zoé Martin"]
    # No planned session: last, whichever the direction.
    assert _names(client.get("/c/lyon/bilans/?sort=next").text) == ["Arthur Petit", "Zoé Martin", "Bruno Durand"]
    assert _names(client.get("/c/lyon/bilans/?sort=next&dir=desc").text) == ["Zoé Martin", "Arthur Petit",
                                                                            "Bruno Durand"]
    page = client.get("/c/lyon/bilans/?sort=hours")
    assert _names(page.text)[0] == "Zoé Martin" and "6\u202fh" in page.text


def test_list_pages_hold_25_bilans_and_links_keep_the_state(app, client, lyon, login):
    names = [f"Personne {i:02d}" for i in range(30)]
    _bilans(app, lyon, lyon.owner.id, names, state="prior_interview")
    login(lyon.owner)
    first = client.get("/c/lyon/bilans/?sort=name&q=personne")
    assert _names(first.text) == names[:25] and "30 bilans, 1 à 25 affichés" in first.text
    assert 'href="/c/lyon/bilans/?q=personne&amp;sort=name&amp;dir=asc&amp;page=2"' not in first.text  # dir is default
    assert 'href="/c/lyon/bilans/?q=personne&amp;sort=name&amp;page=2"' in first.text
    second = client.get("/c/lyon/bilans/?q=personne&sort=name&page=2")
    assert _names(second.text) == names[25:] and 'aria-current="page">2</a>' in second.text
    # A column header resets to page 1 and keeps the search.
    assert 'href="/c/lyon/bilans/?q=personne&amp;sort=name&amp;dir=desc"' in second.text


def test_list_bookmarked_url_renders_the_same_table_as_htmx(app, client, lyon, login):
    _bilans(app, lyon, lyon.owner.id, NAMES)
    login(lyon.owner)
    url = "/c/lyon/bilans/?q=e&sort=name&dir=desc"
    assert _names(client.get(url).text) == _names(client.get(url, headers={"HX-Request": "true"}).text) != []
    # htmx's history restore asks for the whole page.
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


@pytest.mark.parametrize("query", ["page=-1", "page=abc", "page=99999999999", "sort=evil", "dir=sideways",
                                   "phase=unknown", "funding=%00", "status=deleted", "consultant=-4",
                                   "consultant=99999999999999999999", "q=" + "x" * 5000])
def test_list_hostile_params_give_the_default(app, client, lyon, login, query):
    _bilans(app, lyon, lyon.owner.id, NAMES[:2])
    login(lyon.owner)
    page = client.get("/c/lyon/bilans/?" + query)
    assert page.status_code == 200
    if not query.startswith("q="):
        assert _names(page.text) == NAMES[:2]


def test_list_page_past_the_last_shows_the_last(app, client, lyon, login):
    _bilans(app, lyon, lyon.owner.id, NAMES[:2])
    login(lyon.owner)
    assert _names(client.get("/c/lyon/bilans/?page=7").text) == NAMES[:2]


def test_list_consultant_sees_only_their_bilans_and_no_consultant_filter(app, client, lyon, add_member, login):
    colleague = add_member(lyon, "consultant")
    _bilans(app, lyon, lyon.owner.id, ["Zoé Martin"])
    _bilans(app, lyon, colleague.id, ["Arthur Petit"])
    login(colleague)
    page = client.get(f"/c/lyon/bilans/?consultant={lyon.owner.id}&status=all")
    assert _names(page.text) == ["Arthur Petit"] and 'id="consultant"' not in page.text
    login.logout()
    login(lyon.owner)
    page = client.get("/c/lyon/bilans/")
    assert sorted(_names(page.text)) == ["Arthur Petit", "Zoé Martin"] and 'id="consultant"' in page.text
    assert _names(client.get(f"/c/lyon/bilans/?consultant={colleague.id}").text) == ["Arthur Petit"]


def test_list_of_another_centre_is_not_found(app, client, lyon, make_centre, login):
    brest = make_centre("brest")
    _bilans(app, brest, brest.owner.id, ["Zoé Brestoise"])
    login(lyon.owner)
    assert client.get("/c/brest/bilans/").status_code == 404
    assert "Zoé Brestoise" not in client.get("/c/lyon/bilans/?status=all").text


def test_list_costs_a_fixed_number_of_statements_whatever_the_number_of_bilans(app, client, lyon, login):
    """Search and sort by name decrypt in Python, but the queries are batched: N and 3N bilans, same count."""
    login(lyon.owner)

    def statements_for_page():
        client.get("/c/lyon/bilans/?sort=name&status=all")  # warm: the same caches as the measured request
        with counted_statements(app) as seen:
            page = client.get("/c/lyon/bilans/?sort=name&status=all")
        return len(seen), len(_names(page.text))

    def add(prefix, count):
        _bilans(app, lyon, lyon.owner.id, [f"{prefix} {i}" for i in range(count)], state="prior_interview")
        with centre_db(app, lyon) as db:
            bilan = make_bilan(db, lyon.owner.id, name=f"{prefix} active", email=f"{prefix}@example.fr")
            add_sessions(db, bilan, 2)
            add_sessions(db, bilan, 1, done=False, start=datetime.now(UTC) + timedelta(days=3))

    add("Petit", 3)
    small, shown_small = statements_for_page()
    add("Grand", 8)
    large, shown_large = statements_for_page()
    assert (shown_small, shown_large) == (4, 13)
    assert small == large, (small, large)
    assert small < 30
