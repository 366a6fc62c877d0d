"""The demo's caseload consultant (demo/caseload.py, issue #13): 30 open bilans, and his dashboard
shows every group of the triage, each item linking where to act."""
from datetime import date

from sqlmodel import select

from bilans_support import centre_db

TODAY = date(2026, 12, 1)


def test_caseload_consultant_has_thirty_open_bilans_and_every_group(app, make_centre, add_member):
    from demo import bilans as demo_bilans
    from demo import caseload, questionnaires, retention
    from saas.accounts.models import Account
    from tenants.bilans.models import OPEN_STATUSES, Bilan
    from tenants.dashboard import panels
    from tenants.dashboard.views import scope_for

    centre = make_centre("demo-caseload")
    consultant, part_time, nicolas = add_member(centre), add_member(centre), add_member(centre)
    model = centre.model(app)
    with centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id),
                 "part_time": db.get(Account, part_time.id), "caseload": db.get(Account, nicolas.id)}
        ctx = {"today": TODAY, "staff": staff, "bilans": {}, "beneficiaries": {}}
        for seed in (retention.choose_delay, demo_bilans.seed, questionnaires.seed, retention.seed, caseload.seed):
            seed(db, model, ctx)
            db.commit()
        caseload.seed(db, model, ctx)  # idempotent
        db.commit()
        mine = db.exec(select(Bilan).where(Bilan.consultant_id == nicolas.id)).all()
        assert len(mine) == 30 and all(b.status in OPEN_STATUSES for b in mine)
        assert {b.status for b in mine} == set(OPEN_STATUSES)
        assert {b.phase for b in mine if b.status == "active"} == {"preliminary", "investigation", "conclusion"}
        assert len(ctx["bilans"]) == 12  # the story's bilans, untouched

    from datetime import UTC, datetime

    with app.test_request_context(f"/c/{centre.slug}/"):
        from flask import g

        from saas.accounts.models import Membership
        from saas.tenancy import tenant_session

        g.centre = model
        with tenant_session(model) as db:
            member = db.exec(select(Membership).where(Membership.account_id == nicolas.id)).one()
            scope = scope_for(db, model, member, None, today=TODAY, now=datetime(2026, 12, 1, 9, 45, tzinfo=UTC))
            triage = panels.collect(db, model, scope)
    found = {(key, p.title): p.items for key, _t, ps in triage.sections for p in ps}
    assert len(found["today", "Séances du jour"]) == 4
    assert [i.action for i in found["today", "Émargements à confirmer"]] == ["Marquer réalisée"]  # 09:00, not done
    assert found["week", "Séances"]
    agreements = [i.detail.split(",")[0] for i in found["waiting", "Conventions"]]
    assert agreements == ["jour 9 sur 10", "jour 6 sur 10", "jour 2 sur 10",
                          "en attente de la transmission par l'employeur"]
    late_questionnaires = [i.late_days for i in found["waiting", "Questionnaires"] if i.late_days]
    assert sorted(late_questionnaires) == [2, 6]
    assert len(found["waiting", "Consentements"]) == 2
    assert [i.late_days for i in found["waiting", "Émargements"]] == [4, 0]
    hours = {i.what for i in found["hours", "Près de 24 h ou sous 13 h d'accompagnement"]}
    assert hours == {"près des 24 h", "sous les 13 h d'accompagnement émargées"}
    assert {kind for kind, _item in triage.late} >= {"Questionnaires", "Émargements"}
    for items in found.values():
        for item in items:
            assert item.url.startswith(f"/c/{centre.slug}/")
