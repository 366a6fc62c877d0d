"""`python -m bench.centres [--steps 100,1000,2500,5000,10000] [--dir /tmp/bilan-centres]`: cost as
centres grow (issue #17).

A PostgreSQL cluster of its own in `--dir` (on disk: 10,000 centres take about 20 GB; durability
off), kept between runs with the state in `--dir`/state.json, so the run can be stopped (Ctrl-C,
or a kill between steps) and continued where it stopped by running the same command; `--clean`
deletes the directory at the end. Centres are provisioned through `create_centre` (schema,
role, grants, tables, keys, questionnaire library), in `--workers` processes once the step is
larger than `--serial-up-to` (each process creates a disjoint range of slugs; the same
function, only run side by side). At each step:

- the provisioning rate of that step (centres created / wall seconds, workers included);
- `flask db upgrade` in a fresh process when nothing is pending (every centre goes through
  `secure_centre`; its `[i/n] … à jour` lines counted), and, up to `--before-up-to` centres,
  the same with the code before the grant fix (`git archive` of `--before` into the directory,
  the same database): the same-run ratio;
- the same with every centre's `schema_version` cleared (each schema goes through Alembic: the
  per-centre cost of a pending migration, its own DDL excluded);
- the catalog: pg_class rows, database size;
- in a fresh process, as a gunicorn worker would be: the dashboard of centre 0 (Flask test
  client, logged in as its admin, median of 20), then the dashboards of `--worker-centres`
  different centres, each logged in as its admin: the process RSS after the first centre and
  after the last, and the size of SQLAlchemy's compiled cache;
- in a fresh process, `jobs.runner.run_job("reminders")` and `run_job("destruction")` with
  nothing due (no bilan anywhere): the time of a sweep that only visits every centre.

Writes bench/out/centres/results.json and prints a markdown table. `python -m bench.centres
probe-grants DIR centre_123 …` times, on the kept cluster while it runs, the old catalog-wide
grants against grant_centre_role's read. `--sqlite` does the
provisioning and upgrade figures on SQLite (a file per centre) instead.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "centres"
PASSWORD = "bench password 1"
PY = sys.executable


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


# --- the cluster, kept in --dir between runs --------------------------------------------------

def _pg_start(directory: Path) -> int:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import _run, find_bindir, free_port

    bindir = find_bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    data = directory / "pg"
    if not data.exists():
        directory.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(directory, user=run_as, group=run_as)
        _run(run_as, [bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "--no-sync",
                      "-E", "UTF8", "--locale=C.UTF-8"])
    port = free_port()
    options = (f"-k {directory} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 "
               "-c max_wal_size=1GB -c max_locks_per_transaction=256")
    _run(run_as, [bindir / "pg_ctl", "-D", data, "-l", directory / "server.log", "-w", "-t", "120",
                  "-o", options, "start"])
    return port


def _pg_stop(directory: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import _run, find_bindir

    run_as = "postgres" if os.geteuid() == 0 else None
    _run(run_as, [find_bindir() / "pg_ctl", "-D", directory / "pg", "-m", "fast", "-w", "stop"], check=False)


def _psql(port: int, sql: str, dbname: str = "postgres"):
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={dbname}", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchone() if cursor.description else None


# --- the measures, each in a fresh process ------------------------------------------------------

def _env(state: dict) -> dict:
    env = {key: value.format(port=state.get("port", "")) for key, value in state["env"].items()}
    return {**os.environ, **env, "PYTHONPATH": ""}


def _cpu(directory: Path | None) -> tuple[float, float]:
    """CPU seconds used so far by this process's finished children, and by the cluster (the
    postmaster, its live processes, and the backends it has reaped): a wall time on a shared
    machine depends on the others' load; CPU seconds much less."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = usage.ru_utime + usage.ru_stime
    if directory is None or not (directory / "pg" / "postmaster.pid").exists():
        return client, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    postmaster = int((directory / "pg" / "postmaster.pid").read_text().split()[0])
    server = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(proc.name), int(fields[1])
        if pid == postmaster:
            server += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        elif ppid == postmaster:
            server += (int(fields[11]) + int(fields[12])) / tick
    return client, server


def _timed(state: dict, row: dict, key: str, measure):
    """row[key] = the measure's wall seconds, row[key + '_cpu'] = [client, server] CPU seconds."""
    directory = Path(state["dir"]) if not state.get("sqlite") else None
    client, server = _cpu(directory)
    result = measure()
    client2, server2 = _cpu(directory)
    row[key + "_cpu"] = [client2 - client, server2 - server]
    return result


def _upgrade(state: dict, cwd: Path = ROOT) -> tuple[float, int]:
    """`flask db upgrade` in a fresh process: seconds, progress lines."""
    started = time.perf_counter()
    result = subprocess.run(["nice", "-n", "5", PY, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=cwd,
                            env=_env(state), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    failed = [line for line in lines if "ÉCHEC" in line]
    if failed:
        raise RuntimeError(f"{len(failed)} failures: {failed[:3]}")
    return seconds, len(lines)


def _child(state: dict, *args: str) -> dict:
    result = subprocess.run(["nice", "-n", "5", PY, "-m", "bench.centres", *args], cwd=ROOT, env=_env(state),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def _app():
    import logging

    logging.disable(logging.INFO)
    from saas import create_app

    return create_app({"RATELIMIT_ENABLED": False, "WTF_CSRF_SSL_STRICT": False, "ARGON2_PROFILE": "fast"})


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _login(client, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(r'name="csrf-token" content="([^"]+)"', page)
    response = client.post("/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD})
    assert response.status_code == 303, response.status_code


def worker(centres: int) -> dict:
    """As a gunicorn worker: dashboard p50 of centre 0, then RSS over `centres` centres' dashboards."""
    import gc

    app = _app()
    app.test_client().get("/login")  # imports, templates
    client = app.test_client()
    _login(client, "c0@bench.example")
    times = []
    for _ in range(22):
        started = time.perf_counter()
        assert client.get("/c/centre-c0/").status_code == 200
        times.append(time.perf_counter() - started)
    gc.collect()
    rss_one = _rss_mb()
    engine = app.extensions["db"].engine
    cache_one = len(engine._compiled_cache) if engine._compiled_cache is not None else 0
    step = max(1, int(os.environ.get("BENCH_CENTRES_MADE", centres)) // centres)
    started = time.perf_counter()
    for c in range(0, step * centres, step):
        other = app.test_client()
        _login(other, f"c{c}@bench.example")
        assert other.get(f"/c/centre-c{c}/").status_code == 200
    spent = time.perf_counter() - started
    gc.collect()
    return {"dashboard_ms": 1000 * statistics.median(times[2:]), "rss_one_mb": rss_one, "rss_many_mb": _rss_mb(),
            "cache_one": cache_one, "cache_many": len(engine._compiled_cache or {}),
            "many_centres": centres, "many_s": spent,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def sweeps() -> dict:
    """A reminders and a destruction sweep with nothing due, in this fresh process."""
    from datetime import datetime

    from jobs.runner import run_job

    app = _app()
    out = {}
    with app.app_context():
        for name in ("reminders", "destruction"):
            started = time.perf_counter()
            report = run_job(name, datetime(2027, 6, 1, 3, 0), use_lock=False)
            out[f"{name}_s"] = time.perf_counter() - started
            out[f"{name}_errors"] = len(report.errors) if report is not None else -1
    return out


def provision(first: int, last: int) -> dict:
    """create_centre for slugs centre-c{first} .. centre-c{last - 1}, in this process."""
    from saas.accounts.models import Account
    from saas.accounts.passwords import hash_password
    from saas.signup.provision import create_centre

    app = _app()
    started, created = time.perf_counter(), 0
    with app.app_context():
        password = hash_password(PASSWORD)
        for c in range(first, last):
            if _already_made(f"centre-c{c}"):  # a step interrupted midway is run again
                continue
            create_centre(name=f"Centre {c}", slug=f"centre-c{c}", siret="73282932000074", nda="11755555555",
                          admin=Account(email=f"c{c}@bench.example", name="Admin", password_hash=password))
            created += 1
    return {"created": created, "seconds": time.perf_counter() - started}


def _already_made(slug: str) -> bool:
    """True for a centre an interrupted run made; a half-made one (killed during its
    provisioning: status still "provisioning") is removed, to be made again."""
    from sqlmodel import select

    from saas.centres.models import Centre
    from saas.db import database
    from saas.signup.provision import remove_centre

    with database().public_session() as session:
        centre = session.exec(select(Centre).where(Centre.slug == slug)).first()
    if centre is not None and centre.status == "provisioning":
        remove_centre(centre)
        return False
    return centre is not None


def _provision(state: dict, target: int, workers: int) -> tuple[float, float, int]:
    """Centres state['made'] .. target - 1 in `workers` processes: wall seconds (interpreter
    starts included), the longest process's own seconds (from its app's creation), and the
    number created (fewer than asked when an interrupted step is resumed)."""
    made = state["made"]
    bounds = [made + (target - made) * w // workers for w in range(workers + 1)]
    started = time.perf_counter()
    procs = [subprocess.Popen(["nice", "-n", "5", PY, "-m", "bench.centres", "provision", str(a), str(b)],
                              cwd=ROOT, env=_env(state), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for a, b in zip(bounds, bounds[1:], strict=False) if b > a]
    outputs = [proc.communicate() for proc in procs]
    errors = [err[-2000:] for proc, (_, err) in zip(procs, outputs, strict=True) if proc.returncode != 0]
    if errors:
        raise RuntimeError(errors[0])
    results = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    return time.perf_counter() - started, max(r["seconds"] for r in results), sum(r["created"] for r in results)


# --- the run ------------------------------------------------------------------------------------

def _state_path(directory: Path) -> Path:
    return directory / "state.json"


def _save(directory: Path, state: dict) -> None:
    _state_path(directory).write_text(json.dumps(state, indent=2))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / ("results-sqlite.json" if state.get("sqlite") else "results.json")).write_text(
        json.dumps(state["rows"], indent=2))


def _before_tree(directory: Path, commit: str) -> Path:
    tree = directory / f"before-{commit}"
    if not tree.exists():
        tree.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def run(args) -> dict:
    directory = Path(args.dir)
    sqlite = args.sqlite
    if _state_path(directory).exists():
        state = json.loads(_state_path(directory).read_text())
        _log(f"resuming at {state['made']} centres")
    else:
        directory.mkdir(parents=True, exist_ok=True)
        common = {"MAIL_URL": f"file://{OUT}/mail", "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1",
                  "MASTER_KEY": base64.b64encode(os.urandom(32)).decode(), "SCHEDULER_IN_PROCESS": "0"}
        if sqlite:
            env = {"DATABASE_URL": f"sqlite:///{directory}/bilan.db", "KEYSTORE_URL": f"sqlite:///{directory}/keys.db"}
        else:
            env = {"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:{port}/bilan",
                   "KEYSTORE_URL": "postgresql+psycopg://postgres@127.0.0.1:{port}/keys"}
        state = {"env": {**common, **env}, "made": 0, "rows": [], "sqlite": sqlite}
    if not sqlite:
        state["port"] = _pg_start(directory)
    try:
        if state["made"] == 0 and not state.get("public"):
            if not sqlite:
                _psql(state["port"], "CREATE DATABASE bilan")
                _psql(state["port"], "CREATE DATABASE keys")
            _upgrade(state)  # the public schema, no centre yet
            state["public"] = True
            _save(directory, state)
        state["dir"] = str(directory)
        skip = set(filter(None, args.skip.split(",")))
        for step in [int(s) for s in args.steps.split(",")]:
            rows = [r for r in state["rows"] if r["centres"] == step]
            if step < state["made"] or (rows and "load_after" in rows[0] and not args.again):
                continue  # done (or passed) in an earlier run
            if rows:  # interrupted during its measures: the missing ones are taken now
                row = rows[0]
                _log(f"step {step}: measuring what an interrupted run left")
            else:
                workers = 1 if step <= args.serial_up_to else args.workers
                _log(f"provisioning {state['made']} -> {step} in {workers} process(es)")
                load_before = os.getloadavg()[0]
                seconds, inner, created = _provision(state, step, workers)
                state["made"] = step
                row = {"centres": step, "created": created, "provision_per_s": created / seconds,
                       "provision_workers": workers, "provision_inner_per_s": created / inner,
                       "load_before": load_before}
                state["rows"].append(row)
                _save(directory, state)
                _log(f"{created / seconds:.2f} centres/s")
            _measure(state, row, step, skip, args)
            row["load_after"] = os.getloadavg()[0]
            _save(directory, state)
            print(json.dumps(row), flush=True)
    finally:
        if not sqlite:
            _pg_stop(directory)
    if args.clean:
        shutil.rmtree(directory, ignore_errors=True)
    return state


def _measure(state: dict, row: dict, step: int, skip: set[str], args) -> None:
    """The step's measures not yet in `row` (saved after each), but those `--skip` names."""
    directory = Path(state["dir"])
    sqlite = state.get("sqlite")

    def wanted(key: str, name: str) -> bool:
        return key not in row and f"{name}@{step}" not in skip

    if wanted("upgrade_none_s", "none"):
        _log("upgrade, none pending")
        row["upgrade_none_s"], row["progress_lines"] = _timed(state, row, "upgrade_none", lambda: _upgrade(state))
        _save(directory, state)
    if not sqlite and step <= args.before_up_to and wanted("upgrade_none_before_s", "before"):
        _log("upgrade, none pending, code before the grant fix")
        tree = _before_tree(directory, args.before)
        row["upgrade_none_before_s"], _ = _timed(state, row, "upgrade_none_before", lambda: _upgrade(state, tree))
        _save(directory, state)
    if "db_mb" not in row:
        if sqlite:
            row["db_mb"] = sum(p.stat().st_size for p in directory.rglob("*.db")) / 2**20
        else:
            row["pg_class"] = _psql(state["port"], "SELECT count(*) FROM pg_class", "bilan")[0]
            row["db_mb"] = _psql(state["port"], "SELECT pg_database_size('bilan')")[0] / 2**20
        _save(directory, state)
    if not sqlite and wanted("dashboard_ms", "worker"):
        _log("worker: dashboard and memory")
        os.environ["BENCH_CENTRES_MADE"] = str(step)
        row.update(_child(state, "worker", str(min(step, args.worker_centres))))
        _save(directory, state)
    if not sqlite and wanted("reminders_s", "sweeps"):
        _log("sweeps")
        row.update(_timed(state, row, "sweeps", lambda: _child(state, "sweeps")))
        _save(directory, state)
    if wanted("upgrade_pending_s", "pending"):
        clear = "UPDATE centre SET schema_version = NULL"
        if sqlite:
            import sqlite3

            with sqlite3.connect(directory / "bilan.db") as conn:
                conn.execute(clear)
        else:
            _psql(state["port"], clear, "bilan")
        _log("upgrade, every centre pending")
        row["upgrade_pending_s"], _ = _timed(state, row, "upgrade_pending", lambda: _upgrade(state))
        _save(directory, state)
    elif args.pending_sample and "upgrade_pending_s" not in row and "upgrade_sample_s" not in row and not sqlite:
        # Every centre pending would not fit the time box: one centre in `every` is marked pending,
        # the others take the up-to-date path; the pending ones' cost is the difference with the
        # none-pending run, divided by their number.
        every = max(1, step // args.pending_sample)
        _psql(state["port"], f"UPDATE centre SET schema_version = NULL WHERE id % {every} = 0", "bilan")
        row["pending_sample_n"] = _psql(state["port"], "SELECT count(*) FROM centre WHERE schema_version IS NULL",
                                        "bilan")[0]
        _log(f"upgrade, {row['pending_sample_n']} centres pending")
        row["upgrade_sample_s"], _ = _timed(state, row, "upgrade_sample", lambda: _upgrade(state))
        _save(directory, state)


def probe_grants(directory: Path, schemas: list[str]) -> None:
    """On the kept cluster (running): the old catalog-wide grants against the new read, per centre.
    The old statements grant `alembic_version` too; the next `db upgrade` revokes it."""
    import psycopg

    from saas.db import _CENTRE_RELATIONS

    port = (directory / "pg" / "postmaster.pid").read_text().split()[3]
    with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=bilan", autocommit=True) as conn:
        print("pg_class rows", conn.execute("SELECT count(*) FROM pg_class").fetchone()[0])

        def timed(sql: str, n: int = 5) -> float:
            started = time.perf_counter()
            for _ in range(n):
                conn.execute(sql)
            return 1000 * (time.perf_counter() - started) / n

        for schema in schemas:
            tables = timed(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{schema}"')
            sequences = timed(f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{schema}"')
            read = timed(str(_CENTRE_RELATIONS).replace(":schema", f"'{schema}'"), 20)
            print(f"{schema}: ALL TABLES {tables:.1f} ms, ALL SEQUENCES {sequences:.1f} ms, new read {read:.2f} ms")


def report(rows: list[dict]) -> str:
    def cell(row, key, fmt):
        return fmt.format(row[key]) if key in row else "–"

    lines = ["| centres | provisioning | upgrade, none pending (before fix) | all pending | [i/n] | pg_class "
             "| db size | dashboard p50 | RSS 1 → N centres | compiled cache | reminders | destruction | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(" | ".join([
            f"| {r['centres']:,}", f"{r['provision_per_s']:.2f}/s ×{r['provision_workers']}",
            cell(r, "upgrade_none_s", "{:.1f} s") + (f" ({r['upgrade_none_before_s']:.1f} s)"
                                                     if "upgrade_none_before_s" in r else ""),
            cell(r, "upgrade_pending_s", "{:.1f} s"), cell(r, "progress_lines", "{}"), cell(r, "pg_class", "{:,}"),
            cell(r, "db_mb", "{:,.0f} MB"), cell(r, "dashboard_ms", "{:.1f} ms"),
            (f"{r['rss_one_mb']:.0f} → {r['rss_many_mb']:.0f} MB ({r['many_centres']})" if "rss_one_mb" in r else "–"),
            (f"{r['cache_one']} → {r['cache_many']}" if "cache_one" in r else "–"),
            cell(r, "reminders_s", "{:.1f} s"), cell(r, "destruction_s", "{:.1f} s"),
            f"{r.get('load_before', 0):.1f}/{r.get('load_after', 0):.1f} |"]))
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "probe-grants":  # probe-grants DIR SCHEMA...
        probe_grants(Path(argv[1]), argv[2:])
        return 0
    if argv and argv[0] in ("worker", "sweeps", "provision"):
        sys.path.insert(0, str(ROOT))
        result = {"worker": lambda: worker(int(argv[1])), "sweeps": sweeps,
                  "provision": lambda: provision(int(argv[1]), int(argv[2]))}[argv[0]]()
        print(json.dumps(result), flush=True)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.centres")
    parser.add_argument("--steps", default="100,1000,2500,5000,10000")
    parser.add_argument("--dir", default="/tmp/bilan-centres", help="cluster and state, kept between runs")
    parser.add_argument("--workers", type=int, default=2, help="provisioning processes past --serial-up-to")
    parser.add_argument("--serial-up-to", type=int, default=1000)
    parser.add_argument("--before", default="88a9d0f", help="commit before the grant fix")
    parser.add_argument("--before-up-to", type=int, default=1000)
    parser.add_argument("--worker-centres", type=int, default=200)
    parser.add_argument("--pending-sample", type=int, default=0,
                        help="where pending@step is skipped: that many centres pending instead of all")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--skip", default="", help="measures left out, as name@step: none, before, pending, "
                                                   "worker, sweeps (e.g. pending@10000)")
    parser.add_argument("--again", action="store_true", help="take a finished step's measures it lacks")
    parser.add_argument("--clean", action="store_true", help="delete --dir at the end")
    parser.add_argument("--report", action="store_true", help="print the table of --dir's state and stop")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(_state_path(Path(args.dir)).read_text())["rows"]))
        return 0
    print(report(run(args)["rows"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
