"""R6313-7 and the centre's retention rules (docs/RULES.md): a destruction stage deletes and clears only in
the tables its one probe found holding rows of the bilan (tenants/retention/destruction.py:tables_holding),
so the probe must never miss one. Checked on the demo centre (every seed's data, many bilans at every
stage) against each table of the metadata, one by one, and by running each stage's DELETEs and clears
again on EVERY table afterwards: they must find nothing left.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select as core_select
from sqlmodel import select

# Far enough after the demo's last end for every stage, the proofs' four years included.
LATER = [datetime(2027, 6, 2, 1, 0, tzinfo=UTC), datetime(2028, 7, 1, 1, 0, tzinfo=UTC),
         datetime(2032, 1, 1, 1, 0, tzinfo=UTC)]


def _holders(db, tables):
    """{table: the bilan ids it holds rows of}, read table by table."""
    return {table: set(db.execute(core_select(table.c.bilan_id).distinct()).scalars()) for table in tables}


def _left_by(db, bilan, stage, tables):
    """What the stage's DELETEs and clears would still find if run on every table (nothing, when the probe
    missed no table): the same functions, the probe's answer replaced by every table."""
    from tenants.retention import destruction
    from tenants.retention.scopes import FOLLOW_UP

    left: Counter = Counter()
    every = set(tables)
    if stage == "working":
        kept = destruction.keeps_documents(db, bilan)
        destruction._delete_class(db, bilan.id, ("working",) if kept else ("working", "kept_one_year"), left, every)
        destruction._clear_sealed(db, bilan.id, left, every, classes=("proof",) if kept else None)
    elif stage == "kept_one_year":
        destruction._delete_class(db, bilan.id, ("working", "kept_one_year"), left, every)
        destruction._clear_sealed(db, bilan.id, left, every)
    elif stage == "follow_up":
        destruction._delete_class(db, bilan.id, (FOLLOW_UP,), left, every)
    else:
        destruction._delete_class(db, bilan.id, None, left, every)
    return left


def test_r6313_7_a_stage_leaves_no_row_of_its_classes_in_any_bilan_table(app):
    """The probe answers, for every bilan of the demo, exactly the tables that hold its rows (each table of
    the metadata asked on its own); then every stage of every ended bilan, run at later nights, leaves
    nothing its DELETEs and clears would find on ANY bilan or sealed table; after the proofs' four years no
    bilan table holds a row of a destroyed bilan."""
    from demo.centre import seed_demo
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan
    from tenants.retention import destruction
    from tenants.retention.models import DestructionRecord, settings_for

    with app.app_context():
        centre = seed_demo(today=date(2027, 6, 1), echo=lambda *_: None)
        with tenant_session(centre) as db:
            tables, _statement = destruction._probe()
            names = {table.name for table in tables}
            # Every tenant table with a bilan_id but the bilan's own trace (its row, its destruction records) and
            # the invoices (their own ten years: tenants/retention/invoices.py).
            assert {t.name for t in destruction.TenantModel.metadata.sorted_tables
                    if "bilan_id" in t.c} - names <= {"destruction_record", "bilan"}
            holders = _holders(db, tables)
            bilans = db.exec(select(Bilan).order_by(Bilan.id)).all()
            assert len(bilans) >= 5
            for bilan in bilans:
                expected = {table for table, ids in holders.items() if bilan.id in ids}
                assert destruction.tables_holding(db, bilan.id) == expected, bilan.id
            assert len([table for table, ids in holders.items() if ids]) >= 15  # the demo fills most tables
            ended = [bilan for bilan in bilans if destruction.end_of(bilan) is not None]
            assert ended
            settings = settings_for(db)
            stages = Counter()
            for now in LATER:
                for bilan in ended:
                    records = set(db.exec(select(DestructionRecord.stage)
                                          .where(DestructionRecord.bilan_id == bilan.id)).all())
                    for _ in range(4):
                        stage = destruction.stage_due(bilan, settings, now, records,
                                                      bilan.id in destruction._follow_up_left(db, [bilan.id]))
                        if stage is None:
                            break
                        destruction.run_stage(db, bilan, stage, now)
                        db.flush()
                        records.add(stage)
                        stages[stage] += 1
                        assert _left_by(db, bilan, stage, tables) == Counter(), (bilan.id, stage)
            assert stages["working"] and stages["proof"] == len(ended)
            for table, ids in _holders(db, destruction.bilan_tables()).items():
                assert not ids & {bilan.id for bilan in ended}, table.name
            db.rollback()
