"""The demo's questionnaires: needs analysis, answered / in progress / overdue, 360° at 2 of 3, satisfaction."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from saas.tenancy import tenant_session


def test_demo_seed_covers_every_questionnaire_state(app, make_centre, outbox):
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan
    from tenants.questionnaires import demo, queries, respondents
    from tenants.questionnaires.models import Assignment

    centre = make_centre("demo-test")
    model = centre.model(app)
    today = date.today()
    with app.app_context(), tenant_session(model) as db:
        made = {}
        for key, funding, phase, status, ended in (
                ("cpf", "cpf", "preliminary", "active", None),
                ("inv1", "opco", "investigation", "active", None),
                ("inv2", "personal", "investigation", "active", None),
                ("inv3", "employer_plan", "investigation", "active", None),
                ("closed", "cpf", "conclusion", "completed", datetime.now(timezone.utc) - timedelta(days=7))):
            person = Beneficiary(name=f"Personne {key}", email=f"{key}@example.fr", consultant_id=centre.owner.id)
            db.add(person)
            db.flush()
            bilan = Bilan(beneficiary_id=person.id, consultant_id=centre.owner.id, funding=funding, phase=phase,
                          status=status, ended_at=ended)
            db.add(bilan)
            db.flush()
            made[key] = bilan.id
        db.commit()
        ctx = {"today": today, "staff": {}, "bilans": {k: db.get(Bilan, v) for k, v in made.items()},
               "beneficiaries": {}}
        demo.seed(db, model, ctx)
        db.commit()
        demo.seed(db, model, ctx)  # idempotent
        db.commit()

        rows = {key: queries.rows_for_bilan(db, bilan_id) for key, bilan_id in made.items()}
        needs = rows["cpf"][0].assignment
        assert needs.submitted_at is not None and needs.signed_name == "Personne cpf"
        assert all(r.assignment.submitted_at for r in rows["inv1"] if not r.questionnaire.is_360)
        assert any(r.assignment.scores and r.assignment.scores["type"] == "riasec" for r in rows["inv1"])
        three60 = next(r for r in rows["inv1"] if r.questionnaire.is_360).assignment
        assert respondents.counts(db, three60.id) == (2, 3) and respondents.aggregate(db, three60) is None
        assert any(r.assignment.started_at and not r.assignment.submitted_at for r in rows["inv2"])
        assert any(r.overdue(today) for r in rows["inv3"])
        satisfaction = rows["closed"][0]
        assert satisfaction.questionnaire.kind == "satisfaction" and satisfaction.assignment.submitted_at
        assert satisfaction.assignment.retention == "proof"
        assert len(db.exec(select(Assignment)).all()) == 11
    assert len(outbox(kind="questionnaire_assigned")) == 11
