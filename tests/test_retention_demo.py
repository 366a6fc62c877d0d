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
