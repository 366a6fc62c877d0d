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
