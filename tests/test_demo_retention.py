"""The demo's closed bilans as the nightly jobs left them: destroyed with their record and proofs, follow-up due."""
from __future__ import annotations

from datetime import date

from sqlmodel import select


def test_demo_closed_bilans_as_the_jobs_left_them(app):
    """The whole demo: over a year ago destroyed (key shredded, working documents gone, the signed
    attendance kept as proof, its destruction record); six months ago its synthesis kept (sent to a
    CEP) and its follow-up questionnaire given under the follow-up key."""
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan, Objective
    from tenants.questionnaires.models import Assignment
    from tenants.retention.models import DestructionRecord
    from tenants.sessions.models import Attendance
    from tenants.synthesis.models import Synthesis

    with app.app_context():
        centre = seed_demo(today=date(2027, 6, 1), echo=lambda *_: None)
        with tenant_session(centre) as db:
            records = {}
            for stage, bilan_id in db.exec(select(DestructionRecord.stage, DestructionRecord.bilan_id)).all():
                records.setdefault(bilan_id, set()).add(stage)
            bilans = db.exec(select(Bilan).where(Bilan.ended_at.isnot(None), Bilan.status == "completed")).all()
            old = [b for b in bilans if b.ended_at.date() < date(2026, 6, 1)]
            assert old and all(b.destroyed_at is not None and "working" in records[b.id] for b in old)
            (destroyed,) = old
            assert destroyed.needs_analysis_ct is None
            assert db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == destroyed.id,
                                                           DestructionRecord.key_destroyed)).first() is not None
            assert db.exec(select(Objective).where(Objective.bilan_id == destroyed.id)).all() == []
            assert len(db.exec(select(Attendance).where(Attendance.bilan_id == destroyed.id)).all()) == 8
            follow = db.exec(select(Assignment).where(Assignment.retention == "follow_up")).all()
            assert len(follow) == 1 and follow[0].key_id == f"{follow[0].bilan_id}.suivi"
            six = db.get(Bilan, follow[0].bilan_id)
            assert six.destroyed_at is None and records[six.id] == {"working"}
            assert db.exec(select(Synthesis).where(Synthesis.bilan_id == six.id)).one().retention == "kept_one_year"


def test_demo_closed_last_week_keeps_its_working_documents_until_the_chosen_delay(app, client):
    """The demo centre chose a 15-day destruction delay with its written reason, through the retention
    feature (tenants/retention/settings.py:choose_grace): the bilan closed last week keeps its working
    documents and its page shows the night they go; the year-old bilan was destroyed under that delay."""
    from demo.centre import seed_demo
    from demo.people import PASSWORD, PEOPLE, STAFF
    from saas.i18n import date_fr
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.registry import find_by_email
    from tenants.bilans.models import Bilan, Objective
    from tenants.retention.destruction import working_destroyed_by
    from tenants.retention.models import DestructionRecord, settings_for

    with app.app_context():
        centre = seed_demo(today=date(2027, 6, 1), echo=lambda *_: None)
        with tenant_session(centre) as db:
            def bilan_of(key):
                person = find_by_email(db, PEOPLE[key][1])
                return db.exec(select(Bilan).where(Bilan.beneficiary_id == person.id)).one()

            settings = settings_for(db)
            assert settings.grace_days == 15 and "télécharger sa synthèse" in settings.grace_reason
            assert settings.grace_set_by is not None and settings.grace_set_at.date() < date(2026, 1, 1)
            week = bilan_of("closed_last_week")
            assert week.destroyed_at is None and week.ended_at.date() == date(2027, 5, 25)
            assert db.exec(select(Objective).where(Objective.bilan_id == week.id)).all()
            assert db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == week.id)).all() == []
            evening, morning = working_destroyed_by(settings, week.ended_at)
            assert evening >= date(2027, 6, 8) and (morning - date(2027, 5, 25)).days in (15, 16)
            old = bilan_of("closed_over_a_year")
            assert old.destroyed_at is not None
            (record,) = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == old.id,
                                                                DestructionRecord.stage == "working")).all()
            assert "délai choisi par le centre : 15 j" in record.rule
            week_id = week.id
    assert client.post("/login", data={"email": STAFF[0][2], "password": PASSWORD}).status_code == 303
    page = client.get(f"/c/demo/bilans/{week_id}")
    assert f"Documents de travail détruits dans la nuit du {date_fr(evening)} au {date_fr(morning)}" in page.text
