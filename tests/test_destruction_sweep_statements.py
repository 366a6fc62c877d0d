"""A centre's nightly destruction (issue #17): what each destroyed bilan costs in SQL statements
(docs/BENCHMARKS.md, "Sixth round (issue #17): a destruction that touches only the bilan's tables").
Counted with SQLAlchemy's cursor events on the data and key store engines; deterministic, not timed.

Per bilan destroyed at its working stage: the item's and the stage's SAVEPOINT and RELEASE; what
apply_retention and keeps_documents read (tenants/bilans/closing.py); ONE probe of the tables holding the
bilan's rows (tenants/retention/destruction.py:tables_holding), then a DELETE or a clear only on those
(here 5 DELETEs, 2 clears: attendance, synthesis, history, consent, sessions; the bilan's notes and the
synthesis); the phone and needs (count, update, read); the key shredded in the key store (3); the bilan's
two updates, its history and its record. No re-read of the records or the follow-up state the sweep read
for the centre. Before issue #17's probe: 67 statements, one DELETE or UPDATE per table whatever it held.
"""
from __future__ import annotations

import re
from datetime import timedelta

from jobs_support import add_bilan, paris, sweep_statements

END = paris(2027, 3, 1, 17, 0)
NIGHT = END + timedelta(days=1)
PROOFS_NIGHT = END + timedelta(days=4 * 365 + 2)
# The same on both databases (the centre's role is set once per transaction, not per savepoint).
PER_BILAN = {"sqlite": 34, "postgresql": 34}
# At the proofs' night: the probe, a DELETE per table still holding rows, the keys, the tombstone, the record.
PER_PROOF = {"sqlite": 22, "postgresql": 22}
WRITE = re.compile(r"^\s*(?:DELETE FROM|UPDATE)\s+(?:\S+\.)?(\w+)")


def _centre_with_ended_bilans(app, make_centre, add_member, slug, count):
    centre = make_centre(slug)
    consultant = add_member(centre)
    for n in range(count):
        add_bilan(app, centre, consultant_id=consultant.id, status="completed", ended_at=END,
                  email=f"p{n}@{slug}.example", needs_analysis="Besoin : changer de métier")
    return centre


def _sweep_statements(app, slug, now):
    from jobs import destruction

    return sweep_statements(app, destruction, now, slug)


def _bilan_tables_written(statements):
    """The bilan tables a DELETE or UPDATE of these statements names (the key store's are not bilan tables)."""
    from tenants.retention.destruction import _probe

    names = {table.name for table in _probe()[0]}
    return [m.group(1) for m in map(WRITE.match, statements) if m and m.group(1) in names]


def _holding(app, centre):
    """The bilan tables holding rows of the centre's bilans, table by table (not through the probe)."""
    from sqlalchemy import select

    from tenants.retention.destruction import _probe

    from jobs_support import in_centre

    def read(db, c):
        return {table.name for table in _probe()[0] if db.execute(select(table.c.bilan_id).limit(1)).first()}

    return in_centre(app, centre, read)


def test_each_destroyed_bilan_costs_at_most_34_statements_and_touches_only_the_tables_holding_its_rows(
        app, make_centre, add_member):
    """Three bilans more in a centre's destruction night cost 3 × 34 statements at most (PostgreSQL too), and
    no DELETE or UPDATE goes to a bilan table without a row of the centre's bilans; four years later the
    proofs' stage alike."""
    dialect = app.extensions["db"].engine.dialect.name
    _centre_with_ended_bilans(app, make_centre, add_member, "lyon", 1)
    nice = _centre_with_ended_bilans(app, make_centre, add_member, "nice", 4)
    holding = _holding(app, nice)
    one, one_counts = _sweep_statements(app, "lyon", NIGHT)
    four, four_counts = _sweep_statements(app, "nice", NIGHT)
    assert one_counts["destroyed_working"] == 1 and four_counts["destroyed_working"] == 4
    listing = "\n".join(statement[:100] for statement in four)
    assert len(four) - len(one) <= 3 * PER_BILAN[dialect], listing
    written = _bilan_tables_written(four)
    assert written and set(written) <= holding, listing
    assert sum(1 for statement in four if "UNION ALL" in statement) == 4  # the probe: once per bilan and stage

    holding = _holding(app, nice)
    one, one_counts = _sweep_statements(app, "lyon", PROOFS_NIGHT)
    four, four_counts = _sweep_statements(app, "nice", PROOFS_NIGHT)
    assert one_counts["destroyed_proof"] == 1 and four_counts["destroyed_proof"] == 4
    listing = "\n".join(statement[:100] for statement in four)
    assert len(four) - len(one) <= 3 * PER_PROOF[dialect], listing
    assert set(_bilan_tables_written(four)) <= holding, listing
    assert _holding(app, nice) == set()
