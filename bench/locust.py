"""`python -m bench.locust`: issue #17's load run with locust, on a throwaway PostgreSQL.

Builds N centres through the product's code (bench/autosave.py:build: centres, beneficiaries,
bilans, assigned questionnaires, one portal session each), starts gunicorn (2 sync workers)
and the one scheduler process (`flask jobs run`), then runs locust headless on loopback
(bench/locustfile.py): beneficiaries autosaving, consultants browsing dashboards and bilans.
Baseline in the same run, before the product: the bare Flask page under the same gunicorn
with as many users as beneficiaries. Writes bench/out/locust/<name>_stats.csv (locust's)
and summary.md (p95 per endpoint, errors, autosave req/s and its ratio to the bare page).
Needs the optional extra `bench` (pip install -e '.[bench]').
"""
from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.autosave import build
from bench.load import gunicorn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "locust"


def locust(base: str, classes: list[str], seconds: int, name: str, env: dict) -> list[dict]:
    """One headless locust run; rows of its stats CSV."""
    users = sum(int(env.get(f"BENCH_{c.upper()}_USERS", 0)) for c in classes) or 1
    # Exit status 1 means some requests failed: they are in the CSV, and reported.
    done = subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                    "-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{seconds}s", "--host", base,
                    "--csv", str(OUT / name), "--only-summary", "--loglevel", "WARNING", *classes],
                   cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"locust exited with {done.returncode}")
    with open(OUT / f"{name}_stats.csv") as f:
        return list(csv.DictReader(f))


def run(centres: int, per_centre: int, consultants: int, seconds: int, bare_seconds: int,
        autosave_wait: float) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from pg_server import start_postgres

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    master_key = base64.b64encode(os.urandom(32)).decode()
    server = start_postgres()
    scheduler = None
    try:
        env = {"DATABASE_URL": server.create_database(), "KEYSTORE_URL": server.create_database(),
               "MAIL_URL": f"file://{OUT}/mail", "MASTER_KEY": master_key, "SECRET_KEY": "bench-secret",
               "BASE_URL": "http://127.0.0.1", "SCHEDULER_IN_PROCESS": "0", "BENCH_NO_RATELIMIT": "1"}
        started = time.perf_counter()
        beneficiaries = build(master_key, centres, per_centre, env=env)
        build_s = time.perf_counter() - started
        people = [[f"centre-a{c}", f"a{c}@bench.example", "bench password 1", per_centre]
                  for c in range(consultants)]
        data = OUT / "people.json"
        data.write_text(json.dumps({"beneficiaries": beneficiaries, "consultants": people}))
        shared = {"BENCH_LOCUST_DATA": str(data), "BENCH_AUTOSAVE_WAIT": str(autosave_wait),
                  "BENCH_BENEFICIARYUSER_USERS": str(len(beneficiaries)),
                  "BENCH_CONSULTANTUSER_USERS": str(consultants)}
        with gunicorn("bench.apps:bare()", {}) as base:
            bare = locust(base, ["BareUser"], bare_seconds, "bare",
                          {**shared, "BENCH_BARE_USERS": str(len(beneficiaries)),
                           "BENCH_BAREUSER_USERS": str(len(beneficiaries))})
        scheduler = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "run"], cwd=ROOT,
                                     env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                     stderr=open(OUT / "scheduler.log", "w"))
        load_before = os.getloadavg()
        with gunicorn("bench.apps:product()", env) as base:
            # Warm-up, discarded: each worker's first requests compile templates and open connections.
            locust(base, ["BeneficiaryUser", "ConsultantUser"], 10, "warmup", shared)
            product = locust(base, ["BeneficiaryUser", "ConsultantUser"], seconds, "product", shared)
        load_after = os.getloadavg()
        scheduler_alive = scheduler.poll() is None
    finally:
        if scheduler is not None:
            scheduler.terminate()
            scheduler.wait(timeout=20)
        server.stop()
    return {"centres": centres, "beneficiaries": len(beneficiaries), "consultants": consultants,
            "seconds": seconds, "bare_seconds": bare_seconds, "autosave_wait": autosave_wait,
            "build_s": build_s, "bare": bare, "product": product, "loadavg": [load_before, load_after],
            "scheduler_alive": scheduler_alive}


def _row(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["Name"] == name)


def report(figures: dict) -> str:
    bare = _row(figures["bare"], "GET bare page")
    autosave = _row(figures["product"], "POST autosave")
    ratio = float(autosave["Requests/s"]) / float(bare["Requests/s"])
    lines = [f"{figures['beneficiaries']} beneficiaries across {figures['centres']} centres "
             f"(autosave wait {figures['autosave_wait']} s), {figures['consultants']} consultants, "
             f"{figures['seconds']} s (bare page {figures['bare_seconds']} s); dataset built in "
             f"{figures['build_s']:.0f} s; load average before/after "
             f"{figures['loadavg'][0][0]:.1f}/{figures['loadavg'][1][0]:.1f}; scheduler still running: "
             f"{figures['scheduler_alive']}", "",
             "| endpoint | requests | failures | req/s | p50 | p95 | p99 |", "|---|---|---|---|---|---|---|"]
    for r in [bare, *figures["product"]]:
        lines.append(f"| {r['Name']} | {r['Request Count']} | {r['Failure Count']} | {float(r['Requests/s']):.1f} "
                     f"| {r['50%']} ms | {r['95%']} ms | {r['99%']} ms |")
    lines += ["", f"Autosave throughput / bare page throughput: **{ratio:.3f}**"]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.locust")
    parser.add_argument("--centres", type=int, default=50)
    parser.add_argument("--per-centre", type=int, default=4, help="beneficiaries per centre")
    parser.add_argument("--consultants", type=int, default=20, help="one per centre, the first ones")
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--bare-seconds", type=int, default=60)
    parser.add_argument("--autosave-wait", type=float, default=0.0,
                        help="seconds between one beneficiary's saves (0: as fast as served)")
    args = parser.parse_args(argv)
    figures = run(args.centres, args.per_centre, args.consultants, args.seconds, args.bare_seconds,
                  args.autosave_wait)
    text = report(figures)
    (OUT / "summary.md").write_text(text + "\n")
    (OUT / "results.json").write_text(json.dumps(figures, indent=2))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
