"""The demo's EDOF dossiers (demo/edof.py): several states, one deadline due today and one late."""
from datetime import date, timedelta

from saas.i18n import paris_today

from bilans_support import centre_db


def test_demo_edof_dossiers_in_several_states_one_due_today_one_late(app, make_centre, add_member):
    from demo import bilans, edof
    from saas.accounts.models import Account
    from tenants.edof import clock
    from tenants.edof import dossier as rules
    from tenants.edof.dashboard import running

    centre = make_centre("demo")
    consultant, part_time = add_member(centre), add_member(centre)
    today = paris_today()
    with centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id),
                 "part_time": db.get(Account, part_time.id)}
        ctx = {"today": today, "staff": staff, "bilans": {}, "beneficiaries": {}}
        bilans.seed(db, centre.model(app), ctx)
        edof.seed(db, centre.model(app), ctx)
        db.commit()
        states = {key: rules.dossier_of(db, ctx["bilans"][key]).state for key in edof.STORY}
        assert states == edof.STORY
        dues = {dossier.bilan_id: due for dossier, _bilan, _person, due in running(db, today)}
        request = dues[ctx["bilans"]["prior_quoted"]]
        first_business_day = next(today + timedelta(days=n) for n in range(10)
                                  if clock.is_business_day(today + timedelta(days=n)))
        assert request.deadline == clock.Deadline("answer", first_business_day, 0)
        late_entry = dues[ctx["bilans"]["investigation_public"]]
        assert late_entry.what == "Déclarer l'entrée en formation" and late_entry.deadline.late_days > 0
        edof.seed(db, centre.model(app), ctx)   # idempotent
        assert {key: rules.dossier_of(db, ctx["bilans"][key]).state for key in edof.STORY} == edof.STORY


def test_demo_request_is_due_today_or_on_the_next_business_day():
    from demo.edof import request_due_today

    assert request_due_today(date(2026, 5, 5)) == date(2026, 4, 30)   # Thu 30 April, Fri 1 May off, Mon 4, Tue 5
    # A Saturday: from Wed 6 May, Thu 7 (1), Fri 8 off, Mon 11 (2): due on the next business day.
    assert request_due_today(date(2026, 5, 9)) == date(2026, 5, 6)
