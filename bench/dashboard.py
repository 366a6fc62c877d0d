"""Issue #3 and #4: the centre dashboard with 1,000 centres, and crypto's share of it.

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
    ])
