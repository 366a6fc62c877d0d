"""Issue #7: one sweep over 2,000 centres of 50 bilans each (reminders, then destruction).

Built through the models (encryption applies), on SQLite and on a throwaway
PostgreSQL cluster (tests/pg_server.py). Each sweep runs in a fresh process
(`python -m bench.sweep measure …`) so its peak memory (ru_maxrss) is its own.
Per centre, a night as a centre lives it: 36 bilans in progress of which 6
have a session tomorrow (reminders to queue), 1 ended 10 days ago (working
documents due for destruction), 13 ended years ago (already destroyed:
nothing to do). Baseline, same run: the same sweep again right after, when
nothing is due any more (the cost of looking at every centre).
"""
from __future__ import annotations

import base64
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sweep"
QUICK = {"centres": 10, "bilans": 10}
NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)


def config(data_url: str, keys_url: str, master_key: str) -> dict:
    return {"DATABASE_URL": data_url, "KEYSTORE_URL": keys_url, "MASTER_KEY": master_key,
            "SECRET_KEY": "bench", "MAIL_URL": f"file://{OUT}/mail", "BASE_URL": "http://127.0.0.1",
            "SCHEDULER_IN_PROCESS": "0"}


def build(cfg: dict, centres: int, bilans: int) -> float:
    """Create the centres and their bilans; returns seconds taken."""
    from saas import create_app
    from saas.accounts.models import Account
    from saas.migrate import upgrade_public
    from saas.signup.provision import create_centre
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary, email_index
    from tenants.bilans.models import Bilan
    from tenants.sessions.models import BilanSession

    started = time.perf_counter()
    app = create_app(cfg)
    with app.app_context():
        upgrade_public()
        for c in range(centres):
            centre = create_centre(name=f"Centre {c}", slug=f"centre-s{c}", siret="73282932000074", nda="11755555555",
                                   admin=Account(email=f"s{c}@bench.example", name="Admin", password_hash="x"))
            with tenant_session(centre) as db:
                for n in range(bilans):
                    email = f"p{c}-{n}@bench.example"
                    person = Beneficiary(name=f"Personne {n}", email=email, consultant_id=1)
                    person.email_index = email_index(db, email)
                    db.add(person)
                    db.flush()
                    in_progress = n < bilans * 36 // 50
                    if in_progress:
                        bilan = Bilan(beneficiary_id=person.id, consultant_id=1, status="active",
                                      phase="investigation", started_on=(NOW - timedelta(days=30)).date())
                        db.add(bilan)
                        tomorrow = n % 6 == 0  # about one session a week per bilan
                        db.add(BilanSession(bilan_id=bilan.id, duration_minutes=120,
                                            starts_at=NOW + timedelta(days=1 if tomorrow else 4, hours=1)))
                    else:
                        due = n == bilans - 1
                        ended = NOW - (timedelta(days=10) if due else timedelta(days=730))
                        bilan = Bilan(beneficiary_id=person.id, consultant_id=1, status="completed",
                                      phase="conclusion", ended_at=ended, last_activity_at=ended,
                                      destroyed_at=None if due else ended + timedelta(days=7))
                        db.add(bilan)
                db.commit()
    app.extensions["db"].dispose()
    return time.perf_counter() - started


def measure(cfg: dict, job: str) -> dict:
    """Run one sweep in a fresh process; seconds, peak memory (MB), counts."""
    env = {**os.environ, "BENCH_SWEEP_CONFIG": json.dumps(cfg)}
    output = subprocess.run([sys.executable, "-m", "bench.sweep", "measure", job, NOW.isoformat()],
                            cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _measure_here(job: str, now: str) -> None:
    import logging

    logging.disable(logging.INFO)
    from saas import create_app

    app = create_app(json.loads(os.environ["BENCH_SWEEP_CONFIG"]))
    from jobs.runner import run_job

    with app.app_context():
        started = time.perf_counter()
        report = run_job(job, datetime.fromisoformat(now))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "centres": report.centres,
                      "counts": dict(report.counts), "errors": len(report.errors)}))


def _dataset(backend: str, name: str, master_key: str, server):
    if backend == "sqlite":
        base = OUT / name
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        return config(f"sqlite:///{base}/bilan.db", f"sqlite:///{base}/keystore.db", master_key)
    return config(server.create_database(), server.create_database(), master_key)


def run(seconds: float = 0, centres: int = 2000, bilans: int = 50) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import start_postgres

    master_key = base64.b64encode(os.urandom(32)).decode()
    results = {"centres": centres, "bilans": bilans}
    server = start_postgres()
    try:
        for backend in ("sqlite", "postgresql"):
            full = _dataset(backend, f"{backend}-full", master_key, server)
            results[f"{backend}_build_s"] = build(full, centres, bilans)
            for job in ("reminders", "destruction"):
                results[f"{backend}_{job}"] = measure(full, job)
                results[f"{backend}_{job}_baseline"] = measure(full, job)  # nothing due any more
                print(f"  {backend} {job}: {results[f'{backend}_{job}']} / again: "
                      f"{results[f'{backend}_{job}_baseline']}", flush=True)
    finally:
        server.stop()
    return results


def report(figures: dict) -> str:
    lines = [f"{figures['centres']} centres × {figures['bilans']} bilans"]
    for backend in ("sqlite", "postgresql"):
        lines.append(f"{backend}: dataset built in {figures[f'{backend}_build_s']:.0f} s")
        for job in ("reminders", "destruction"):
            full, base = figures[f"{backend}_{job}"], figures[f"{backend}_{job}_baseline"]
            lines.append(f"  {job:<12} {full['seconds']:7.1f} s, peak {full['peak_mb']:6.0f} MB "
                         f"(again, nothing due: {base['seconds']:.1f} s, {base['peak_mb']:.0f} MB; "
                         f"ratio {full['seconds'] / max(base['seconds'], 1e-9):.1f}×)  {full['counts']}")
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        _measure_here(sys.argv[2], sys.argv[3])
