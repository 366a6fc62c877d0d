"""Follow-up after the end (rule 17): one date from the centre's settings, answerable after destruction."""
from __future__ import annotations

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from bilans_support import centre_db
from jobs_support import paris, run
from portal_helpers import enter
from retention_support import closed_through_views, link_in, set_settings


def _ended_day(app, centre, bilan_id):
    from saas.i18n import to_paris
    from saas.models import as_utc
    from tenants.bilans.models import Bilan

    with centre_db(app, centre) as db:
        bilan = db.get(Bilan, bilan_id)
        return to_paris(as_utc(bilan.ended_at)).date(), bilan.follow_up_due_on


def test_follow_up_date_from_centre_settings_everywhere(app, client, make_centre, login, outbox):
    """A centre with a 3-month follow-up: the closing email, the bilan page, the portal and the job agree."""
    from saas.i18n import date_fr

    lyon = make_centre("lyon")
    login(lyon.owner)
    set_settings(client, "lyon", follow_up_months=3)
    person_id, bilan_id = closed_through_views(app, client, lyon)
    ended, stored = _ended_day(app, lyon, bilan_id)
    due = ended + relativedelta(months=3)
    assert stored == due
    (closing,) = outbox(kind="bilan_closed")
    assert f"entretien de suivi le {date_fr(due)}" in closing.body_text
    assert date_fr(ended + relativedelta(months=6)) not in closing.body_text
    page = client.get(f"/c/lyon/bilans/{bilan_id}")
    assert f"entretien de suivi à 3 mois le {date_fr(due)}" in page.text
    login.logout()
    enter(client, link_in(closing))
    portal = client.get("/c/lyon/p/bilan/closing")
    assert f"Entretien de suivi à 3 mois : le {date_fr(due)}" in portal.text

    day_before = due - timedelta(days=1)
    run(app, "reminders", paris(day_before.year, day_before.month, day_before.day, 23, 0))
    assert outbox(idempotency_key=f"followup:{bilan_id}:6m") == []
    run(app, "reminders", paris(due.year, due.month, due.day, 9, 30))
    (invitation,) = outbox(idempotency_key=f"followup:{bilan_id}:6m")
    assert invitation.kind == "follow_up_6m"
