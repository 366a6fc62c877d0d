"""The consultant's agenda: a fixed week with sessions at known times, the day view, planning from a slot,
and whose agenda a member may open."""
import re
from datetime import date, datetime

import pytest

from saas.i18n import PARIS

from bilans_support import add_sessions, centre_db, make_bilan

MONDAY = date(2026, 11, 30)   # ISO week 2026-W49
STARTED = date(2026, 11, 2)


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def lyon(app, make_centre):
    return make_centre("lyon")


@pytest.fixture
def week_sessions(app, lyon):
    """Zoé: Tuesday 10:00–12:00, Tuesday 11:00–12:00 (overlap), Thursday 14:30–15:30, Friday 21:00 (after the grid),
    one cancelled; Arthur: a prior interview on Friday 4 December (a day, no time)."""
    from tenants.sessions import planning

    with centre_db(app, lyon) as db:
        zoe = make_bilan(db, lyon.owner.id, name="Zoé Martin", email="zoe@example.fr", started_on=STARTED)
        add_sessions(db, zoe, 1, done=False, start=at(date(2026, 12, 1), 10))
        add_sessions(db, zoe, 1, minutes=60, done=False, start=at(date(2026, 12, 1), 11))
        add_sessions(db, zoe, 1, minutes=60, done=False, start=at(date(2026, 12, 3), 14, 30))
        add_sessions(db, zoe, 1, minutes=60, done=False, start=at(date(2026, 12, 4), 21))
        cancelled = add_sessions(db, zoe, 1, minutes=60, done=False, start=at(date(2026, 12, 2), 9))[0]
        planning.set_status(db, zoe, cancelled, "cancelled", now=at(date(2026, 11, 20), 9))
        db.commit()
        arthur = make_bilan(db, lyon.owner.id, state="prior_interview", name="Arthur Petit", email="a@example.fr",
                            started_on=date(2027, 1, 3))  # its prior interview: 30 days before, 4 December
    return {"zoe": zoe.id, "arthur": arthur.id}


def _week(app, lyon, account_id, today=date(2026, 12, 2)):
    from saas.accounts.queries import membership
    from tenants.agenda.week import week_of

    with centre_db(app, lyon) as db:
        member = membership(db, account_id, lyon.id)
        return week_of(db, member, account_id, MONDAY, today)


def test_agenda_week_places_sessions_by_paris_time(app, lyon, week_sessions):
    week = _week(app, lyon, lyon.owner.id)
    assert [d.day for d in week.days] == [date(2026, 11, 30 + i) if i == 0 else date(2026, 12, i) for i in range(7)]
    tuesday, thursday, friday = week.days[1], week.days[3], week.days[4]
    first, second = tuesday.timed
    # 10:00 is the 5th half-hour row after 8:00; two hours span 4 rows; the overlap takes a second lane.
    assert (first.starts.hour, first.row, first.span, first.lane) == (10, 5, 4, 1)
    assert (second.starts.hour, second.row, second.span, second.lane) == (11, 7, 2, 2) and tuesday.lanes == 2
    assert [(e.row, e.span) for e in thursday.timed] == [(14, 2)]
    # After 20:00: listed with the day, as the prior interview (no time in the model).
    assert {e.kind for e in friday.listed} == {"interview", "prior_interview"} and friday.timed == []
    assert all(not d.timed and not d.listed for d in (week.days[0], week.days[5], week.days[6]))
    assert week.days[2].timed == []  # the cancelled session is not in the agenda


def test_agenda_highlights_today_in_paris(app, lyon):
    week = _week(app, lyon, lyon.owner.id, today=date(2026, 12, 2))
    assert [d.is_today for d in week.days] == [False, False, True, False, False, False, False]


def test_agenda_week_label_in_french():
    from tenants.agenda.week import Week, period_fr

    assert Week(MONDAY, []).label == "semaine du 30 novembre au 6 décembre 2026"
    assert period_fr(date(2027, 3, 1), date(2027, 3, 7)) == "du 1er au 7 mars 2027"
    assert period_fr(date(2026, 12, 28), date(2027, 1, 3)) == "du 28 décembre 2026 au 3 janvier 2027"


@pytest.mark.parametrize("value, monday", [("2026-W49", MONDAY), ("2026-12-03", MONDAY),
                                           ("2026-W53", date(2026, 12, 28)), ("2027-W53", None),
                                           ("2026-W00", None), ("9999-W01", None), ("2026-02-30", None),
                                           ("évil", None), ("", None)])
def test_agenda_week_param_or_this_week(value, monday):
    from tenants.agenda.week import monday_of

    today = date(2027, 5, 12)  # a Wednesday
    assert monday_of(value, today) == (monday or date(2027, 5, 10))


def test_agenda_page_shows_the_week_with_links_to_sessions(app, client, lyon, login, week_sessions):
    login(lyon.owner)
    page = client.get("/c/lyon/agenda/?semaine=2026-W49")
    assert page.status_code == 200
    html = page.text
    assert "semaine du 30 novembre au 6 décembre 2026" in html
    assert "lundi 30 novembre" in html and "mardi 1er décembre" in html
    assert f'href="/c/lyon/bilans/{week_sessions["zoe"]}/seances#session-' in html
    assert f'href="/c/lyon/bilans/{week_sessions["arthur"]}"' in html and "Entretien préalable" in html
    assert "10:00–12:00" in html and "14:30–15:30" in html and "Présentiel" in html
    assert 'class="agenda-placed r5 s4 l1"' in html
    assert 'href="/c/lyon/agenda/?semaine=2026-W48"' in html and 'href="/c/lyon/agenda/?semaine=2026-W50"' in html
    # An empty slot plans a session at its day and time.
    assert 'href="/c/lyon/agenda/planifier?jour=2026-12-02&amp;heure=15:00"' in html
    assert 'aria-label="Navigation principale"' in html and '<span class="nav-label">Agenda</span>' in html


def test_agenda_day_view(app, client, lyon, login, week_sessions):
    login(lyon.owner)
    html = client.get("/c/lyon/agenda/?vue=jour&jour=2026-12-01").text
    assert "mardi 1er décembre 2026" in html
    assert html.index("10:00–12:00") < html.index("11:00–12:00")
    assert "14:30" not in html.split("Planifier une séance")[0]
    assert 'href="/c/lyon/agenda/?vue=jour&amp;jour=2026-11-30"' in html
    assert 'href="/c/lyon/agenda/?semaine=2026-W49"' in html


@pytest.mark.parametrize("query", ["semaine=2026-W99", "semaine=%00", "vue=jour&jour=2026-13-45", "vue=nuit",
                                   "consultant=abc", "consultant=-1", "consultant=99999999999999999999"])
def test_agenda_hostile_params_give_the_default(app, client, lyon, login, query):
    login(lyon.owner)
    assert client.get("/c/lyon/agenda/?" + query).status_code == 200
    assert client.get("/c/lyon/agenda/planifier?jour=x&heure=25:99&" + query).status_code == 200


def test_agenda_empty_slot_lists_open_bilans_then_prefills_the_planning_form(app, client, lyon, login,
                                                                          week_sessions):
    login(lyon.owner)
    page = client.get("/c/lyon/agenda/planifier?jour=2026-12-02&heure=15:00")
    assert "Planifier une séance le mercredi 2 décembre 2026 à 15:00" in page.text
    # Only started bilans take sessions: Zoé's, not Arthur's prior interview.
    assert f'value="{week_sessions["zoe"]}"' in page.text and week_sessions["arthur"] not in page.text
    chosen = client.get(f"/c/lyon/agenda/planifier?jour=2026-12-02&heure=15:00&bilan={week_sessions['zoe']}")
    assert chosen.status_code == 303
    assert chosen.headers["Location"].endswith(f"/c/lyon/bilans/{week_sessions['zoe']}/sessions/"
                                               "?jour=2026-12-02&heure=15:00")
    form = client.get(chosen.headers["Location"]).text
    assert re.search(r'<input[^>]*id="day"[^>]*value="02/12/2026"', form)  # jj/mm/aaaa: saas/forms.py
    assert re.search(r'<input[^>]*id="time"[^>]*value="15:00"', form)


def test_agenda_consultant_cannot_see_another_consultants_agenda(app, client, lyon, add_member, login,
                                                                 week_sessions):
    colleague = add_member(lyon, "consultant")
    login(colleague)
    page = client.get(f"/c/lyon/agenda/?semaine=2026-W49&consultant={lyon.owner.id}")
    assert page.status_code == 200 and "Zoé Martin" not in page.text and 'id="agenda-consultant"' not in page.text
    other_bilan = client.get(f"/c/lyon/agenda/planifier?jour=2026-12-02&heure=15:00&bilan={week_sessions['zoe']}"
                             f"&consultant={lyon.owner.id}")
    assert other_bilan.status_code == 404
    assert "Zoé Martin" not in client.get(f"/c/lyon/agenda/planifier?consultant={lyon.owner.id}").text


def test_agenda_admin_picks_a_consultant(app, client, lyon, add_member, login):
    colleague = add_member(lyon, "consultant")
    with centre_db(app, lyon) as db:
        bilan = make_bilan(db, colleague.id, name="Chloé Leroy", email="c@example.fr", started_on=STARTED)
        add_sessions(db, bilan, 1, done=False, start=at(date(2026, 12, 1), 9))
    login(lyon.owner)
    own = client.get("/c/lyon/agenda/?semaine=2026-W49").text
    assert "Chloé Leroy" not in own and 'id="agenda-consultant"' in own
    picked = client.get(f"/c/lyon/agenda/?semaine=2026-W49&consultant={colleague.id}").text
    assert "Chloé Leroy" in picked and f'semaine=2026-W50&amp;consultant={colleague.id}' in picked


def test_agenda_of_another_centre_is_not_found(app, client, lyon, make_centre, login):
    make_centre("brest")
    login(lyon.owner)
    assert client.get("/c/brest/agenda/").status_code == 404
    assert client.get("/c/brest/agenda/planifier").status_code == 404
