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
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "sweep"
QUICK = {"centres": 10, "bilans": 10}
NOW = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
_size = "default"


def config(data_url: str, keys_url: str, master_key: str) -> dict:
    return {"DATABASE_URL": data_url, "KEYSTORE_URL": keys_url, "MASTER_KEY": master_key,
            "SECRET_KEY": "bench", "MAIL_URL": f"file://{OUT}/mail", "BASE_URL": "http://127.0.0.1",
            "SCHEDULER_IN_PROCESS": "0"}


def build(cfg: dict, centres: int, bilans: int, workers: int = 1) -> float:
    """Create the centres and their bilans, in `workers` processes (each its own slice of the
    centres; create_centre serialises what they share); returns seconds taken."""
    from saas import create_app
    from saas.migrate import upgrade_public

    started = time.perf_counter()
    app = create_app(cfg)
    with app.app_context():
        upgrade_public()
    app.extensions["db"].dispose()
    if workers <= 1:
        _build_slice(cfg, 0, centres, bilans)
        return time.perf_counter() - started
    bounds = [centres * w // workers for w in range(workers + 1)]
    env = {**os.environ, "BENCH_SWEEP_CONFIG": json.dumps(cfg), "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, __file__, "build-slice", str(a), str(b), str(bilans)],
                              cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
             for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    errors = [err[-3000:] for proc in procs if (err := proc.communicate()[1]) is not None and proc.returncode]
    if errors:
        raise RuntimeError(errors[0])
    return time.perf_counter() - started


def _build_slice(cfg: dict, first: int, stop: int, bilans: int) -> None:
    """Centres first .. stop - 1 of the dataset, each with its `bilans` (see the module's docstring)."""
    from saas import create_app
    from saas.accounts.models import Account
    from saas.signup.provision import create_centre
    from saas.tenancy import tenant_session
    from tenants.beneficiaries.models import Beneficiary, email_index
    from tenants.bilans.models import Bilan
    from tenants.sessions.models import BilanSession

    app = create_app(cfg)
    with app.app_context():
        for c in range(first, stop):
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


def measure(cfg: dict, job: str, checkout: str | Path = ROOT, profile: Path | None = None) -> dict:
    """Run one sweep in a fresh process, with the code of `checkout` (this bench's measuring
    function either way); seconds, peak memory (MB), counts. `profile`: cProfile's stats there."""
    env = {**os.environ, "BENCH_SWEEP_CONFIG": json.dumps(cfg), "PYTHONPATH": str(checkout)}
    args = [sys.executable, __file__, "measure", job, NOW.isoformat()]  # saas, jobs… from `checkout`
    if profile is not None:
        env["BENCH_SWEEP_PROFILE"] = str(profile)
    done = subprocess.run(args, cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure_here(job: str, now: str) -> None:
    import logging

    logging.disable(logging.INFO)
    from saas import create_app

    app = create_app(json.loads(os.environ["BENCH_SWEEP_CONFIG"]))
    from jobs.runner import run_job

    profile_to = os.environ.get("BENCH_SWEEP_PROFILE")
    # What the machine's load does not change: statements sent, commits, this process's CPU time.
    from sqlalchemy import event

    engine, sent = app.extensions["db"].engine, Counter()
    event.listen(engine, "before_cursor_execute", lambda *a: sent.update(["statements"]))
    event.listen(engine, "commit", lambda *a: sent.update(["commits"]))
    # SQLite, one process: the CPU spent holding the write lock (BEGIN IMMEDIATE to the centre's
    # commit), which sweep workers would take in turn: the share no second process can overlap.
    locked = {"since": None, "cpu": 0.0}

    def begin(_conn, _cursor, statement, *_args):
        if statement == "BEGIN IMMEDIATE":
            locked["since"] = time.process_time()

    def end(*_args):
        if locked["since"] is not None:
            locked["cpu"] += time.process_time() - locked["since"]
            locked["since"] = None

    event.listen(engine, "before_cursor_execute", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    with app.app_context():
        if profile_to:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started, cpu = time.perf_counter(), time.process_time()
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        report = run_job(job, datetime.fromisoformat(now))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # SWEEP_PROCESSES > 1: the workers, joined
        workers_cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
        if profile_to:
            profiler.disable()
            profiler.dump_stats(profile_to)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # With workers, `statements` and `commits` are the scheduler process's only (the lease, the run record).
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "workers_cpu_seconds": workers_cpu,
                      "write_locked_cpu_seconds": locked["cpu"],
                      "processes": app.config.get("SWEEP_PROCESSES", 1), "worker_peak_mb": worker_peak,
                      **sent, "peak_mb": peak, "centres": report.centres,
                      "counts": dict(report.counts), "errors": len(report.errors)}))


def _server_cpu(server) -> float:
    """CPU seconds of the PostgreSQL cluster's processes that have ended (the backends of a measure's
    connections, reaped by the postmaster when that process exits): its share, whatever the load."""
    if server is None:
        return 0.0
    import psycopg

    time.sleep(1)  # the measure's backends have exited: let the postmaster reap them
    with psycopg.connect(server.dsn()) as conn:  # a backend's parent is the postmaster
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        pid = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime


def _dataset(backend: str, name: str, master_key: str, server):
    if backend == "sqlite":
        base = OUT / _size / name
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        return config(f"sqlite:///{base}/bilan.db", f"sqlite:///{base}/keystore.db", master_key)
    return config(server.create_database(), server.create_database(), master_key)


def _restore(backend: str, pristine: dict, name: str, server) -> dict:
    """A fresh copy of the built dataset (a sweep changes what it sweeps): the files copied on
    SQLite (no process has them open), `CREATE DATABASE … TEMPLATE` on PostgreSQL."""
    if backend == "sqlite":
        source = Path(pristine["DATABASE_URL"].removeprefix("sqlite:///")).parent
        base = OUT / _size / name
        shutil.rmtree(base, ignore_errors=True)
        shutil.copytree(source, base)
        return config(f"sqlite:///{base}/bilan.db", f"sqlite:///{base}/keystore.db", pristine["MASTER_KEY"])
    urls = []
    for key, suffix in (("DATABASE_URL", "data"), ("KEYSTORE_URL", "keys")):
        target = f"{name.replace('-', '_')}_{suffix}"  # one cluster per run: no clash
        server.drop_database(target)
        template = pristine[key].rsplit("/", 1)[-1]
        # A template must have no session: the builder's pools may still hold one.
        server.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       f"WHERE datname = '{template}' AND pid <> pg_backend_pid()")
        urls.append(server.create_database(target, template=template))
    return config(urls[0], urls[1], pristine["MASTER_KEY"])


def run(seconds: float = 0, centres: int = 2000, bilans: int = 50, backends=("sqlite", "postgresql"),
        codes: dict | None = None, profile: bool = False, wait_for: str | None = None,
        jobs=("reminders", "destruction"), reuse: bool = False, processes=(1,), build_workers: int = 1,
        keep_server: bool = False) -> dict:
    """Build each backend's dataset once, then for each code version (`codes`: label -> checkout,
    default this one) sweep a fresh copy of it: reminders, again, destruction, again. `reuse`:
    SQLite's dataset of an earlier run of this size (bench/out/sweep/<size>/sqlite-built*), not rebuilt.
    `processes`: SWEEP_PROCESSES values, each on its own fresh copy (labels `<code>-p<N>` when several)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import PgServer, start_postgres

    global _size
    _size = f"{centres}x{bilans}"  # two runs of different sizes may share bench/out/sweep
    os.environ.setdefault("PG_TMPDIR", "/tmp")  # a big cluster goes on disk, not in shared RAM
    codes = codes or {"after": str(ROOT)}
    if len(processes) > 1 or processes[0] != 1:  # 1,2,1,2: alternated (the load drifts), -p1, -p2, -p1-2…
        codes = {f"{label}-p{n}" + (f"-{processes[:i].count(n) + 1}" if n in processes[:i] else ""): (checkout, n)
                 for label, checkout in codes.items() for i, n in enumerate(processes)}
    codes = {label: value if isinstance(value, tuple) else (value, 1) for label, value in codes.items()}
    master_key = base64.b64encode(os.urandom(32)).decode()
    results = {"centres": centres, "bilans": bilans, "backends": list(backends), "codes": list(codes),
               "jobs": list(jobs), "load_before": os.getloadavg()}
    (OUT / _size).mkdir(parents=True, exist_ok=True)  # a PostgreSQL-only run makes no SQLite files there
    kept_pg = OUT / _size / "postgresql-built.json"
    attached = reuse and "postgresql" in backends and kept_pg.exists()
    server = None
    if attached:  # the cluster a --keep-server run left running, with its dataset
        handle = json.loads(kept_pg.read_text())["server"]
        server = PgServer(**{**handle, "bindir": Path(handle["bindir"]), "root": Path(handle["root"])})
        server.execute("SELECT 1")
    elif "postgresql" in backends:
        server = start_postgres()
    try:
        built = {}
        for backend in backends:
            kept = kept_pg if backend == "postgresql" else OUT / _size / "sqlite-built.json"
            if attached and backend == "postgresql":
                built[backend], results[f"{backend}_build_s"] = json.loads(kept.read_text())["config"], 0.0
                print(f"  {backend}: reusing the cluster on port {server.port}", flush=True)
                continue
            if reuse and backend == "sqlite" and kept.exists():
                built[backend], results[f"{backend}_build_s"] = json.loads(kept.read_text()), 0.0
                print(f"  {backend}: reusing {kept.parent / 'sqlite-built'}", flush=True)
                continue
            built[backend] = _dataset(backend, f"{backend}-built", master_key, server)
            results[f"{backend}_build_s"] = build(built[backend], centres, bilans, build_workers)
            print(f"  {backend}: built in {results[f'{backend}_build_s']:.0f} s", flush=True)
            if backend == "sqlite":  # the files stay: their configuration (and key) beside them
                (OUT / _size / "sqlite-built.json").write_text(json.dumps(built[backend]))
            elif keep_server:  # the cluster stays up for a later --reuse (stop it with pg_ctl when done)
                kept_pg.write_text(json.dumps({"config": built[backend], "server": {
                    "bindir": str(server.bindir), "root": str(server.root), "port": server.port,
                    "run_as": server.run_as}}))
        if wait_for is not None:  # a long build started before the code to measure was ready
            print(f"  waiting for {wait_for}", flush=True)
            while not Path(wait_for).exists():
                time.sleep(5)
            results["load_before"] = os.getloadavg()
        for backend in backends:
            for label, (checkout, count) in codes.items():
                data = {**_restore(backend, built[backend], f"{backend}-{label}", server), "SWEEP_PROCESSES": count}
                for job in jobs:
                    prof = OUT / _size / f"{backend}-{label}-{job}.prof" if profile else None
                    before = _server_cpu(server if backend == "postgresql" else None)
                    full = results[f"{backend}_{label}_{job}"] = measure(data, job, checkout, prof)
                    full["server_cpu_seconds"] = _server_cpu(server if backend == "postgresql" else None) - before
                    base = results[f"{backend}_{label}_{job}_baseline"] = measure(data, job, checkout)
                    print(f"  {backend} {label} {job}: {full} / again: {base}", flush=True)
                    if prof:
                        _print_profile(prof)
    finally:
        if server is not None and not (attached or keep_server):
            server.stop()
    results["load_after"] = os.getloadavg()
    return results


def _print_profile(path: Path, top: int = 35) -> None:
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def report(figures: dict) -> str:
    lines = [f"{figures['centres']} centres × {figures['bilans']} bilans; load average before "
             f"{_load(figures.get('load_before'))}, after {_load(figures.get('load_after'))} (shared machine)"]
    for backend in figures.get("backends", ("sqlite", "postgresql")):
        lines.append(f"{backend}: dataset built in {figures[f'{backend}_build_s']:.0f} s")
        for label in figures.get("codes", ("after",)):
            for job in figures.get("jobs", ("reminders", "destruction")):
                full, base = figures[f"{backend}_{label}_{job}"], figures[f"{backend}_{label}_{job}_baseline"]
                lines.append(f"  {label:<8} {job:<12} {full['seconds']:7.1f} s (CPU"
                             f"  {full.get('cpu_seconds', 0):.1f} s + workers "
                             f"{full.get('workers_cpu_seconds', 0):.1f} s, "
                             f"{full.get('statements', 0)} statements, {full.get('commits', 0)} commits), peak "
                             f"{full['peak_mb']:4.0f} MB; again, nothing due: {base['seconds']:.1f} s "
                             f"(CPU {base.get('cpu_seconds', 0):.1f} s, {base.get('statements', 0)} statements)  "
                             f"{full['counts']} errors={full['errors']}")
    return "\n".join(lines)


def _load(triple) -> str:
    return "/".join(f"{x:.2f}" for x in triple) if triple else "?"


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--centres", type=int, default=2000)
    parser.add_argument("--bilans", type=int, default=50)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--before", metavar="CHECKOUT",
                        help="also sweep with the code of this directory (e.g. `git archive` of main), "
                             "on a fresh copy of the same dataset, before this checkout's code")
    parser.add_argument("--profile", action="store_true", help="cProfile each full sweep (bench/out/sweep/*.prof)")
    parser.add_argument("--wait-for", metavar="FILE", help="after building, sweep only once FILE exists")
    parser.add_argument("--jobs", default="reminders,destruction", help="the sweeps to measure")
    parser.add_argument("--reuse", action="store_true",
                        help="sweep copies of the dataset an earlier run of this size built (SQLite's files; "
                             "PostgreSQL: the cluster a --keep-server run left running)")
    parser.add_argument("--processes", default="1",
                        help="SWEEP_PROCESSES, comma-separated (1,2: each on a fresh copy, in the same run)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="with --before: after, before, after-2, before-2… (the load drifts: alternate)")
    parser.add_argument("--build-workers", type=int, default=1,
                        help="build the dataset in N processes (each a slice of the centres)")
    parser.add_argument("--keep-server", action="store_true",
                        help="PostgreSQL: leave the cluster and its dataset running for a later --reuse")
    args = parser.parse_args(argv)
    # This checkout first: its figures are the ones awaited.
    codes = None
    if args.before:
        codes = {f"{label}-{i + 1}" if i else label: checkout for i in range(args.repeat)
                 for label, checkout in (("after", str(ROOT)), ("before", args.before))}
    figures = run(centres=args.centres, bilans=args.bilans, backends=tuple(args.backends.split(",")),
                  codes=codes, profile=args.profile, wait_for=args.wait_for, jobs=tuple(args.jobs.split(",")),
                  reuse=args.reuse, processes=tuple(int(n) for n in args.processes.split(",")),
                  build_workers=args.build_workers, keep_server=args.keep_server)
    print(report(figures), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    name = f"results-{args.centres}x{args.bilans}.json"
    (OUT / name).write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["measure"]:
        _measure_here(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["build-slice"]:
        _build_slice(json.loads(os.environ["BENCH_SWEEP_CONFIG"]), *map(int, sys.argv[2:5]))
    else:
        sys.exit(main())
