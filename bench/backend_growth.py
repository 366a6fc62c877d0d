"""A PostgreSQL server process that has served many centres: its cost per new centre.

Builds N centre schemas of 40 tables each (a primary key, a `bilan_id` index, a text column: the
shape of a centre's bilan tables) on a throwaway cluster, then destroys one bilan per centre (40
`DELETE`s in one transaction, as tenants/retention/destruction.py does) in random order through
`saas.db.Database.tenant_connection`, with a pool of one connection:
- `never`: the connection is never retired (DB_CENTRES_PER_CONNECTION=0), one server process
  serves every centre;
- `every K`: the app's retirement after K centres (saas/db.py:`_retire_if_spread`).
Ratios in the same run; the figure per centre by quarter of the run shows the growth.

    python -m bench.backend_growth --centres 400 --every 5,20,100
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = 40


def build(url: str, centres: int) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for n in range(1, centres + 1):
            schema = f"centre_{n}"
            conn.execute(";".join(
                [f"CREATE SCHEMA {schema}"]
                + [f"CREATE TABLE {schema}.t{t} (id bigserial PRIMARY KEY, bilan_id text NOT NULL, body text)"
                   for t in range(TABLES)]
                + [f"CREATE INDEX ON {schema}.t{t} (bilan_id)" for t in range(TABLES)]
                + [f"INSERT INTO {schema}.t{t} (bilan_id, body) SELECT 'b' || g, 'x' FROM generate_series(1, 5) g"
                   for t in range(0, TABLES, 4)]))


def destroy_all(url: str, centres: int, every: int, seed: int = 1) -> list[float]:
    from saas.db import Database

    database = Database(url, pool_size=1, centres_per_connection=every)
    order = list(range(1, centres + 1))
    random.Random(seed).shuffle(order)
    times = []
    for n in order:
        started = time.perf_counter()
        with database.tenant_connection(f"centre_{n}") as conn:
            for t in range(TABLES):
                conn.exec_driver_sql(f"DELETE FROM centre_{n}.t{t} WHERE bilan_id = %(b)s", {"b": "b1"})
            conn.commit()
        times.append(time.perf_counter() - started)
    database.dispose()
    return times


def quarters(times: list[float]) -> list[float]:
    q = max(1, len(times) // 4)
    return [round(1000 * sum(times[i * q:(i + 1) * q]) / len(times[i * q:(i + 1) * q]), 1) for i in range(4)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=400)
    parser.add_argument("--every", default="5,20,100", help="DB_CENTRES_PER_CONNECTION values beside 'never'")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import start_postgres

    os.environ.setdefault("PG_TMPDIR", "/tmp")
    server = start_postgres()
    try:
        url = server.create_database()
        started = time.perf_counter()
        build(url, args.centres)
        print(f"built {args.centres} centres x {TABLES} tables in {time.perf_counter() - started:.0f} s, "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
        runs = [0] + [int(k) for k in args.every.split(",")]
        results = {}
        for every in runs:
            times = destroy_all(url, args.centres, every)
            results[every] = sum(times)
            label = "never" if every == 0 else f"every {every}"
            print(f"{label:>9}: {1000 * sum(times) / len(times):7.1f} ms per centre, by quarter {quarters(times)}, "
                  f"total {sum(times):6.1f} s, ratio to never {sum(times) / results[0]:.2f}, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)
        # Again, 'never' last: the machine's load drifts.
        times = destroy_all(url, args.centres, 0, seed=2)
        print(f"never, again: {1000 * sum(times) / len(times):7.1f} ms per centre, by quarter {quarters(times)}",
              flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
