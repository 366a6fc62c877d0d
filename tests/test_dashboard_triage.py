"""The dashboard as triage (issue #13): today first, this week, what waits by kind with how late,
hours near the legal limits; every item links where to act; an admin filters by consultant.

Dates are fixed (`Scope(today=…, now=…)`): the story is Tuesday 1 December 2026 at 10:00, Paris.
"""
from datetime import UTC, date, datetime, timedelta

import pytest

from bilans_support import add_sessions, assign, centre_db, make_bilan, send_agreement

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    from saas.i18n import PARIS

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def story(db, consultant_id, *, prefix="", today=TODAY):
    """Bilans in each situation the dashboard files, all for `consultant_id`; returns them by key."""
    made = {}
    started = today - timedelta(days=40)
    made["today"] = b = make_bilan(db, consultant_id, phase="investigation", started_on=started,
                                   name=f"{prefix}Inès Garnier", email=f"{prefix}ines@example.fr")
    add_sessions(db, b, 1, done=False, start=paris(today, 14, 30))           # this afternoon
    add_sessions(db, b, 1, done=False, start=paris(today, 8, 30))            # this morning, not marked done
    add_sessions(db, b, 1, done=False, start=paris(today + timedelta(days=3), 9))  # this week (Friday)
    add_sessions(db, b, 1, done=False, start=paris(today + timedelta(days=9), 9))  # later: not this week
    made["unsigned"] = b = make_bilan(db, consultant_id, phase="investigation", started_on=started,
                                      name=f"{prefix}Paul Renaud", email=f"{prefix}paul@example.fr")
    add_sessions(db, b, 1, start=paris(today - timedelta(days=5), 9), signed=False)
    made["agreement"] = b = make_bilan(db, consultant_id, state="quoted", funding="employer_plan",
                                       name=f"{prefix}Marc Dubois", email=f"{prefix}marc@example.fr")
    send_agreement(db, b, now=paris(today - timedelta(days=10), 10), transmitted_on=today - timedelta(days=8))
    made["expired"] = b = make_bilan(db, consultant_id, state="quoted", funding="employer_plan",
                                     name=f"{prefix}Élodie Petit", email=f"{prefix}elodie@example.fr")
    send_agreement(db, b, now=paris(today - timedelta(days=15), 10), transmitted_on=today - timedelta(days=13))
    made["questionnaire"] = b = make_bilan(db, consultant_id, phase="investigation", started_on=started,
                                           name=f"{prefix}Sarah Lambert", email=f"{prefix}sarah@example.fr")
    assign(db, b, due_on=today - timedelta(days=3), today=today - timedelta(days=20), send=False)
    assign(db, b, "valeurs_motivations", due_on=today + timedelta(days=2), today=today - timedelta(days=5),
           send=False)
    made["consent"] = make_bilan(db, consultant_id, consent=False, started_on=today - timedelta(days=4),
                                 name=f"{prefix}Camille Roux", email=f"{prefix}camille@example.fr")
    made["near_cap"] = b = make_bilan(db, consultant_id, phase="investigation", started_on=started,
                                      name=f"{prefix}Lucas Moreau", email=f"{prefix}lucas@example.fr")
    add_sessions(db, b, 11, start=paris(started, 9), every=2)               # 22 h signed
    made["short"] = b = make_bilan(db, consultant_id, phase="conclusion", started_on=started,
                                   name=f"{prefix}Hugo Chevalier", email=f"{prefix}hugo@example.fr")
    add_sessions(db, b, 4, start=paris(started, 14), every=3)                # 8 h signed, in conclusion
    return made


def triage_of(app, centre, membership_of, consultant=None, today=TODAY, now=NOW):
    """The dashboard's panels for this member on the fixed day, from a request on the centre's URL."""
    from tenants.dashboard import panels
    from tenants.dashboard.views import scope_for

    with app.test_request_context(f"/c/{centre.slug}/"):
        from flask import g

        from saas.tenancy import tenant_session

        g.centre = model = centre.model(app)
        with tenant_session(model) as db:
            scope = scope_for(db, model, membership_of(db), consultant, today=today, now=now)
            triage = panels.collect(db, model, scope)
            return scope, triage


def membership(account_id, centre_id):
    def of(db):
        from sqlmodel import select

        from saas.accounts.models import Membership

        return db.exec(select(Membership).where(Membership.account_id == account_id,
                                                Membership.centre_id == centre_id)).one()
    return of


def panel(triage, section, title):
    for key, _title, found in triage.sections:
        if key == section:
            for p in found:
                if p.title == title:
                    return p
    raise AssertionError(f"no panel {title!r} in {section}")


def whos(items):
    return [item.who for item in items]


@pytest.fixture
def lyon(app, make_centre, add_member):
    centre = make_centre("lyon")
    julien = add_member(centre)
    with centre_db(app, centre) as db:
        made = story(db, julien.id)
        ids = {key: bilan.id for key, bilan in made.items()}
    return centre, julien, ids


def test_today_lists_todays_sessions_with_time_format_and_link(app, lyon):
    centre, julien, ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    assert [key for key, _t, _p in triage.sections][:2] == ["today", "week"]
    today = panel(triage, "today", "Séances du jour").items
    assert whos(today) == ["Inès Garnier", "Inès Garnier"]
    assert [item.when.hour for item in today] == [7, 13]  # 08:30 and 14:30 Paris, in UTC
    assert today[0].detail == "Présentiel"
    assert today[0].url.startswith(f"/c/lyon/bilans/{ids['today']}/seances#session-")
    confirm = panel(triage, "today", "Émargements à confirmer").items
    assert whos(confirm) == ["Inès Garnier"] and confirm[0].action == "Marquer réalisée"  # the 08:30 one


def test_this_week_holds_sessions_and_deadlines_of_the_six_days_after_today(app, lyon):
    centre, julien, _ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    week = panel(triage, "week", "Séances").items
    assert len(week) == 1 and week[0].when.date() == TODAY + timedelta(days=3)
    deadlines = {(kind, item.who) for kind, item in triage.week}
    # Marc's agreement: day 8 of 10, last day Friday 3rd; Sarah's second questionnaire due Thursday.
    assert ("Conventions", "Marc Dubois") in deadlines and ("Questionnaires", "Sarah Lambert") in deadlines


def test_r6313_8_dashboard_reads_the_ten_day_clock(app, lyon):
    """R6313-8: day n of 10 from the agreement clock; past day 10, late by the days since the deadline."""
    centre, julien, ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    agreements = {item.who: item for item in panel(triage, "waiting", "Conventions").items}
    marc, elodie = agreements["Marc Dubois"], agreements["Élodie Petit"]
    assert marc.detail.startswith("jour 8 sur 10") and marc.when == date(2026, 12, 3) and marc.late_days == 0
    assert elodie.detail.startswith("délai expiré le") and elodie.late_days == 3
    assert f"/c/lyon/bilans/{ids['agreement']}/agreement/" in marc.url


def test_waiting_questionnaires_say_which_one_and_how_late(app, lyon):
    centre, julien, _ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    items = panel(triage, "waiting", "Questionnaires").items
    assert [(item.who, item.late_days) for item in items] == [("Sarah Lambert", 3), ("Sarah Lambert", 0)]
    assert items[0].what and items[0].what != items[1].what
    assert "/questionnaires/assignments/" in items[0].url or "/questionnaires/" in items[0].url


def test_dashboard_attendance_is_late_by_the_reminders_delay(app, lyon):
    centre, julien, ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    consents = panel(triage, "waiting", "Consentements").items
    assert whos(consents) == ["Camille Roux"] and consents[0].url.endswith(f"{ids['consent']}#consent")
    unsigned = panel(triage, "waiting", "Émargements").items
    # Five days ago, past the attendance reminder's delay: late by the days since the session.
    assert whos(unsigned) == ["Paul Renaud"] and unsigned[0].late_days == 5


def test_late_items_gather_in_today(app, lyon):
    centre, julien, _ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    assert [(kind, item.who, item.late_days) for kind, item in triage.late] == [
        ("Émargements", "Paul Renaud", 5), ("Conventions", "Élodie Petit", 3), ("Questionnaires", "Sarah Lambert", 3)]


def test_l6313_4_dashboard_lists_bilans_near_24h_or_under_13h(app, lyon):
    """L6313-4 (24 h) and R6313-4 (13 h of accompaniment) through tenants/sessions/hours.py."""
    centre, julien, _ids = lyon
    _scope, triage = triage_of(app, centre, membership(julien.id, centre.id))
    items = {item.who: item for item in panel(triage, "hours", "Près de 24 h ou sous 13 h d'accompagnement").items}
    assert items["Lucas Moreau"].what == "près des 24 h"
    assert items["Hugo Chevalier"].what == "sous les 13 h d'accompagnement émargées"
    assert items["Hugo Chevalier"].detail == "8\u202fh émargées sur 13 h"
    assert "Inès Garnier" not in items


def test_the_dashboard_page_shows_each_group_in_french(app, client, lyon, login):
    centre, julien, _ids = lyon
    login(julien)
    page = client.get("/c/lyon/")
    assert page.status_code == 200
    text = page.text
    order = [text.index(f'id="section-{key}"') for key in ("today", "week", "waiting", "hours")]
    assert order == sorted(order)
    for name in ("Marc Dubois", "Sarah Lambert", "Camille Roux", "Paul Renaud", "Lucas Moreau"):
        assert name in text
    assert "(s)" not in text


def test_consultant_sees_only_their_own(app, client, lyon, add_member, login):
    centre, julien, _ids = lyon
    other = add_member(centre)
    login(other)
    page = client.get(f"/c/lyon/?consultant={julien.id}")
    assert page.status_code == 200 and "Marc Dubois" not in page.text and "Paul Renaud" not in page.text
    _scope, triage = triage_of(app, centre, membership(other.id, centre.id), consultant=str(julien.id))
    assert not triage.late and not any(p.items for _k, _t, ps in triage.sections for p in ps)


def test_admin_filters_by_consultant_and_the_url_keeps_it(app, client, lyon, add_member, login):
    centre, julien, _ids = lyon
    sophie = add_member(centre)
    with centre_db(app, centre) as db:
        make_bilan(db, sophie.id, consent=False, started_on=TODAY - timedelta(days=2), name="Nora Haddad",
                   email="nora@example.fr")
    admin = membership(centre.owner.id, centre.id)
    scope, everyone = triage_of(app, centre, admin)
    assert scope.consultant_id is None
    assert set(whos(panel(everyone, "waiting", "Consentements").items)) == {"Camille Roux", "Nora Haddad"}
    scope, one = triage_of(app, centre, admin, consultant=str(sophie.id))
    assert scope.consultant_id == sophie.id
    assert whos(panel(one, "waiting", "Consentements").items) == ["Nora Haddad"]
    login(centre.owner)
    page = client.get(f"/c/lyon/?consultant={sophie.id}")
    assert page.status_code == 200 and "Nora Haddad" in page.text and "Marc Dubois" not in page.text
    assert f'<option value="{sophie.id}" selected' in page.text
    assert client.get("/c/lyon/?consultant=abc").status_code == 200
    assert client.get("/c/lyon/?consultant=999999").status_code == 200


def test_french_dates_and_lateness():
    from tenants.dashboard.wording import day_fr, late_fr

    assert day_fr(date(2026, 12, 1)) == "mardi 1er décembre"
    assert day_fr(date(2026, 12, 3)) == "jeudi 3 décembre"
    assert late_fr(1) == "en retard d'un jour" and late_fr(3) == "en retard de 3 jours"
