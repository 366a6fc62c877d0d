"""The demo's questionnaires: needs analysis, answered / in progress / overdue, 360° at 2 of 3, satisfaction."""
from __future__ import annotations

from sqlmodel import select

from saas.i18n import paris_today

from bilans_support import centre_db


def test_demo_seed_covers_every_questionnaire_state(app, make_centre, add_member, outbox):
    """On the bilans demo.bilans made through the rules, as `flask demo seed` runs them."""
    from demo import bilans, questionnaires
    from saas.accounts.models import Account
    from tenants.questionnaires import queries, respondents
    from tenants.questionnaires.models import Assignment

    centre = make_centre("demo-test")
    consultant, part_time = add_member(centre), add_member(centre)
    model = centre.model(app)
    today = paris_today()
    with centre_db(app, centre) as db:
        staff = {"admin": db.get(Account, centre.owner.id), "consultant": db.get(Account, consultant.id),
                 "part_time": db.get(Account, part_time.id)}
        ctx = {"today": today, "staff": staff, "bilans": {}, "beneficiaries": {}}
        bilans.seed(db, model, ctx)
        db.commit()
        before = len(outbox(kind="questionnaire_assigned"))
        questionnaires.seed(db, model, ctx)
        db.commit()
        questionnaires.seed(db, model, ctx)  # idempotent
        db.commit()

        made = ctx["bilans"]
        rows = {key: queries.rows_for_bilan(db, made[key]) for key in (
            "cpf_preliminary", "investigation_public", "investigation_near_24h", "investigation_accommodations",
            "closed_last_week")}
        needs = rows["cpf_preliminary"][0].assignment
        assert needs.submitted_at is not None and needs.signed_name == "Camille Roux"
        first = rows["investigation_public"]
        assert all(r.assignment.submitted_at for r in first if not r.questionnaire.is_360)
        assert any(r.assignment.scores and r.assignment.scores["type"] == "riasec" for r in first)
        three60 = next(r for r in first if r.questionnaire.is_360).assignment
        assert respondents.counts(db, three60.id) == (2, 3) and respondents.aggregate(db, three60) is None
        assert any(r.assignment.started_at and not r.assignment.submitted_at for r in rows["investigation_near_24h"])
        assert any(r.overdue(today) for r in rows["investigation_accommodations"])
        satisfaction = rows["closed_last_week"][0]
        assert satisfaction.questionnaire.kind == "satisfaction" and satisfaction.assignment.submitted_at
        assert satisfaction.assignment.retention == "proof"
        assert len(db.exec(select(Assignment)).all()) == 11
    assert len(outbox(kind="questionnaire_assigned")) - before == 11
