"""Follow-up after the end (R6313-4 3°): one date from the centre's settings, answerable after destruction."""
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


def test_follow_up_answerable_after_destruction(app, client, make_centre, login, outbox):
    """Closed, destroyed at the first night (default), then the 6-month follow-up: sent, opened,
    answered and read by the consultant, under the follow-up key (no BilanKeyDestroyed)."""
    from sqlmodel import select

    from tenants.bilans.models import Bilan
    from tenants.questionnaires.models import Answer, Assignment

    lyon = make_centre("lyon")
    login(lyon.owner)
    _, bilan_id = closed_through_views(app, client, lyon)
    ended, due = _ended_day(app, lyon, bilan_id)
    night = ended + timedelta(days=1)
    run(app, "destruction", paris(night.year, night.month, night.day, 2, 30))
    with centre_db(app, lyon) as db:
        bilan = db.get(Bilan, bilan_id)
        keyring = db.info["keyring"]
        assert bilan.destroyed_at is not None and not keyring.store.bilan_keys(keyring.centre_id, [bilan_id])

    report = run(app, "reminders", paris(due.year, due.month, due.day, 9, 30))
    assert not report.errors
    (invitation,) = outbox(idempotency_key=f"followup:{bilan_id}:6m")
    login.logout()
    enter(client, link_in(invitation))
    with centre_db(app, lyon) as db:
        assignment = db.exec(select(Assignment).where(Assignment.bilan_id == bilan_id,
                                                      Assignment.retention == "follow_up")).one()
        assert (assignment.retention, assignment.key_id) == ("follow_up", f"{bilan_id}.suivi")
        # With it, the satisfaction "à froid" (Qualiopi 30): a proof under the proof key, kept four years.
        survey = db.exec(select(Assignment).where(Assignment.bilan_id == bilan_id,
                                                  Assignment.retention == "proof")).one()
        assert survey.key_id == f"{bilan_id}.preuve"
    fill = f"/c/lyon/p/questionnaires/{assignment.id}"
    assert "Suivi à 6 mois" in client.get("/c/lyon/p/").text
    assert client.get(fill).status_code == 200
    saved = client.post(f"{fill}/save", data={"a-avancement": "en_cours", "a-etapes": "Inscrite au titre FPA",
                                              "a-utilite": "4", "a-entretien": "oui"})
    assert saved.status_code == 303, saved.text
    assert client.post(f"{fill}/submit").status_code == 303

    login(lyon.owner)
    page = client.get(f"/c/lyon/questionnaires/assignments/{assignment.id}")
    assert page.status_code == 200 and "Inscrite au titre FPA" in page.text
    with centre_db(app, lyon) as db:
        rows = db.exec(select(Answer).where(Answer.assignment_id == assignment.id)).all()
        assert {r.retention for r in rows} == {"follow_up"} and all(b"FPA" not in r.value_ct for r in rows)

    # The follow-up is over three months after its invitation: its answers and key go that night.
    from tenants.retention.models import DestructionRecord

    over = due + relativedelta(months=3)
    run(app, "destruction", paris(over.year, over.month, over.day, 2, 30))
    with centre_db(app, lyon) as db:
        assert db.exec(select(Assignment).where(Assignment.bilan_id == bilan_id)).all()
    run(app, "destruction", paris(over.year, over.month, over.day, 2, 30) + timedelta(days=1))
    with centre_db(app, lyon) as db:
        keyring = db.info["keyring"]
        # The follow-up's answers are gone; the satisfaction "à froid", a proof, stays four years.
        left = db.exec(select(Assignment).where(Assignment.bilan_id == bilan_id)).all()
        assert [(a.retention, a.key_id) for a in left] == [("proof", f"{bilan_id}.preuve")]
        assert not keyring.store.bilan_keys(keyring.centre_id, [f"{bilan_id}.suivi"])
        assert keyring.store.is_destroyed(keyring.centre_id, f"{bilan_id}.suivi")
        stages = set(db.exec(select(DestructionRecord.stage).where(DestructionRecord.bilan_id == bilan_id)).all())
        assert stages == {"working", "follow_up"}
