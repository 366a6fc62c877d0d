"""PostgreSQL: a pooled connection is retired once it has served DB_CENTRES_PER_CONNECTION centres.

A backend keeps the catalog entries of every centre's tables it has opened, and its work on each
new centre grows with them (docs/BENCHMARKS.md, "the backend that has seen every centre"), so
`saas/db.py:Database._retire_if_spread` closes the connection after that many different centres
and the pool opens a fresh one. The same centre again does not count. SQLite has no server
process: a pooled connection there keeps no centre (its file is DETACHed), so nothing to retire.
"""
from __future__ import annotations

import pytest
from sqlalchemy import text

from saas.db import tenant_session


@pytest.fixture(params=["postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def app_config():
    # One pooled connection, and a retirement after three centres.
    return {"DB_POOL_SIZE": 1, "DB_CENTRES_PER_CONNECTION": 3}


def fresh_pool(app) -> None:
    """Provisioning the centres served them on pooled connections too: start counting from none."""
    app.extensions["db"].engine.dispose()


def backend_pid(app, centre) -> int:
    with app.app_context(), tenant_session(centre.model(app)) as db:
        return db.execute(text("SELECT pg_backend_pid()")).scalar()


def test_a_connection_is_retired_after_serving_its_number_of_centres(app, make_centre):
    a, b, c, d = (make_centre(slug) for slug in ("annecy", "brest", "caen", "dijon"))
    fresh_pool(app)
    first = backend_pid(app, a)
    # The same centres again do not count: still the same server process.
    assert [backend_pid(app, centre) for centre in (a, b, a, b)] == [first] * 4
    assert backend_pid(app, c) == first  # the third centre: served, then the connection is retired
    fresh = backend_pid(app, d)
    assert fresh != first
    with app.app_context(), tenant_session(d.model(app)) as db:  # the old process is gone
        assert db.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                          {"pid": first}).scalar() == 0
    assert backend_pid(app, a) == fresh  # the new connection starts its own count


@pytest.mark.parametrize("app_config", [{"DB_POOL_SIZE": 1, "DB_CENTRES_PER_CONNECTION": 0}])
def test_zero_never_retires_a_connection(app, make_centre):
    centres = [make_centre(slug) for slug in ("annecy", "brest", "caen", "dijon")]
    fresh_pool(app)
    pids = {backend_pid(app, centre) for centre in centres * 2}
    assert len(pids) == 1
