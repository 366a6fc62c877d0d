"""Issue #12: what `SET LOCAL ROLE centre_<id>` costs per request, on PostgreSQL.

`python -m bench.pg_roles [rounds]` starts a throwaway cluster (tests/pg_server.py), seeds the
demo centre and times its dashboard through Flask's test client, alternating rounds with the
role switch (saas/db.py:_enter_centre_role) and without it. Prints how many tenant
transactions one dashboard request opens and the median time of each mode.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import saas.db

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 40


def main(rounds: int = 11) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import build_app

    from demo.centre import SLUG, seed_demo
    from demo.people import PASSWORD, STAFF

    from pg_server import require_postgres

    server = require_postgres()
    original = saas.db._enter_centre_role
    try:
        app = build_app(Path(tempfile.mkdtemp()), server.create_database(), server.create_database())
        with app.app_context():
            seed_demo(echo=lambda _line: None)
        client = app.test_client()
        assert client.post("/login", data={"email": STAFF[0][2], "password": PASSWORD}).status_code == 303
        url = f"/c/{SLUG}/"
        calls = [0]

        def counted(*args):
            calls[0] += 1
            original(*args)

        saas.db._enter_centre_role = counted
        assert client.get(url).status_code == 200
        print(f"tenant transactions per dashboard request: {calls[0]}")

        def run(with_role: bool) -> float:
            saas.db._enter_centre_role = original if with_role else (lambda *_args: None)
            start = time.perf_counter()
            for _ in range(REQUESTS):
                assert client.get(url).status_code == 200
            return (time.perf_counter() - start) / REQUESTS * 1000

        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(rounds):
            for with_role in (False, True):
                times[with_role].append(run(with_role))
        off, on = statistics.median(times[False]), statistics.median(times[True])
        print(f"dashboard (median of {rounds} rounds x {REQUESTS}): without role {off:.1f} ms, "
              f"with SET LOCAL ROLE {on:.1f} ms ({(on - off) / off * 100:+.1f} %)")
    finally:
        saas.db._enter_centre_role = original
        server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
