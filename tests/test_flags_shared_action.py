"""An action that begins inside an action which has written nothing yet shares its SAVEPOINT
(tenants/flags/actions.py:one_action; an item of tenants/flags/items.py:each_item whose first write
is its email, tenants/reminders/sending.py:send_once): one SAVEPOINT instead of two, and still whole
or not at all on its own (docs/BENCHMARKS.md, "Sixth round (issue #17): the reminder's CPU, again")."""
from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select

from bilans_support import centre_db, make_bilan


class Boom(Exception):
    pass


def _events(db, bilan_id) -> list[str]:
    from tenants.history.models import HistoryEvent

    return sorted(e.detail for e in db.exec(select(HistoryEvent).where(HistoryEvent.bilan_id == bilan_id,
                                                                       HistoryEvent.kind == "test")))


def _note(db, bilan_id, detail) -> None:
    from tenants.history.models import record

    record(db, bilan_id, "test", detail)
    db.flush()


@pytest.fixture
def counted(app):
    """The SAVEPOINT statements sent to the data engine while the test runs."""
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("SAVEPOINT"):
            seen.append(statement)

    engine = app.extensions["db"].engine
    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def test_an_action_inside_an_item_that_wrote_nothing_shares_its_savepoint_and_fails_alone(
        app, make_centre, counted):
    from tenants.flags.actions import batch, one_action

    centre = make_centre("lyon")
    with centre_db(app, centre) as db:
        bilan_id = make_bilan(db, centre.owner.id, name="Zoé Martin").id
        db.commit()
        counted.clear()
        with batch(db):
            with one_action(db):  # the item
                with pytest.raises(Boom):
                    with one_action(db):  # its email: nothing written before it in the item
                        _note(db, bilan_id, "the failed email")
                        raise Boom
                _note(db, bilan_id, "what the item did next")
            with one_action(db):  # another item whose email goes
                with one_action(db):
                    _note(db, bilan_id, "an email sent")
        db.commit()
        assert _events(db, bilan_id) == ["an email sent", "what the item did next"]
    # the first item's SAVEPOINT, a fresh one after its email failed, the second item's (shared by its email)
    assert len(counted) == 3, counted


def test_an_action_after_its_item_wrote_has_a_savepoint_of_its_own(app, make_centre, counted):
    from tenants.flags.actions import batch, one_action

    centre = make_centre("lyon")
    with centre_db(app, centre) as db:
        bilan_id = make_bilan(db, centre.owner.id, name="Zoé Martin").id
        db.commit()
        counted.clear()
        with batch(db):
            with one_action(db):
                _note(db, bilan_id, "the item's own write")
                with pytest.raises(Boom):
                    with one_action(db):
                        _note(db, bilan_id, "the failed email")
                        raise Boom
                with one_action(db):
                    _note(db, bilan_id, "a second email")
        db.commit()
        assert _events(db, bilan_id) == ["a second email", "the item's own write"]
    assert len(counted) == 3, counted


def test_an_item_failing_after_its_shared_email_undoes_the_email(app, make_centre, counted):
    from tenants.flags.actions import batch, one_action

    centre = make_centre("lyon")
    with centre_db(app, centre) as db:
        bilan_id = make_bilan(db, centre.owner.id, name="Zoé Martin").id
        db.commit()
        counted.clear()
        with batch(db):
            with pytest.raises(Boom):
                with one_action(db):
                    with one_action(db):
                        _note(db, bilan_id, "the email")
                    raise Boom
            with one_action(db):
                _note(db, bilan_id, "the next item")
        db.commit()
        assert _events(db, bilan_id) == ["the next item"]
