"""`python -m bench.profile_autosave sqlite|postgresql [N]`: where one autosave's worker time goes.

`python -m bench.profile_autosave attach`: the CPU SQLite's ATTACH/DETACH of a centre costs a request.

`python -m bench.profile_autosave turns sqlite|postgresql`: bench/autosave.py's dataset (200 clients, 50
centres) saved in turns in process: CPU per save (minimum and median of 6 batches of 100), and what does
not follow the machine's load: the Python function calls per save (cProfile), the statements and the data
pool's checkouts per save.

Same dataset as bench/autosave.py (built through the product's code), then N autosaves
through the Flask test client in this process under cProfile (no server, no network:
the request's own CPU). Prints the statements of one save, the CPU and wall time per save (minimum and median of
batches of 50), the statements per save
(SQLAlchemy's before_cursor_execute on the data and key store engines) and the
functions by cumulative time.
"""
from __future__ import annotations

import base64
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from bench.autosave import FIELD, OUT, build, env_for

ROOT = Path(__file__).resolve().parent.parent


def main(backend: str, n: int) -> None:
    import logging

    logging.disable(logging.INFO)
    master_key = base64.b64encode(os.urandom(32)).decode()
    server = None
    if backend == "postgresql":
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import start_postgres

        server = start_postgres()
        env = {**env_for(master_key), "DATABASE_URL": server.create_database(),
               "KEYSTORE_URL": server.create_database()}
    else:
        env = env_for(master_key)
    try:
        clients = build(master_key, 2, 2, env=env)
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        from saas import create_app

        # BENCH_LIMITS=1: Flask-Limiter on (memory storage), to measure its share; the autosave's
        # 240 a minute per link allows the warm-up and 200 saves.
        app = create_app({**env, "RATELIMIT_ENABLED": os.environ.get("BENCH_LIMITS") == "1"})
        cookie, path, csrf = clients[0]
        client = app.test_client()
        client.set_cookie("bilan_session", cookie.split("=", 1)[1])
        headers = {"HX-Request": "true", "X-CSRFToken": csrf}
        statements = [0]

        def count(*_):
            statements[0] += 1

        body = {FIELD: "Formation, premiers emplois, reconversion. " * 4}

        def save(i: int):
            response = client.post(path, data={FIELD: body[FIELD] + str(i)}, headers=headers)
            assert response.status_code < 400, (response.status_code, response.text[:500])

        for i in range(20):  # warm-up: templates compiled, connections opened
            save(i)
        shown = []

        def show(_conn, _cursor, statement, *_):
            shown.append(" ".join(statement.split())[:150])

        event.listen(Engine, "before_cursor_execute", show)
        save(20)
        event.remove(Engine, "before_cursor_execute", show)
        print(f"the statements of one save ({len(shown)}):")
        for line in shown:
            print("  ", line)
        event.listen(Engine, "before_cursor_execute", count)  # every engine: data and key store
        # Batches of 50, their minimum and median: the machine is shared, a mean follows its load.
        walls, cpus = [], []
        for batch in range(max(1, n // 50)):
            started, cpu = time.perf_counter(), time.process_time()
            for i in range(50):
                save(batch * 50 + i)
            walls.append((time.perf_counter() - started) / 50)
            cpus.append((time.process_time() - cpu) / 50)
        saves = 50 * len(cpus)
        print(f"{backend}: CPU per save min {1000 * min(cpus):.2f} ms, median {1000 * statistics.median(cpus):.2f} ms; "
              f"wall min {1000 * min(walls):.2f} ms, median {1000 * statistics.median(walls):.2f} ms; "
              f"{statements[0] / saves:.1f} statements per save ({len(cpus)} batches of 50)")
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(n):
            save(i)
        profiler.disable()
        OUT.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(OUT / f"autosave-{backend}.prof")  # pstats: print_callers("commit") and the like
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
        print(text.getvalue())
        app.extensions["db"].dispose()
    finally:
        if server is not None:
            server.stop()


def attach_cost(n: int = 2000) -> None:
    """`python -m bench.profile_autosave attach`: what SQLite's ATTACH and DETACH of one centre's file cost
    a request (sqlite3 alone, the pragmas of saas/db.py:_sqlite_on_connect): n times ATTACH, one select
    in the centre's schema (SQLite reads the attached file's schema at its first statement), DETACH and
    the pool reset's `PRAGMA database_list`, against the same select on a connection kept attached."""
    import sqlite3

    master_key = base64.b64encode(os.urandom(32)).decode()
    build(master_key, 1, 1)
    base = OUT / "autosave"
    main_file, centre = base / "bilan.db", next((base / "centres").glob("centre_*.db"))
    schema = centre.stem
    conn = sqlite3.connect(main_file, isolation_level=None)
    for pragma in ("journal_mode=WAL", "secure_delete=ON", "foreign_keys=ON", "busy_timeout=15000",
                   "synchronous=NORMAL"):
        conn.execute("PRAGMA " + pragma)
    select = f'SELECT id FROM "{schema}".beneficiary_link LIMIT 1'
    cpu = time.process_time()
    for _ in range(n):
        conn.execute(f'ATTACH DATABASE ? AS "{schema}"', (str(centre),))
        conn.execute(select).fetchall()
        conn.execute(f'DETACH DATABASE "{schema}"')
        list(conn.execute("PRAGMA database_list"))
    cycle = (time.process_time() - cpu) / n
    conn.execute(f'ATTACH DATABASE ? AS "{schema}"', (str(centre),))
    cpu = time.process_time()
    for _ in range(n):
        conn.execute(select).fetchall()
    kept = (time.process_time() - cpu) / n
    conn.close()
    print(f"ATTACH + select + DETACH + database_list: {1000 * cycle:.3f} ms CPU; the select on a connection "
          f"kept attached: {1000 * kept:.3f} ms; ATTACH/DETACH cost {1000 * (cycle - kept):.3f} ms a request")


def turns(backend: str) -> None:
    """`python -m bench.profile_autosave turns sqlite|postgresql` (see the module's docstring)."""
    import logging

    logging.disable(logging.INFO)
    master_key = base64.b64encode(os.urandom(32)).decode()
    env, server = env_for(master_key), None
    if backend == "postgresql":
        sys.path.insert(0, str(ROOT / "tests"))
        from pg_server import start_postgres

        server = start_postgres()
        env = {**env, "DATABASE_URL": server.create_database(), "KEYSTORE_URL": server.create_database()}
    try:
        clients = build(master_key, 50, 4, env=env)
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        from saas import create_app

        app = create_app({**env, "RATELIMIT_ENABLED": False})
        sessions = []
        for cookie, path, csrf in clients:
            client = app.test_client()
            client.set_cookie("bilan_session", cookie.split("=", 1)[1])
            sessions.append((client, path, csrf))

        def save(k: int):
            client, path, csrf = sessions[k % len(sessions)]
            response = client.post(path, data={FIELD: "Formation, premiers emplois. " * 4 + str(k)},
                                   headers={"HX-Request": "true", "X-CSRFToken": csrf})
            assert response.status_code < 400, response.status_code

        for k in range(2 * len(sessions)):  # warm-up: every centre's file, template and statement once
            save(k)
        cpus = []
        for batch in range(6):
            cpu = time.process_time()
            for k in range(100):
                save(batch * 100 + k)
            cpus.append((time.process_time() - cpu) / 100)
        counts = {"statements": 0, "checkouts": 0}

        def statement(*_):
            counts["statements"] += 1

        def checkout(*_):
            counts["checkouts"] += 1

        event.listen(Engine, "before_cursor_execute", statement)
        event.listen(app.extensions["db"].engine, "checkout", checkout)
        profiler = cProfile.Profile()
        profiler.enable()
        for k in range(200):
            save(k)
        profiler.disable()
        calls = pstats.Stats(profiler).total_calls / 200
        print(f"{backend}: CPU per save min {1000 * min(cpus):.2f} ms, median {1000 * statistics.median(cpus):.2f} ms; "
              f"{calls:.0f} Python calls, {counts['statements'] / 200:.1f} statements, "
              f"{counts['checkouts'] / 200:.1f} data-pool checkouts per save")
        app.extensions["db"].dispose()
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    if sys.argv[1] == "turns":
        turns(sys.argv[2] if len(sys.argv) > 2 else "sqlite")
    elif sys.argv[1] == "attach":
        attach_cost()
    else:
        main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
