"""`python -m bench.grants`: does `GRANT … ON ALL TABLES IN SCHEMA` grow with the catalog? (issue #17)

`flask db upgrade` calls saas/db.py:grant_centre_role for every centre; bench/centres.py found
its per-centre cost growing with the number of centres. Here, on a throwaway PostgreSQL, one
schema of one table is granted (mean of 20) while 25,000 empty tables at a time are added in
another schema: the `ALL TABLES IN SCHEMA` form against the same grant naming the table, and
against the read saas/db.py:grant_centre_role now does instead (`_CENTRE_RELATIONS`: the schema's
relations and what the role holds, through pg_depend's index; nothing granted when all is there).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(steps: int = 4) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    import psycopg

    from saas.db import _CENTRE_RELATIONS

    from pg_server import start_postgres

    read = str(_CENTRE_RELATIONS).replace(":schema", "'s0'")

    server = start_postgres()
    try:
        url = server.create_database()
        with psycopg.connect(server.dsn(url.rsplit("/", 1)[-1]), autocommit=True) as c:
            c.execute("CREATE SCHEMA s0; CREATE TABLE s0.t (id int); CREATE SCHEMA filler")
            c.execute('CREATE ROLE s0 NOLOGIN')  # dies with the throwaway cluster; named as its schema

            def timed(sql: str, n: int = 20) -> float:
                started = time.perf_counter()
                for _ in range(n):
                    c.execute(sql)
                return 1000 * (time.perf_counter() - started) / n

            print("| pg_class rows | GRANT … ON ALL TABLES IN SCHEMA | GRANT … ON the named table "
                  "| grant_centre_role's read |")
            print("|---|---|---|---|")
            for step in range(steps + 1):
                if step:
                    for batch in range(25):  # 2,000 a transaction: max_locks_per_transaction
                        c.execute(f"DO $$ BEGIN FOR i IN 1..2000 LOOP EXECUTE format("
                                  f"'CREATE TABLE filler.f{step}_{batch}_%s ()', i); END LOOP; END $$")
                rows = c.execute("SELECT count(*) FROM pg_class").fetchone()[0]
                print(f"| {rows:,} | {timed('GRANT SELECT ON ALL TABLES IN SCHEMA s0 TO s0'):.2f} ms "
                      f"| {timed('GRANT SELECT ON s0.t TO s0'):.2f} ms | {timed(read):.2f} ms |", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
