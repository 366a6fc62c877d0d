"""`python -m bench.centres [--steps 50,100,200,400] [--budget 600]`: cost as centres grow (issue #17).

On a throwaway PostgreSQL (tests/pg_server.py), centres are provisioned through
`create_centre` in steps; at each step: the provisioning rate of that step, `flask db
upgrade` across all schemas when none is pending (a fresh process, as an operator runs it:
its `[i/n]` lines counted), the same with every centre marked one revision behind
(`centre.schema_version` cleared, so each schema goes through Alembic: the per-centre cost
of a pending migration, its own DDL excluded), the catalog (pg_class rows, database size),
the dashboard of centre 0 (Flask test client, logged in as its admin, median of 20) and this
process's peak RSS. The next step is skipped once the provisioning budget is spent.
Writes bench/out/centres/results.json and prints a markdown table.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "centres"
PASSWORD = "bench password 1"


def _upgrade(env: dict) -> tuple[float, int]:
    """`flask db upgrade` in a fresh process: seconds, progress lines."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
                            env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, sum(1 for line in result.stdout.splitlines() if line.startswith("["))


def _dashboard_ms(app, slug: str, email: str) -> float:
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf-token" content="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.status_code
    times = []
    for _ in range(22):
        started = time.perf_counter()
        assert client.get(f"/c/{slug}/").status_code == 200
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times[2:])


def run(steps: list[int], budget: float) -> dict:
    import logging

    logging.disable(logging.INFO)
    sys.path.insert(0, str(ROOT / "tests"))
    from sqlalchemy import text

    from saas import create_app
    from saas.accounts.models import Account
    from saas.accounts.passwords import hash_password
    from saas.db import database
    from saas.migrate import upgrade_public
    from saas.signup.provision import create_centre

    from pg_server import start_postgres

    OUT.mkdir(parents=True, exist_ok=True)
    server = start_postgres()
    rows, spent = [], 0.0
    try:
        env = {"DATABASE_URL": server.create_database(), "KEYSTORE_URL": server.create_database(),
               "MAIL_URL": f"file://{OUT}/mail", "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1",
               "MASTER_KEY": base64.b64encode(os.urandom(32)).decode(), "SCHEDULER_IN_PROCESS": "0"}
        app = create_app({**env, "RATELIMIT_ENABLED": False, "WTF_CSRF_SSL_STRICT": False})
        with app.app_context():
            upgrade_public()
            password = hash_password(PASSWORD)
        made = 0
        for step in steps:
            if spent > budget:
                break
            started = time.perf_counter()
            with app.app_context():
                for c in range(made, step):
                    create_centre(name=f"Centre {c}", slug=f"centre-c{c}", siret="73282932000074", nda="11755555555",
                                  admin=Account(email=f"c{c}@bench.example", name="Admin", password_hash=password))
            seconds = time.perf_counter() - started
            spent += seconds
            rate = (step - made) / seconds
            made = step
            upgrade_none, lines = _upgrade(env)
            with app.app_context(), database().engine.begin() as conn:
                conn.execute(text("UPDATE centre SET schema_version = NULL"))
                pg_class = conn.execute(text("SELECT count(*) FROM pg_class")).scalar()
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            upgrade_pending, _ = _upgrade(env)
            # Outside any app context: each test-client request gets its own `g`, as in a server.
            dashboard = _dashboard_ms(app, "centre-c0", "c0@bench.example")
            row = {"centres": step, "provision_per_s": rate, "upgrade_none_s": upgrade_none,
                   "progress_lines": lines, "upgrade_pending_s": upgrade_pending, "pg_class": pg_class,
                   "db_mb": size / 2**20, "dashboard_ms": dashboard,
                   "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "loadavg": os.getloadavg()[0]}
            rows.append(row)
            print(json.dumps(row), flush=True)
        app.extensions["db"].dispose()
    finally:
        server.stop()
    (OUT / "results.json").write_text(json.dumps(rows, indent=2))
    return {"rows": rows}


def report(figures: dict) -> str:
    lines = ["| centres | provisioning (centres/s) | db upgrade, none pending | all pending (no DDL) | [i/n] lines "
             "| pg_class rows | database size | dashboard p50 | peak RSS | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in figures["rows"]:
        lines.append(f"| {r['centres']} | {r['provision_per_s']:.2f} | {r['upgrade_none_s']:.1f} s "
                     f"| {r['upgrade_pending_s']:.1f} s | {r['progress_lines']} | {r['pg_class']} "
                     f"| {r['db_mb']:.0f} MB | {r['dashboard_ms']:.1f} ms | {r['peak_rss_mb']:.0f} MB "
                     f"| {r['loadavg']:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.centres")
    parser.add_argument("--steps", default="50,100,200,400,800")
    parser.add_argument("--budget", type=float, default=600, help="provisioning seconds before stopping")
    args = parser.parse_args(argv)
    print(report(run([int(s) for s in args.steps.split(",")], args.budget)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
