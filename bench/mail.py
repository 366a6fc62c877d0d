"""Issue #13: transactional emails leave within seconds (saas/mail/wakeup.py).

The product under gunicorn (2 workers), the scheduler in its own process
(`flask jobs run`), an SMTP server on loopback (tests/smtp_server.py) in this
one; SQLite and a throwaway PostgreSQL cluster (tests/pg_server.py). One person
at a time asks for a password reset; the figure is the time from the HTTP
response (303) to the message's arrival at the SMTP server, over `messages`
requests spaced by a random 0-2 s (the SQLite poll's period: its phase is
sampled, not chosen). The minute sweep is pushed to an hour (OUTBOX_SWEEP_SECONDS): only a
wake-up can deliver, which is what is measured.
"""
from __future__ import annotations

import base64
import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.load import gunicorn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "mail"
QUICK = {"messages": 5}
TARGET_P95_S = 5.0


def config(data_url: str, keys_url: str, master_key: str, mail_url: str) -> dict:
    return {"DATABASE_URL": data_url, "KEYSTORE_URL": keys_url, "MASTER_KEY": master_key,
            "SECRET_KEY": "bench", "MAIL_URL": mail_url, "BASE_URL": "http://127.0.0.1",
            "SCHEDULER_IN_PROCESS": "0", "BENCH_NO_RATELIMIT": "1", "OUTBOX_SWEEP_SECONDS": "3600"}


def build(cfg: dict, people: int) -> list[str]:
    """One centre and `people` accounts; their addresses."""
    from saas import create_app
    from saas.accounts.models import Account
    from saas.migrate import upgrade_public
    from saas.signup.provision import create_centre

    app = create_app(cfg)
    emails = [f"person{n}@bench.example" for n in range(people)]
    with app.app_context():
        upgrade_public()
        create_centre(name="Centre Mail", slug="centre-mail", siret="73282932000074", nda="11755555555",
                      admin=Account(email="admin@bench.example", name="Admin", password_hash="x"))
        with app.extensions["db"].public_session() as session:
            session.add_all(Account(email=email, name=f"Personne {n}", password_hash="x")
                            for n, email in enumerate(emails))
            session.commit()
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()
    return emails


def _scheduler(cfg: dict, log_path: Path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FLASK_")}
    log = open(log_path, "wb")
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT,
                            env={**env, **cfg}, stdout=log, stderr=subprocess.STDOUT)


def _wait_started(cfg: dict, process: subprocess.Popen, timeout: float = 120) -> None:
    """Up once its start sweep of the outbox is logged (JobRun)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(cfg["DATABASE_URL"])
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("scheduler exited")
            with engine.connect() as conn:
                if conn.execute(text("SELECT 1 FROM jobrun WHERE job = 'outbox'")).first():
                    return
            time.sleep(0.2)
    finally:
        engine.dispose()
    raise RuntimeError("scheduler did not start")


def _forgot(base: str, email: str) -> None:
    """A browser asking for a reset link: the form (CSRF token), then the POST, until its 303."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/password/forgot")
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    body = urllib.parse.urlencode({"csrf_token": token.group(1), "email": email})
    conn.request("POST", "/password/forgot", body=body,
                 headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 303:
        raise RuntimeError(f"forgot password: {response.status}")


def measure(cfg: dict, emails: list[str], smtp, log_path: Path) -> dict:
    scheduler = _scheduler(cfg, log_path)
    latencies = []
    try:
        _wait_started(cfg, scheduler)
        with gunicorn("bench.apps:product()", cfg) as base:
            _forgot(base, emails[0])  # warm-up: first request of each worker, first sweep
            smtp.wait_for(1, timeout=60)
            smtp.clear()
            for n, email in enumerate(emails[1:], start=1):
                time.sleep(random.uniform(0, 2.0))
                _forgot(base, email)
                answered = time.monotonic()
                received = smtp.wait_for(n, timeout=60)
                latencies.append(time.monotonic() - answered)
                assert received[-1].rcpt_tos == [email]
    finally:
        scheduler.terminate()
        scheduler.wait(timeout=30)
    ids = [m.message["Message-ID"] for m in smtp.messages]
    latencies.sort()
    return {"messages": len(latencies), "duplicates": len(ids) - len(set(ids)),
            "p50_s": statistics.median(latencies),
            "p95_s": latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))],
            "max_s": latencies[-1]}


def run(seconds: float = 0, messages: int = 50) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import start_postgres
    from smtp_server import running_smtp_server

    master_key = base64.b64encode(os.urandom(32)).decode()
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    results = {"messages": messages}
    server = start_postgres()
    try:
        for backend in ("sqlite", "postgresql"):
            with running_smtp_server() as smtp:
                if backend == "sqlite":
                    cfg = config(f"sqlite:///{OUT}/bilan.db", f"sqlite:///{OUT}/keystore.db", master_key, smtp.url)
                else:
                    cfg = config(server.create_database(), server.create_database(), master_key, smtp.url)
                emails = build(cfg, messages + 1)
                results[backend] = measure(cfg, emails, smtp, OUT / f"scheduler-{backend}.log")
                print(f"  {backend}: {results[backend]}", flush=True)
    finally:
        server.stop()
    return results


def report(figures: dict) -> str:
    lines = [f"{figures['messages']} password resets, response -> received (scheduler in its own process)"]
    for backend in ("sqlite", "postgresql"):
        f = figures[backend]
        verdict = "ok" if f["p95_s"] <= TARGET_P95_S and not f["duplicates"] else "OVER TARGET"
        lines.append(f"  {backend:<10} p50 {f['p50_s']:.2f} s, p95 {f['p95_s']:.2f} s, max {f['max_s']:.2f} s, "
                     f"duplicates {f['duplicates']}  ({verdict}: p95 <= {TARGET_P95_S:.0f} s)")
    return "\n".join(lines)
