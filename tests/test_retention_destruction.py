"""Destruction at each boundary (R6313-7; CGU Caisse des Dépôts 7-3): exactly the right classes go."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import bilans_support as builders
from jobs_support import add_bilan, build, in_centre, paris, run, save_settings

END = paris(2027, 3, 1, 17, 0)


def _bilan_with_every_class(app, centre, consultant_id, *, keep: bool):
    """An employer-funded bilan closed at END through the builders (signed agreement, 7 signed
    interviews, delivered synthesis), with an objective and a session note as the workspace adds them."""
    from tenants.bilans.models import Objective
    from tenants.sessions import planning
    from tenants.sessions.models import BilanSession

    bilan = add_bilan(app, centre, consultant_id=consultant_id, status="completed", ended_at=END,
                      funding="employer_plan", synthesis_to_cep=keep, disclosed_to_cep=keep,
                      needs_analysis="Besoin : changer de métier")

    def workspace(db, c):
        db.add(Objective(bilan_id=bilan, text="Devenir ébéniste"))
        first = db.exec(select(BilanSession).where(BilanSession.bilan_id == bilan)
                        .order_by(BilanSession.starts_at)).first()
        planning.save_notes(db, first, "Parle de son père")

    in_centre(app, centre, workspace)
    return bilan


def _state(app, centre, bilan_id):
    from tenants.agreements.models import Agreement
    from tenants.bilans.models import Bilan, Objective
    from tenants.retention.models import DestructionRecord
    from tenants.sessions.models import Attendance, BilanSession, SessionNote
    from tenants.synthesis.models import Synthesis

    def read(db, c):
        count = lambda m: len(db.exec(select(m.id).where(m.bilan_id == bilan_id)).all())  # noqa: E731
        bilan = db.get(Bilan, bilan_id)
        keyring = db.info["keyring"]
        return {
            "objective": count(Objective), "session_note": count(SessionNote), "synthesis": count(Synthesis),
            "session": count(BilanSession), "attendance": count(Attendance), "agreement": count(Agreement),
            "needs_analysis": bilan.needs_analysis_ct is not None,
            "key": bool(keyring.store.bilan_keys(keyring.centre_id, [bilan_id])),
            "destroyed": bilan.destroyed_at is not None, "proofs_destroyed": bilan.proofs_destroyed_at is not None,
            "records": sorted(db.exec(select(DestructionRecord.stage)
                                      .where(DestructionRecord.bilan_id == bilan_id)).all()),
        }

    return in_centre(app, centre, read)


def test_destruction_boundaries_remove_exactly_the_right_classes(app, make_centre, add_member):
    centre = make_centre("lyon")
    consultant = add_member(centre)
    # A centre that chose a 7-day delay, with its reason (the default is 0: the first night).
    save_settings(app, centre, grace_days=7, grace_reason="Remise de la synthèse")
    kept = _bilan_with_every_class(app, centre, consultant.id, keep=True)
    plain = _bilan_with_every_class(app, centre, consultant.id, keep=False)
    before = _state(app, centre, kept)
    assert before["objective"] == before["synthesis"] == before["session_note"] == 1 and before["key"]

    run(app, "destruction", END + timedelta(days=6, hours=23))  # grace period not over
    assert _state(app, centre, kept) == before and _state(app, centre, plain)["objective"] == 1

    run(app, "destruction", END + timedelta(days=7))  # day 7: working documents
    for bilan in (kept, plain):
        state = _state(app, centre, bilan)
        assert (state["objective"], state["session_note"], state["needs_analysis"]) == (0, 0, False)
        assert (state["session"], state["attendance"], state["agreement"]) == (7, 7, 1)
    k, p = _state(app, centre, kept), _state(app, centre, plain)
    assert k["synthesis"] == 1 and k["key"] and not k["destroyed"] and k["records"] == ["working"]
    assert p["synthesis"] == 0 and not p["key"] and p["destroyed"] and p["records"] == ["working"]

    # One year, less the key store backup retention (7 days): the key is then out of every backup on time.
    run(app, "destruction", END + timedelta(days=365 - 7) - timedelta(hours=1))
    assert _state(app, centre, kept)["synthesis"] == 1
    run(app, "destruction", END + timedelta(days=365 - 7))  # one year: the kept synthesis
    k = _state(app, centre, kept)
    assert k["synthesis"] == 0 and not k["key"] and k["destroyed"] and k["records"] == ["kept_one_year", "working"]
    assert (k["session"], k["attendance"], k["agreement"]) == (7, 7, 1)

    run(app, "destruction", END + timedelta(days=4 * 365))  # proofs still there
    assert _state(app, centre, kept)["agreement"] == 1
    run(app, "destruction", END + timedelta(days=4 * 365 + 1))  # four years: the proofs
    for bilan in (kept, plain):
        state = _state(app, centre, bilan)
        assert (state["session"], state["attendance"], state["agreement"]) == (0, 0, 0)
        assert state["proofs_destroyed"] and "proof" in state["records"]
    # A sweep after the end changes nothing (idempotent).
    again = run(app, "destruction", END + timedelta(days=5 * 365))
    assert not again.errors and again.counts.get("items_destroyed", 0) == 0


def test_an_open_bilan_is_flagged_as_abandoned_never_destroyed(app, make_centre, add_member):
    from tenants.bilans.models import Objective
    from tenants.flags.models import Flag

    centre = make_centre("lyon")
    consultant = add_member(centre)
    quiet = add_bilan(app, centre, consultant_id=consultant.id, status="active",
                      last_activity_at=paris(2027, 1, 10, 10, 0))
    # As the workspace's objective form adds it (tenants/bilans/bilan_views.py: no feature function).
    in_centre(app, centre, lambda db, c: db.add(Objective(bilan_id=quiet, text="Objectif")))
    run(app, "destruction", paris(2027, 7, 9, 10, 0))
    assert in_centre(app, centre, lambda db, c: db.exec(select(Flag)).all()) == []
    for _ in range(2):
        run(app, "destruction", paris(2027, 7, 11, 10, 0))
    flags = in_centre(app, centre, lambda db, c: [(f.kind, f.bilan_id, f.consultant_id) for f in db.exec(select(Flag))])
    assert flags == [("abandoned", quiet, consultant.id)]
    assert in_centre(app, centre, lambda db, c: len(db.exec(select(Objective)).all())) == 1


def test_destroyed_data_is_gone_from_raw_database_and_a_restored_copy_is_unreadable(app, make_centre, add_member):
    """Crypto-shredding: a copy taken before destruction, put back, cannot be read with current keys."""
    from tenants.bilans.models import Objective

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = _bilan_with_every_class(app, centre, consultant.id, keep=False)
    secret = "Devenir ébéniste"

    def copy_rows(db, c):
        rows = db.execute(select(Objective.__table__)).mappings().all()
        return [dict(r) for r in rows]

    from saas.crypto.fields import sealed_fields

    column = sealed_fields(Objective)[0].column_name(Objective)
    backup = in_centre(app, centre, copy_rows)
    assert backup and all(r[column] and secret.encode() not in r[column] for r in backup)
    run(app, "destruction", END + timedelta(days=8))

    # Raw scan: no ciphertext of the destroyed rows is left anywhere in the tenant tables.
    def raw_has(db, c):
        from saas.tenancy.models import TenantModel

        found = []
        for table in TenantModel.metadata.sorted_tables:
            for row in db.execute(select(table)).all():
                for value in row:
                    if isinstance(value, (bytes, memoryview)) and any(bytes(value) == r[column] for r in backup):
                        found.append(table.name)
                    if isinstance(value, str) and secret in value:
                        found.append(table.name)
        return found

    assert in_centre(app, centre, raw_has) == []

    # The pre-destruction copy, restored, does not open with today's keys.
    def restore(db, c):
        db.execute(Objective.__table__.insert(), backup)

    in_centre(app, centre, restore)

    def read(db, c):
        objective = db.exec(select(Objective).where(Objective.bilan_id == bilan)).one()
        return objective.text

    from saas.crypto.keyring import BilanKeyDestroyed

    with pytest.raises(BilanKeyDestroyed):
        in_centre(app, centre, read)


def test_a_destruction_record_lists_classes_and_counts_without_content(app, make_centre, add_member, client, login):
    from tenants.retention.models import DestructionRecord

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = _bilan_with_every_class(app, centre, consultant.id, keep=False)
    run(app, "destruction", END + timedelta(days=8))
    record = in_centre(app, centre, lambda db, c: db.exec(select(DestructionRecord)).one())
    assert record.bilan_id == bilan and record.stage == "working" and record.key_destroyed
    assert record.items["Objectifs"] == 1 and record.items["Notes de séance"] == 1
    assert "R6313-7" in record.rule
    assert "ébéniste" not in str(record.items)


def test_a_parent_stays_while_a_kept_child_needs_it(app, make_centre, add_member):
    """A questionnaire answered during the bilan, kept one year with the beneficiary's written agreement
    (R6313-7): the working destruction leaves the assignment with its answers, the year's end takes both."""
    from tenants.questionnaires.models import Answer, Assignment

    centre = make_centre("lyon")
    consultant = add_member(centre)

    def answered_then_closed(db, c):
        bilan = builders.make_bilan(db, consultant.id, started_on=(END - timedelta(days=60)).date())
        builders.submit_questionnaire(db, builders.assign(db, bilan, "valeurs_motivations"))
        return builders.close_bilan(db, bilan, ended_at=END, kept_documents=["questionnaires"]).id

    build(app, centre, answered_then_closed)
    count = lambda model: in_centre(app, centre, lambda db, c: len(db.exec(select(model.id)).all()))  # noqa: E731
    report = run(app, "destruction", END + timedelta(days=8))
    assert not report.errors and (count(Assignment), count(Answer)) == (1, 1)
    report = run(app, "destruction", END + timedelta(days=366))
    assert not report.errors and (count(Assignment), count(Answer)) == (0, 0)


def test_a_destruction_interrupted_after_the_key_went_finishes_on_the_next_run(app, make_centre, add_member,
                                                                             monkeypatch):
    """Key shredded, then the process dies before the commit: the rerun ends in the same state."""
    from tenants.retention import destruction

    centre = make_centre("lyon")
    consultant = add_member(centre)
    bilan = _bilan_with_every_class(app, centre, consultant.id, keep=False)
    reference = _bilan_with_every_class(app, centre, consultant.id, keep=False)
    real = destruction._record
    calls = {"n": 0}

    def dying(db, bilan_row, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise SystemError("killed")
        return real(db, bilan_row, *args, **kwargs)

    monkeypatch.setattr(destruction, "_record", dying)
    report = run(app, "destruction", END + timedelta(days=8))
    # That bilan alone is rolled back (tenants/flags/items.py:each_item); the other one is destroyed.
    assert not report.errors and [i["error"] for i in report.failed_items] == ["SystemError"]
    half = [_state(app, centre, b) for b in (bilan, reference)]
    assert sum(not s["key"] for s in half) == 2 and sum(s["objective"] for s in half) == 1  # rows rolled back
    report = run(app, "destruction", END + timedelta(days=8))
    assert not report.errors
    done = _state(app, centre, bilan)
    assert done == _state(app, centre, reference)
    assert done["objective"] == 0 and not done["key"] and done["records"] == ["working"]


def test_destroyed_ciphertexts_leave_the_sqlite_files(app, backend, make_centre, add_member):
    """At rest: the centre's SQLite file (and its WAL) no longer holds the destroyed rows' bytes."""
    if backend != "sqlite":
        pytest.skip("SQLite files; PostgreSQL is checked through SQL above")
    from pathlib import Path

    from saas.crypto.fields import sealed_fields
    from tenants.bilans.models import Objective

    centre = make_centre("lyon")
    _bilan_with_every_class(app, centre, add_member(centre).id, keep=False)
    column = sealed_fields(Objective)[0].column_name(Objective)
    blobs = in_centre(app, centre, lambda db, c: [bytes(r[column]) for r in
                                                 db.execute(select(Objective.__table__)).mappings()])
    path = Path(app.extensions["db"].centre_file(centre.schema))

    def at_rest() -> bytes:
        app.extensions["db"].dispose()
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))

    assert all(blob[-24:] in at_rest() for blob in blobs)  # the scan does see them before
    run(app, "destruction", END + timedelta(days=8))
    raw = at_rest()
    assert raw and all(blob[-24:] not in raw for blob in blobs)
