"""A destruction sweep scrubs the key store once, not once per shredded key."""
from __future__ import annotations

import threading
from datetime import UTC


def _counting(store):
    calls = []
    real = store._scrub_now
    store._scrub_now = lambda: (calls.append(threading.get_ident()), real())
    return calls


def test_one_scrub_defers_to_the_end_of_the_block(app):
    store = app.extensions["crypto"].store
    calls = _counting(store)
    store.destroy_bilan_key("1", "a" * 32)
    assert len(calls) == 1  # alone: at once
    with store.one_scrub():
        for n in range(3):
            store.destroy_bilan_key("1", f"{n}" * 32)
        with store.one_scrub():  # nested: still one, at the outer end
            store.destroy_bilan_key("1", "9" * 32)
        assert len(calls) == 1
    assert len(calls) == 2


def test_another_thread_is_not_deferred(app):
    store = app.extensions["crypto"].store
    calls = _counting(store)
    with store.one_scrub():
        worker = threading.Thread(target=store.destroy_bilan_key, args=("1", "b" * 32))
        worker.start()
        worker.join()
        assert len(calls) == 1  # a request's destruction is scrubbed at once
    assert len(calls) == 1  # nothing was deferred in this thread


def test_destruction_sweep_scrubs_once(app, make_centre):
    """Two bilans destroyed by one sweep: one scrub, and no key left for either."""
    from datetime import datetime, timedelta

    from jobs.runner import run_job
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary
    from tenants.bilans.models import Bilan, Objective

    lyon = make_centre("lyon")
    end = datetime(2027, 1, 10, 12, tzinfo=UTC)
    store = app.extensions["crypto"].store
    with app.app_context(), tenant_session(lyon.model(app)) as db:
        ids = []
        for n in range(2):
            person = Beneficiary(name=f"Personne {n}", email=f"p{n}@example.fr", consultant_id=lyon.owner.id)
            db.add(person)
            db.flush()
            bilan = Bilan(beneficiary_id=person.id, consultant_id=lyon.owner.id, status="completed",
                          phase="conclusion", ended_at=end, last_activity_at=end)
            db.add(bilan)
            db.flush()
            db.add(Objective(bilan_id=bilan.id, text="Un objectif chiffré"))
            ids.append(bilan.id)
        db.commit()
        assert set(store.bilan_keys(str(lyon.id), ids)) == set(ids)
    calls = _counting(store)
    with app.app_context():
        run_job("destruction", end + timedelta(days=8))
    assert len(calls) == 1
    assert store.bilan_keys(str(lyon.id), ids) == {}
