"""Issue #3 and #4: the centre dashboard with 1,000 centres, and crypto's share of it; issue #13:
the dashboard of a consultant with 30 open bilans against a bare page of the same size.

Three datasets on SQLite (the embedded default), built through the product's own
code (create_centre, the demo seed):
- `many`: 999 empty centres plus the demo centre, encryption on;
- `plain` and `sealed`: the demo centre alone, encryption off and on.
Figures: centre creation time; dashboard rps/p50/p95 against a bare Flask page
served the same way (gunicorn, 2 workers) in the same run; crypto's share of the
dashboard's time (sealed vs plain); per-field encrypt+decrypt cost.
"""
from __future__ import annotations

import base64
import os
import re
import shutil
import statistics
import time
from pathlib import Path

from bench.load import gunicorn, load, login_cookie

OUT = Path(__file__).resolve().parent / "out"
QUICK = {"centres": 20}


def env_for(name: str, master_key: str, encryption: bool = True) -> dict:
    base = OUT / name
    return {
        "DATABASE_URL": f"sqlite:///{base}/bilan.db", "KEYSTORE_URL": f"sqlite:///{base}/keystore.db",
        "MAIL_URL": f"file://{base}/mail", "MASTER_KEY": master_key, "SECRET_KEY": "bench-secret",
        "BASE_URL": "http://127.0.0.1", "ENCRYPTION_ENABLED": "1" if encryption else "0",
        "SCHEDULER_IN_PROCESS": "0",
    }


def build(name: str, master_key: str, extra_centres: int, encryption: bool = True) -> list[float]:
    """Fresh dataset; returns the creation time of each extra centre (seconds)."""
    from demo.centre import seed_demo
    from saas import create_app
    from saas.accounts.models import Account
    from saas.accounts.passwords import hash_password
    from saas.migrate import upgrade_public
    from saas.signup.provision import create_centre

    shutil.rmtree(OUT / name, ignore_errors=True)
    (OUT / name).mkdir(parents=True)
    app = create_app(env_for(name, master_key, encryption))
    durations = []
    with app.app_context():
        upgrade_public()
        seed_demo(echo=lambda *_: None)
        password = hash_password("bench password 1")
        for n in range(extra_centres):
            started = time.perf_counter()
            create_centre(name=f"Centre {n}", slug=f"centre-n{n}", siret="73282932000074", nda="11755555555",
                          admin=Account(email=f"admin{n}@bench.example", name=f"Admin {n}", password_hash=password))
            durations.append(time.perf_counter() - started)
    app.extensions["db"].dispose()
    return durations


def measure_dashboard(name: str, master_key: str, seconds: float, encryption: bool = True):
    from demo.people import PASSWORD, STAFF

    with gunicorn("bench.apps:product()", env_for(name, master_key, encryption)) as base:
        cookie = login_cookie(base, STAFF[0][2], PASSWORD)
        return load(base, "/c/demo/", seconds=seconds, headers={"Cookie": cookie})


def run(seconds: float = 5.0, centres: int = 1000) -> dict:
    master_key = base64.b64encode(os.urandom(32)).decode()
    creation = build("many", master_key, centres - 1)
    build("plain", master_key, 0, encryption=False)
    build("sealed", master_key, 0, encryption=True)
    with gunicorn("bench.apps:bare()", {}) as base:
        bare = load(base, "/", seconds=seconds)
    many = measure_dashboard("many", master_key, seconds)
    plain = measure_dashboard("plain", master_key, seconds, encryption=False)
    sealed = measure_dashboard("sealed", master_key, seconds)
    crypto_share = max(0.0, 1 - plain.p50_ms / sealed.p50_ms) if sealed.p50_ms else float("nan")
    figures = {
        "centre_creation_ms": {"median": 1000 * statistics.median(creation),
                               "p95": 1000 * sorted(creation)[int(0.95 * (len(creation) - 1))],
                               "count": len(creation)},
        "bare": bare.__dict__ | {"rps": bare.rps},
        "dashboard_1000_centres": many.__dict__ | {"rps": many.rps},
        "ratio_rps_dashboard_over_bare": many.rps / bare.rps,
        "dashboard_plain": plain.__dict__ | {"rps": plain.rps},
        "dashboard_sealed": sealed.__dict__ | {"rps": sealed.rps},
        "crypto_share_of_dashboard_p50": crypto_share,
    }
    figures["field_cost"] = field_cost(master_key)
    figures["caseload"] = caseload(seconds, "sealed", master_key)
    return figures


def field_cost(master_key: str) -> dict:
    """Encrypt+decrypt of one 200-byte field, µs (bench/crypto.py)."""
    from sqlmodel import select

    from bench.crypto import field_cost as measure
    from saas import create_app
    from saas.centres.models import Centre

    app = create_app(env_for("sealed", master_key))
    with app.app_context():
        with app.extensions["db"].public_session() as session:
            centre = session.exec(select(Centre)).first()
        return measure(app.extensions["crypto"].keyring(centre.id))


def report(figures: dict) -> str:
    c, b, d = figures["centre_creation_ms"], figures["bare"], figures["dashboard_1000_centres"]
    p, s, f = figures["dashboard_plain"], figures["dashboard_sealed"], figures["field_cost"]
    return "\n".join([
        f"centre creation (SQLite, {c['count']} centres): median {c['median']:.1f} ms, p95 {c['p95']:.1f} ms",
        f"bare Flask page:            {b['rps']:8.1f} req/s  p50 {b['p50_ms']:6.2f} ms  p95 {b['p95_ms']:6.2f} ms",
        f"dashboard, 1,000 centres:   {d['rps']:8.1f} req/s  p50 {d['p50_ms']:6.2f} ms  p95 {d['p95_ms']:6.2f} ms"
        f"  errors {d['errors']}",
        f"ratio dashboard / bare:     {figures['ratio_rps_dashboard_over_bare']:.3f} of the bare page's throughput",
        f"dashboard, encryption off:  {p['rps']:8.1f} req/s  p50 {p['p50_ms']:6.2f} ms",
        f"dashboard, encryption on:   {s['rps']:8.1f} req/s  p50 {s['p50_ms']:6.2f} ms",
        f"crypto share of dashboard time (p50): {100 * figures['crypto_share_of_dashboard_p50']:.1f} %  (goal < 5 %)",
        f"one field ({f['size']} B): seal {f['seal_us']:.1f} µs, open {f['open_us']:.1f} µs, "
        f"no-crypto path {f['plain_us']:.2f} µs",
        report_caseload(figures["caseload"]),
    ])


# -- Issue #13: the dashboard of a consultant with 30 open bilans -----------------------------
CASELOAD_EMAIL = "nicolas.perrin@horizon-carrieres.example"  # demo/people.py STAFF "caseload"


def worker_cpu_seconds(base: str) -> float:
    """User + system CPU of the gunicorn processes bound to `base` (master and workers), from /proc."""
    bind = base.split("//", 1)[1]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if bind.encode() not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measured(base: str, path: str, seconds: float, headers: dict | None = None) -> dict:
    """rps, p50, p95 and the workers' CPU time per request (ms) for one page."""
    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    page = conn.getresponse()
    size = len(page.read())
    conn.close()
    # Warm both workers up first (their first requests compile templates and statements), then read
    # the workers' CPU around the timed requests alone: counting a warm-up's CPU against the timed
    # requests only was most of the "gap" between gunicorn and in-process figures in the fourth round
    # (docs/BENCHMARKS.md, "Fifth round"), and it grew as the machine's load cut the timed requests.
    load(base, path, seconds=1.0, headers=headers, warmup=0)
    before = worker_cpu_seconds(base)
    result = load(base, path, seconds=seconds, headers=headers, warmup=0)
    cpu = worker_cpu_seconds(base) - before
    return result.__dict__ | {"rps": result.rps, "bytes": size, "status": page.status,
                              "worker_ms_per_request": 1000 * cpu / max(1, result.requests)}


def caseload(seconds: float = 5.0, name: str = "sealed", master_key: str | None = None) -> dict:
    """The caseload consultant's dashboard against a bare page rendering a template of the same size."""
    from demo.people import PASSWORD

    master_key = master_key or base64.b64encode(os.urandom(32)).decode()
    if not (OUT / name / "bilan.db").exists() or os.environ.get("BENCH_REBUILD") == "1":
        build(name, master_key, 0)
    else:
        master_key = (OUT / name / "master_key").read_text()
    (OUT / name / "master_key").write_text(master_key)
    with gunicorn("bench.apps:product()", env_for(name, master_key)) as base:
        cookie = login_cookie(base, CASELOAD_EMAIL, PASSWORD)
        dashboard = measured(base, "/c/demo/", seconds, headers={"Cookie": cookie})
    with gunicorn("bench.apps:bare_sized()", {"BENCH_BARE_BYTES": str(dashboard["bytes"])}) as base:
        bare = measured(base, "/", seconds)
    # The throughput ratio follows the machine's load (the client threads share the 2 cores, and the
    # two servers run a few seconds apart); the workers' CPU per request, bare over dashboard, does not.
    return {"dashboard_30_bilans": dashboard, "bare_same_size": bare,
            "ratio_rps_30_bilans_over_bare_same_size": dashboard["rps"] / bare["rps"],
            "ratio_worker_cpu_bare_over_30_bilans": bare["worker_ms_per_request"]
            / max(1e-9, dashboard["worker_ms_per_request"])}


def report_caseload(figures: dict) -> str:
    d, b = figures["dashboard_30_bilans"], figures["bare_same_size"]
    return "\n".join([
        f"bare page, same size ({b['bytes']} B): {b['rps']:8.1f} req/s  p50 {b['p50_ms']:6.2f} ms  "
        f"worker {b['worker_ms_per_request']:5.2f} ms/request",
        f"dashboard, 30 open bilans ({d['bytes']} B): {d['rps']:8.1f} req/s  p50 {d['p50_ms']:6.2f} ms  "
        f"worker {d['worker_ms_per_request']:5.2f} ms/request  errors {d['errors']}",
        f"ratio dashboard (30 bilans) / bare page of the same size: "
        f"{figures['ratio_rps_30_bilans_over_bare_same_size']:.3f} (req/s), "
        f"{figures['ratio_worker_cpu_bare_over_30_bilans']:.3f} (worker CPU per request, bare / dashboard)",
    ])


def in_process(name: str = "sealed", requests: int = 50, rounds: int = 5, profile: bool = False) -> dict:
    """The caseload dashboard through the Flask test client: statements per request (SQLAlchemy's
    cursor events on the data and key store engines) and CPU per request (min over `rounds`); with
    `profile`, cProfile of `requests` requests sorted by cumulative time."""
    import cProfile
    import io
    import pstats

    from sqlalchemy import event

    from demo.people import PASSWORD
    from saas import create_app

    if not (OUT / name / "bilan.db").exists():
        caseload(0.5, name)  # builds the dataset
    app = create_app(env_for(name, (OUT / name / "master_key").read_text()))
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    client.post("/login", data={"csrf_token": token.group(1), "email": CASELOAD_EMAIL, "password": PASSWORD})
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engines = (app.extensions["db"].engine, app.extensions["crypto"].store.engine)
    for _ in range(3):
        assert client.get("/c/demo/").status_code == 200
    for engine in engines:
        event.listen(engine, "before_cursor_execute", seen)
    client.get("/c/demo/")
    for engine in engines:
        event.remove(engine, "before_cursor_execute", seen)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            client.get("/c/demo/")
        best = min(best, (time.process_time() - started) / requests)
    figures = {"statements": statements, "cpu_ms_per_request": 1000 * best}
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(requests):
            client.get("/c/demo/")
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(60)
        figures["profile"] = out.getvalue()
    return figures


if __name__ == "__main__":  # python -m bench.dashboard [seconds]: the issue #13 figures alone
    import sys

    if "--in-process" in sys.argv or "--profile" in sys.argv:
        found = in_process(profile="--profile" in sys.argv)
        if "profile" in found:
            print(found["profile"])
        for statement in found["statements"]:
            print(" ", " ".join(statement.split())[:150])
        print(f"in process: {len(found['statements'])} statements, {found['cpu_ms_per_request']:.2f} ms CPU/request")
    else:
        print(report_caseload(caseload(float(sys.argv[1]) if len(sys.argv) > 1 else 5.0)), flush=True)
