"""`python -m bench.faults --rounds N`: kill -9 of the web and of the scheduler under load (issue #17).

Set-up, all on loopback: a throwaway PostgreSQL (tests/pg_server.py); centres,
beneficiaries, bilans and assigned questionnaires built through the product's
code (bench/autosave.py:build), plus in each centre a few more bilans whose
questionnaire went out four days ago, so that the scheduler's first reminders
sweep has real work (one reminder each, with a new personal link); an SMTP sink
(aiosmtpd, tests/smtp_server.py) recording every message it accepts; the app
under gunicorn (2 sync workers, SO_REUSEPORT) and the one scheduler process
(`flask --app wsgi jobs run`, as deploy/bilan-scheduler.service runs it).

Load, all along: one thread per beneficiary posting autosaves through the portal
(its own cookie and CSRF token), each remembering the last value acknowledged
(HTTP 200) and the values it sent since without an answer; one thread asking
for password resets of the centres' admins (each 303 is an email queued).

Each round waits a seeded random time, then sends SIGKILL to one of: a gunicorn
worker (the master forks another), the gunicorn master (and, as systemd's
control group would, its workers; then a new master on the same port), or the
scheduler (then a new one, after a seeded pause). Everything drawn is printed.

At the end the load stops, the scheduler is left to deliver what is due, then
stopped with SIGTERM, and gunicorn too. Checked, through the product (answers
decrypted in a tenant session):

- **no acknowledged answer lost**: each beneficiary's stored answer is its last
  acknowledged value, or one it sent after it without an answer (the worker
  committed, then died before answering: saved, never acknowledged);
- **no email sent twice**: no Message-ID received twice by the sink, every
  outbox row sent (none queued, none failed, none still claimed), the sink got
  exactly the sent rows' Message-IDs; at least as many reset emails as resets
  acknowledged, and every due reminder its email, once;
- **no sweep left half-done**. In this codebase a sweep acts item by item, each
  item in its own transaction with its idempotency key (jobs/sweep.py,
  tenants/flags/items.py:each_item), under a renewed lease (jobs/lock.py); a
  JobRun row is written when the sweep ends. A sweep killed with SIGKILL thus
  leaves: no JobRun (the run is *superseded* by the next one, which takes the
  lease once it lapsed), some whole items done and some not started, and
  outbox emails claimed by the dead sender. *Half-done* means any of: a JobRun
  not finished or crashed; a lock still held by an owner that is not alive
  once the scheduler was stopped; an outbox email still claimed or still due;
  a due reminder without exactly one email (its idempotency key); or a final
  sweep of every job (`run_job` at the wall clock, as the restarted scheduler
  would) that still finds something to do (reminders, digest, booking,
  working time, destruction, outbox) or cannot take its lock.

Writes bench/out/faults/summary.md and results.json; exits 1 if any anomaly.
"""
from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "faults"
TARGETS = ("worker", "master", "scheduler")
REMINDED_PER_CENTRE = 3
DRAIN_SECONDS = 120
# After the last scheduler start: its start-up sweeps, then the retries of those a killed one left
# (jobs/scheduler.py:retry_once_lapsed, LEASE + 1 s later).
SETTLE_SECONDS = 20


# -- processes ---------------------------------------------------------------
class Web:
    """gunicorn on a fixed port; restartable after its master was killed."""

    def __init__(self, env: dict, port: int):
        self.env, self.port, self.process, self.starts = env, port, None, 0
        self.log = open(OUT / "gunicorn.log", "ab")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--reuse-port",
             "--timeout", "30", "--log-level", "warning", "bench.apps:product()"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log, stderr=self.log)
        self.starts += 1
        self.wait_ready()

    def wait_ready(self, timeout: float = 120) -> None:
        """Until a worker answers /healthz (each worker builds the app: seconds on a loaded machine)."""
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.process.returncode}: see {OUT / 'gunicorn.log'}")
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer /healthz within 120 s")

    def workers(self) -> list[int]:
        return children(self.process.pid) if self.process and self.process.poll() is None else []

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=40)


class Scheduler:
    def __init__(self, env: dict):
        self.env, self.process, self.starts = env, None, 0
        self.log = open(OUT / "scheduler.log", "ab")

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT,
                                        env={**os.environ, **self.env}, stdout=self.log, stderr=self.log)
        self.starts += 1
        self.started_at = time.monotonic()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # lets the running sweep finish
            self.process.wait(timeout=150)


def children(pid: int) -> list[int]:
    try:
        return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())
    except OSError:
        return []


def kill9(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def reap(process: subprocess.Popen) -> None:
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


# -- data ----------------------------------------------------------------------
def add_reminded(env: dict, per_centre: int) -> list[str]:
    """In every centre, `per_centre` more bilans whose questionnaire went out 4 days ago: its
    first reminder is due (tenants/questionnaires/reminders.py, sent + 3 days). Their ids."""
    from sqlalchemy import update
    from sqlmodel import select

    from bench.autosave import QUESTIONNAIRE, respondent
    from saas import create_app
    from saas.centres.models import Centre
    from saas.models import utcnow
    from saas.tenancy import tenant_session
    from tenants.questionnaires import queries
    from tenants.questionnaires.models import Assignment

    app = create_app({**env, "RATELIMIT_ENABLED": False})
    ids = []
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            centres = list(session.exec(select(Centre).order_by(Centre.id)).all())
            for centre in centres:
                session.expunge(centre)
        long_ago = utcnow() - timedelta(days=4)
        for centre in centres:
            with app.test_request_context("/"), tenant_session(centre) as db:
                questionnaire = queries.by_library_slug(db, QUESTIONNAIRE)
                for n in range(per_centre):
                    _, _, assignment = respondent(db, centre, questionnaire, f"r{centre.id}-{n}@bench.example",
                                                  f"Relancée {centre.id}-{n}")
                    db.flush()
                    # The sending's date, which the rules stamp with the real clock (as tests/bilans_support.py's
                    # backdate_row does for the job tests).
                    db.execute(update(Assignment).where(Assignment.id == assignment.id)
                               .values(sent_at=long_ago, assigned_at=long_ago))
                    ids.append(assignment.id)
                db.commit()
    app.extensions["db"].dispose()
    return ids


# -- load ------------------------------------------------------------------------
class Autosaver(threading.Thread):
    """One beneficiary saving one answer again and again; remembers what was acknowledged."""

    def __init__(self, index: int, base: str, client: tuple[str, str, str], stop: threading.Event, pause: float):
        super().__init__(daemon=True)
        self.index, self.base, self.stop, self.pause = index, base, stop, pause
        self.cookie, self.path, self.csrf = client
        self.acked: str | None = None
        self.unacked_since: list[str] = []  # sent after the last acknowledgement, no 200 seen
        self.counts = Counter()
        self.latencies: list[float] = []

    def run(self) -> None:
        import requests

        from bench.autosave import QUESTION
        from tenants.questionnaires.definition import field_name

        field = field_name(QUESTION)  # the form's name for it ("a-etapes"), as the page's textarea
        http = requests.Session()
        n = 0
        while not self.stop.is_set():
            n += 1
            value = f"Réponse {self.index}-{n} : formation, premiers emplois, reconversion."
            began = time.perf_counter()
            try:
                answer = http.post(self.base + self.path, data={field: value}, timeout=20,
                                   headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf, "HX-Request": "true",
                                            "Content-Type": "application/x-www-form-urlencoded"})
                status = answer.status_code
            except requests.RequestException as error:
                status = f"{type(error).__name__}: {str(error)[-80:]}"
                http.close()
                http = requests.Session()
            self.latencies.append(time.perf_counter() - began)
            if status == 200:
                self.acked, self.unacked_since = value, []
                self.counts["acknowledged"] += 1
            else:
                self.unacked_since.append(value)
                self.counts[f"status {status or 'no answer'}"] += 1
            time.sleep(self.pause)


class ResetAsker(threading.Thread):
    """Asks for password resets of the admins: each 303 is an email queued in its transaction."""

    def __init__(self, base: str, emails: list[str], stop: threading.Event, pause: float):
        super().__init__(daemon=True)
        self.base, self.emails, self.stop, self.pause = base, emails, stop, pause
        self.acked = Counter()
        self.counts = Counter()

    def run(self) -> None:
        import requests

        n = 0
        while not self.stop.is_set():
            email = self.emails[n % len(self.emails)]
            n += 1
            try:
                http = requests.Session()
                form = http.get(self.base + "/password/forgot", timeout=20)
                token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text)
                if form.status_code != 200 or token is None:
                    self.counts[f"form {form.status_code}"] += 1
                else:
                    done = http.post(self.base + "/password/forgot", data={"csrf_token": token.group(1),
                                                                           "email": email},
                                     allow_redirects=False, timeout=20)
                    if done.status_code == 303:
                        self.acked[email] += 1
                        self.counts["acknowledged"] += 1
                    else:
                        self.counts[f"status {done.status_code}"] += 1
            except requests.RequestException:
                self.counts["no answer"] += 1
            time.sleep(self.pause)


# -- checks ------------------------------------------------------------------------
def check(env: dict, savers: list[Autosaver], resets: ResetAsker, reminded: list[str], received: list) -> dict:
    """Everything the docstring promises, read through the product; figures and anomalies."""
    from sqlmodel import select

    from bench.autosave import QUESTION
    from jobs.models import JobLock, JobRun
    from jobs.runner import JOBS, run_job
    from saas import create_app
    from saas.centres.models import Centre
    from saas.mail.models import OutboxEmail
    from saas.models import as_utc, utcnow
    from saas.tenancy import tenant_session
    from tenants.questionnaires.answers import answers_of

    anomalies: list[str] = []
    figures: dict = {}
    app = create_app({**env, "RATELIMIT_ENABLED": False})
    with app.app_context():
        db = app.extensions["db"]
        with db.public_session() as session:
            centres = {c.slug: c for c in session.exec(select(Centre)).all()}
            for centre in centres.values():
                session.expunge(centre)
        # Answers.
        checked = later = 0
        for saver in savers:
            slug, assignment_id = re.match(r"/c/([^/]+)/p/questionnaires/([^/]+)/", saver.path).groups()
            with tenant_session(centres[slug]) as tdb:
                stored = answers_of(tdb, assignment_id).get(QUESTION)
            if saver.acked is None and not saver.unacked_since:
                continue
            checked += 1
            allowed = ([saver.acked] if saver.acked else []) + saver.unacked_since
            if stored != saver.acked and stored in saver.unacked_since:
                later += 1  # committed, then the worker died before answering
            elif stored not in allowed and not (saver.acked is None and stored is None):
                anomalies.append(f"answer lost: beneficiary {saver.index} has {stored!r}, "
                                 f"last acknowledged {saver.acked!r}")
        figures["answers_checked"], figures["answers_newer_than_acknowledged"] = checked, later
        # Mail.
        ids = Counter(m.message["Message-ID"].strip() for m in received)
        twice = sorted(mid for mid, n in ids.items() if n > 1)
        with db.public_session() as session:
            rows = list(session.exec(select(OutboxEmail)).all())
            locks = list(session.exec(select(JobLock)).all())
            runs = list(session.exec(select(JobRun)).all())
        status = Counter(r.status for r in rows)
        figures["emails"] = {"outbox_rows": len(rows), "by_status": dict(status), "received": len(received),
                             "unique_message_ids": len(ids), "received_twice": len(twice),
                             "attempts_max": max((r.attempts for r in rows), default=0)}
        if twice:
            anomalies.append(f"{len(twice)} Message-ID(s) received twice: {twice[:5]}")
        sent = {r.message_id for r in rows if r.status == "sent"}
        if set(ids) != sent:
            anomalies.append(f"sink and outbox disagree: {len(set(ids) - sent)} received not marked sent, "
                             f"{len(sent - set(ids))} marked sent not received")
        if len({r.message_id for r in rows}) != len(rows):
            anomalies.append("two outbox rows share a Message-ID")
        for row in rows:
            if row.status != "sent":
                anomalies.append(f"outbox {row.id} ({row.kind}) left {row.status}: {row.last_error}")
            elif row.lease_owner is not None:
                anomalies.append(f"outbox {row.id} still claimed by {row.lease_owner}")
        reset_rows = [r for r in rows if r.kind == "password_reset"]
        figures["resets_acknowledged"] = sum(resets.acked.values())
        figures["reset_emails"] = len(reset_rows)
        if len(reset_rows) < sum(resets.acked.values()):
            anomalies.append(f"{sum(resets.acked.values())} resets acknowledged, {len(reset_rows)} emails queued")
        keys = Counter(r.idempotency_key for r in rows if r.idempotency_key)
        reminders = {a: keys.get(f"reminder:questionnaire:{a}:1", 0) for a in reminded}
        figures["reminders_due"], figures["reminders_queued"] = len(reminded), sum(reminders.values())
        missing = [a for a, n in reminders.items() if n != 1]
        if missing:
            anomalies.append(f"{len(missing)} due reminder(s) without exactly one email: {missing[:5]}")
        # Sweeps.
        figures["job_runs"] = dict(Counter(f"{r.job}:{r.outcome}" for r in runs))
        for r in runs:
            if r.finished_at is None or r.outcome == "crashed":
                anomalies.append(f"job run {r.id} ({r.job}) {r.outcome}: {r.errors}")
        wall = utcnow()
        for held in locks:
            if held.owner is not None and held.lease_until is not None and as_utc(held.lease_until) > wall:
                anomalies.append(f"lock {held.name} held by {held.owner} after the scheduler stopped")
        final = {}
        for name in JOBS:
            report = run_job(name)
            if report is None:
                anomalies.append(f"final {name} sweep could not take its lock")
                continue
            final[name] = dict(report.counts)
            if report.errors or report.failed_items:
                anomalies.append(f"final {name} sweep: {report.errors or report.failed_items}")
            if name != "purge" and report.counts:  # purge deletes what expired meanwhile (links revoked …)
                anomalies.append(f"final {name} sweep still had work: {dict(report.counts)}")
        figures["final_sweeps"] = final
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()
    figures["anomalies"] = anomalies
    return figures


# -- the run ----------------------------------------------------------------------
def run(rounds: int, seed: int, centres: int, per_centre: int, min_wait: float, max_wait: float,
        pause: float, targets: tuple[str, ...] | None = None) -> dict:
    """One run; `targets` fixes the order of the kills (the short test), else drawn from the seed."""
    sys.path.insert(0, str(ROOT / "tests"))
    import shutil

    from bench.autosave import build
    from bench.load import free_port

    from pg_server import start_postgres
    from smtp_server import SmtpServer

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command
    rng = random.Random(seed)
    print(f"seed {seed}, {rounds} rounds", flush=True)
    master_key = base64.b64encode(os.urandom(32)).decode()
    server = start_postgres()
    sink = SmtpServer().start()
    web = scheduler = None
    stop = threading.Event()
    threads: list[threading.Thread] = []
    kills, log = Counter(), []
    try:
        env = {"DATABASE_URL": server.create_database(), "KEYSTORE_URL": server.create_database(),
               "MAIL_URL": sink.url, "MASTER_KEY": master_key, "SECRET_KEY": "bench-secret",
               "BASE_URL": "http://127.0.0.1", "SCHEDULER_IN_PROCESS": "0", "BENCH_NO_RATELIMIT": "1",
               "OUTBOX_SWEEP_SECONDS": "5", "DEMO": "0", "WTF_CSRF_SSL_STRICT": "0"}
        clients = build(master_key, centres, per_centre, env=env)
        reminded = add_reminded(env, REMINDED_PER_CENTRE)
        print(f"{len(clients)} beneficiaries autosaving across {centres} centres, {len(reminded)} reminders due",
              flush=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        web, scheduler = Web(env, port), Scheduler(env)
        web.start()
        scheduler.start()
        load_before = os.getloadavg()
        savers = [Autosaver(i, base, c, stop, pause) for i, c in enumerate(clients)]
        resets = ResetAsker(base, [f"a{c}@bench.example" for c in range(centres)], stop, pause * 5)
        threads = [*savers, resets]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        for n in range(1, rounds + 1):
            target = rng.choice(TARGETS) if targets is None else targets[(n - 1) % len(targets)]
            wait = rng.uniform(min_wait, max_wait)
            pick, restart_after = rng.random(), rng.uniform(0.0, 1.5)
            in_sweep = target == "scheduler" and rng.random() < 0.5
            time.sleep(wait)
            held = ""
            if in_sweep:
                # Half the scheduler's kills wait for one of its sweeps to hold its lock (the sweeps it
                # runs as it starts, the outbox's at each reset email), then fall inside that sweep.
                held = _wait_for_sweep(env, scheduler.process.pid, timeout=20)
                time.sleep(rng.uniform(0.0, 0.3))
            at = time.monotonic() - started
            kills["scheduler in a sweep"] += bool(held)
            if target == "worker":
                workers = web.workers()
                if not workers:
                    target = "master"
                else:
                    pid = workers[int(pick * len(workers))]
                    kill9(pid)
            if target == "master":
                pid, orphans = web.process.pid, web.workers()
                kill9(pid)
                for orphan in orphans:  # systemd kills the unit's control group, then restarts it
                    kill9(orphan)
                reap(web.process)
                time.sleep(restart_after)
                web.start()
            elif target == "scheduler":
                pid = scheduler.process.pid
                kill9(pid)
                reap(scheduler.process)
                time.sleep(restart_after)
                scheduler.start()
            kills[target] += 1
            line = f"round {n:3}: t+{at:7.2f} s kill -9 {target} (pid {pid})" + (
                f" during its {held} sweep" if held else "") + (
                f", restarted after {restart_after:.2f} s" if target != "worker" else "")
            log.append(line)
            print(line, flush=True)
        time.sleep(max_wait)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        load_seconds = time.monotonic() - started
        # Let the scheduler finish: deliver what is due, and take over (retry_once_lapsed, a lease
        # later) the sweeps a killed scheduler left, before stopping it.
        drain_started = time.monotonic()
        while time.monotonic() - drain_started < DRAIN_SECONDS and (
                _busy(env) or time.monotonic() - scheduler.started_at < SETTLE_SECONDS):
            time.sleep(1)
        drain_s = time.monotonic() - drain_started
        scheduler.stop()
        web.stop()
        load_after = os.getloadavg()
        received = sink.messages
        figures = check(env, savers, resets, reminded, received)
        figures["superseded"] = superseded(OUT / "scheduler.log")
    finally:
        stop.set()
        for process in (scheduler and scheduler.process, web and web.process):
            if process is not None and process.poll() is None:
                for child in children(process.pid):
                    kill9(child)
                kill9(process.pid)
        sink.stop()
        server.stop()
    acked = sum(s.counts["acknowledged"] for s in savers)
    latencies = sorted(x for s in savers for x in s.latencies)
    if latencies:
        figures["autosave_p50_ms"] = round(1000 * latencies[len(latencies) // 2])
        figures["autosave_p95_ms"] = round(1000 * latencies[int(0.95 * (len(latencies) - 1))])
    other = Counter()
    for saver in savers:
        other.update({k: v for k, v in saver.counts.items() if k != "acknowledged"})
    figures.update({
        "seed": seed, "rounds": rounds, "kills": dict(kills), "log": log, "centres": centres,
        "beneficiaries": len(savers), "load_seconds": round(load_seconds, 1), "drain_seconds": round(drain_s, 1),
        "autosaves_acknowledged": acked, "autosaves_not_acknowledged": dict(other),
        "resets": dict(resets.counts), "web_starts": web.starts, "scheduler_starts": scheduler.starts,
        "loadavg": [load_before, load_after],
    })
    return figures


def superseded(log_path: Path) -> dict:
    """From the schedulers' log: the sweeps refused their lock as a scheduler started (a killed one
    still held it) and run again once its lease lapsed (jobs/scheduler.py:retry_once_lapsed)."""
    text = log_path.read_text(errors="replace")
    return dict(Counter(re.findall(r'Running job "([a-z_]+) \(retry\)', text)))


def _wait_for_sweep(env: dict, pid: int, timeout: float) -> str:
    """The name of a job whose lock process `pid` holds (one of its sweeps running), as soon as there
    is one; "" if none came. Owners are "host:pid:…" (jobs/lock.py:new_owner)."""
    import psycopg

    url = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            wall = datetime.now(UTC)
            for name, owner, until in conn.execute("SELECT name, owner, lease_until FROM joblock "
                                                   "WHERE owner IS NOT NULL ORDER BY name").fetchall():
                mine = owner.split(":")[1:2] == [str(pid)]
                if mine and until is not None and (until if until.tzinfo else until.replace(tzinfo=UTC)) > wall:
                    return name  # a live lease: a sweep running now (a dead one's has lapsed)
            time.sleep(0.02)
    return ""


def _busy(env: dict) -> bool:
    """Emails still queued, or a sweep's lock still named (running, or left by a killed one)."""
    import psycopg

    url = env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        queued = conn.execute("SELECT count(*) FROM outboxemail WHERE status = 'queued'").fetchone()[0]
        held = conn.execute("SELECT count(*) FROM joblock WHERE owner IS NOT NULL").fetchone()[0]
    return queued + held > 0


def report(figures: dict) -> str:
    e = figures["emails"]
    lines = [
        f"seed {figures['seed']}: {figures['rounds']} rounds over {figures['load_seconds']} s of load, kills "
        + ", ".join(f"{t} {figures['kills'].get(t, 0)}" for t in TARGETS)
        + f" (of which {figures['kills'].get('scheduler in a sweep', 0)} inside one of its sweeps)"
        + f"; gunicorn started {figures['web_starts']}×, scheduler {figures['scheduler_starts']}×; "
        f"load average {figures['loadavg'][0][0]:.1f} before, {figures['loadavg'][1][0]:.1f} after",
        f"autosaves: {figures['beneficiaries']} beneficiaries, {figures['autosaves_acknowledged']} acknowledged, "
        f"not acknowledged {figures['autosaves_not_acknowledged'] or 0} (p50 {figures.get('autosave_p50_ms')} ms, "
        f"p95 {figures.get('autosave_p95_ms')} ms); answers checked {figures['answers_checked']}, of which "
        f"{figures['answers_newer_than_acknowledged']} hold a value saved but never acknowledged",
        f"password resets: {figures['resets']}; emails queued {figures['reset_emails']}",
        f"reminders due {figures['reminders_due']}, queued {figures['reminders_queued']}",
        f"emails: outbox {e['outbox_rows']} {e['by_status']}, received {e['received']}, unique Message-IDs "
        f"{e['unique_message_ids']}, received twice {e['received_twice']}, most attempts {e['attempts_max']}; "
        f"drained in {figures['drain_seconds']} s after the load",
        f"job runs: {figures['job_runs']}; sweeps taken over after a kill (retry once the lease lapsed): "
        f"{figures.get('superseded')}",
        f"final sweeps: {figures['final_sweeps']}",
        f"anomalies: {len(figures['anomalies'])}",
        *[f"  - {a}" for a in figures["anomalies"]],
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=None, help="random by default; printed")
    parser.add_argument("--centres", type=int, default=10)
    parser.add_argument("--per-centre", type=int, default=2, help="autosaving beneficiaries per centre")
    parser.add_argument("--min-wait", type=float, default=2.0, help="seconds before a kill, at least")
    parser.add_argument("--max-wait", type=float, default=8.0)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between one beneficiary's saves")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    figures = run(args.rounds, seed, args.centres, args.per_centre, args.min_wait, args.max_wait, args.pause)
    text = report(figures)
    (OUT / "summary.md").write_text(text + "\n")
    (OUT / "results.json").write_text(json.dumps(figures, indent=2, default=str))
    print(text)
    return 1 if figures["anomalies"] else 0


if __name__ == "__main__":
    sys.exit(main())
