"""`python -m bench.profile_autosave sqlite|postgresql [N]`: where one autosave's worker time goes.

Same dataset as bench/autosave.py (built through the product's code), then N autosaves
through the Flask test client in this process under cProfile (no server, no network:
the request's own CPU). Prints the mean time per save, the statements per save
(SQLAlchemy's before_cursor_execute on the data and key store engines) and the
functions by cumulative time.
"""
from __future__ import annotations

import base64
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

from bench.autosave import OUT, QUESTION, build, env_for

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

        app = create_app({**env, "RATELIMIT_ENABLED": False})
        cookie, path, csrf = clients[0]
        client = app.test_client()
        client.set_cookie("bilan_session", cookie.split("=", 1)[1])
        headers = {"HX-Request": "true", "X-CSRFToken": csrf}
        statements = [0]

        def count(*_):
            statements[0] += 1

        body = {QUESTION: "Formation, premiers emplois, reconversion. " * 4}

        def save(i: int):
            response = client.post(path, data={QUESTION: body[QUESTION] + str(i)}, headers=headers)
            assert response.status_code < 400, (response.status_code, response.text[:500])

        for i in range(20):  # warm-up: templates compiled, connections opened
            save(i)
        event.listen(Engine, "before_cursor_execute", count)  # every engine: data and key store
        started = time.perf_counter()
        cpu = time.process_time()
        for i in range(n):
            save(i)
        wall, cpu = (time.perf_counter() - started) / n, (time.process_time() - cpu) / n
        print(f"{backend}: {1000 * wall:.2f} ms wall, {1000 * cpu:.2f} ms CPU per save, "
              f"{statements[0] / n:.1f} statements per save")
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


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200)
