"""The demo's bilan closed over a year ago is destroyed and has its destruction record."""
from __future__ import annotations

from datetime import date

from sqlmodel import select

from jobs_support import in_centre


def test_demo_seed_destroys_the_bilan_closed_over_a_year_ago(app, make_centre):
    from tenants.bilans.models import Bilan, Objective
    from tenants.retention import demo
    from tenants.retention.models import DestructionRecord
    from tenants.sessions.models import Attendance

    centre = make_centre("demo-test")

    def seed(db, c):
        ctx = {"today": date(2027, 6, 1), "staff": {}, "bilans": {}, "beneficiaries": {}}
        demo.seed(db, c, ctx)
        return ctx["bilans"]["destroyed_year_ago"]

    bilan_id = in_centre(app, centre, seed)

    def check(db, c):
        bilan = db.get(Bilan, bilan_id)
        record = db.exec(select(DestructionRecord).where(DestructionRecord.bilan_id == bilan_id)).one()
        return (bilan.destroyed_at is not None, bilan.needs_analysis_ct, record.key_destroyed,
                len(db.exec(select(Objective).where(Objective.bilan_id == bilan_id)).all()),
                len(db.exec(select(Attendance).where(Attendance.bilan_id == bilan_id)).all()))

    assert in_centre(app, centre, check) == (True, None, True, 0, 8)


def test_demo_closed_bilans_as_the_jobs_left_them(app):
    """The whole demo: over a year ago destroyed, its proofs and record kept; six months ago its
    synthesis kept (sent to a CEP) and its follow-up questionnaire given under the follow-up key."""
    from saas.demo import seed_demo
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan
    from tenants.questionnaires.models import Assignment
    from tenants.retention.models import DestructionRecord
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
            follow = db.exec(select(Assignment).where(Assignment.retention == "follow_up")).all()
            assert len(follow) == 1 and follow[0].key_id == f"{follow[0].bilan_id}.suivi"
            six = db.get(Bilan, follow[0].bilan_id)
            assert six.destroyed_at is None and records[six.id] == {"working"}
            assert db.exec(select(Synthesis).where(Synthesis.bilan_id == six.id)).one().retention == "kept_one_year"
