"""Issue #6: autosave round trips with 200 beneficiaries answering at once across 50 centres.

The dataset is built through the product's code (create_centre, issue_link,
assignments.assign); each simulated beneficiary holds its own portal session
(the cookie a browser gets after pressing the link's button) and saves answers
to the career-story questionnaire as fast as its server lets it, with 200
concurrent clients. Baseline: the bare Flask page, same server, same clients,
same run. The product runs with its rate limits off here: in real use each
beneficiary comes from their own address.
"""
from __future__ import annotations

import base64
import os
import random
import re
import shutil
import sys
import time
import urllib.parse
from pathlib import Path

from bench.load import gunicorn, load

# BENCH_OUT: where the centres' files go (a tmpfs for before/after pairs, so both sides write to
# the same kind of file system).
OUT = Path(os.environ.get("BENCH_OUT") or Path(__file__).resolve().parent / "out")
QUICK = {"centres": 3, "per_centre": 2}
QUESTIONNAIRE = "recit_professionnel"
QUESTION = "etapes"
# The form field of that question's answer (tenants/questionnaires/definition.py:field_name): the
# benchmarks before the sixth round posted "etapes", which the form ignores, so each "save" stored
# an empty answer and sealed nothing.
FIELD = f"a-{QUESTION}"


def env_for(master_key: str) -> dict:
    base = OUT / "autosave"
    return {
        "DATABASE_URL": f"sqlite:///{base}/bilan.db", "KEYSTORE_URL": f"sqlite:///{base}/keystore.db",
        "MAIL_URL": f"file://{base}/mail", "MASTER_KEY": master_key, "SECRET_KEY": "bench-secret",
        "BASE_URL": "http://127.0.0.1", "SCHEDULER_IN_PROCESS": "0", "BENCH_NO_RATELIMIT": "1",
    }


def respondent(db, centre, questionnaire, email: str, name: str):
    """One beneficiary in a bilan in progress with `questionnaire` assigned (flushed, not committed)."""
    from tenants.beneficiaries.models import Beneficiary, email_index
    from tenants.bilans.models import Bilan
    from tenants.questionnaires import assignments

    person = Beneficiary(name=name, email=email, consultant_id=1)
    person.email_index = email_index(db, email)
    db.add(person)
    db.flush()
    bilan = Bilan(beneficiary_id=person.id, consultant_id=1, status="active", phase="investigation")
    db.add(bilan)
    db.flush()
    return person, bilan, assignments.assign(db, centre, bilan, questionnaire, by=1)


def build(master_key: str, centres: int, per_centre: int, env: dict | None = None) -> list[tuple[str, str, str]]:
    """[(cookie, autosave path, CSRF token)] for centres × per_centre beneficiaries.

    `env` replaces the SQLite configuration (bench/locust.py passes a PostgreSQL one)."""
    from saas import create_app
    from saas.accounts.models import Account
    from saas.accounts.passwords import hash_password
    from saas.migrate import upgrade_public
    from saas.signup.provision import create_centre
    from saas.tenancy import tenant_session
    from tenants.portal.access import issue_link
    from tenants.questionnaires import queries

    shutil.rmtree(OUT / "autosave", ignore_errors=True)
    (OUT / "autosave").mkdir(parents=True)
    app = create_app({**(env or env_for(master_key)), "RATELIMIT_ENABLED": False, "WTF_CSRF_SSL_STRICT": False})
    pending = []
    with app.app_context():
        upgrade_public()
        password = hash_password("bench password 1")
        for c in range(centres):
            centre = create_centre(name=f"Centre {c}", slug=f"centre-a{c}", siret="73282932000074",
                                   nda="11755555555",
                                   admin=Account(email=f"a{c}@bench.example", name="Admin", password_hash=password))
            links = []
            with app.test_request_context("/"), tenant_session(centre) as db:
                questionnaire = queries.by_library_slug(db, QUESTIONNAIRE)
                for n in range(per_centre):
                    person, bilan, assignment = respondent(db, centre, questionnaire, f"b{c}-{n}@bench.example",
                                                           f"Personne {c}-{n}")
                    links.append((issue_link(db, centre, person, bilan), assignment.id))
                db.commit()
            pending.extend((centre.slug, url, assignment_id) for url, assignment_id in links)
    # Outside the app context: each test-client request gets its own `g`, as in a server.
    clients = []
    for slug, url, assignment_id in pending:
        # As a browser: the link's page, its button (CSRF token from the form), the questionnaire.
        client = app.test_client()
        link_path = urllib.parse.urlsplit(url).path
        token = _csrf(client.get(link_path).text)
        response = client.post(link_path, data={"csrf_token": token})
        assert response.status_code == 303, response.status_code
        page = f"/c/{slug}/p/questionnaires/{assignment_id}"
        csrf = _csrf(client.get(page).text)
        cookie = client.get_cookie("bilan_session")
        clients.append((f"bilan_session={cookie.value}", f"{page}/answers/{QUESTION}", csrf))
    app.extensions["db"].dispose()
    return clients


def _csrf(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def run(seconds: float = 5.0, centres: int = 50, per_centre: int = 4, backend: str = "sqlite",
        paced: float = 0.0, profile: str = "", limits: bool = False, gthread: bool = False) -> dict:
    """Bare page, then the autosaves, same gunicorn (2 sync workers), same clients, same run.

    `paced` > 0: each client saves once every `paced` seconds (a person typing: the answer field
    saves 800 ms after the last keystroke, templates/questionnaires/_fields.html), so the offered
    load stays below the capacity and the latency is the service time, not a queue.
    `profile`: a directory where each product worker dumps its cProfile (bench/gunicorn_profile.py);
    the CPU figures then include the profiler's own cost. `limits`: Flask-Limiter on (memory storage): the
    autosave's only limit is per link (240 a minute), so 200 clients on one address are not throttled.
    `gthread`: both servers with deploy/gunicorn.conf.py's worker class (gthread, 4 threads, keep-alive 5 s)
    instead of gunicorn's default sync workers (one request per connection)."""
    from bench.dashboard import worker_cpu_seconds

    master_key = base64.b64encode(os.urandom(32)).decode()
    server = None
    env = env_for(master_key)
    if backend == "postgresql":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from pg_server import start_postgres

        server = start_postgres()
        env = {**env, "DATABASE_URL": server.create_database(), "KEYSTORE_URL": server.create_database()}
    try:
        clients = build(master_key, centres, per_centre, env=env)
        concurrency = len(clients)
        load_before = os.getloadavg()
        options = ("--worker-class", "gthread", "--threads", "4", "--keep-alive", "5") if gthread else ()
        with gunicorn("bench.apps:bare()", {}, options=options) as base:
            load(base, "/", seconds=1.0, concurrency=concurrency, warmup=0)
            cpu = worker_cpu_seconds(base)
            bare = load(base, "/", seconds=seconds, concurrency=concurrency, warmup=0)
            bare_cpu = worker_cpu_seconds(base) - cpu
        served = {**env, **({"BENCH_PROFILE": profile} if profile else {}),
                  **({"BENCH_NO_RATELIMIT": "0"} if limits else {})}
        with gunicorn("bench.apps:product()", served, options=options) as base:
            # Warm-up, discarded and not counted: each worker's first saves compile templates and statements.
            load_many(base, clients, 2.0)
            cpu, split = worker_cpu_seconds(base), _user_and_system(base)
            result = load_many(base, clients, seconds, paced=paced)
            save_cpu = worker_cpu_seconds(base) - cpu
            save_split = [after - before for after, before in zip(_user_and_system(base), split, strict=True)]
        load_after = os.getloadavg()
    finally:
        if server is not None:
            server.stop()
    bare_ms = 1000 * bare_cpu / max(1, bare.requests)
    save_ms = 1000 * save_cpu / max(1, result.requests)
    return {"clients": concurrency, "centres": centres, "backend": backend, "paced": paced,
            "bare": bare.__dict__ | {"rps": bare.rps, "worker_ms": bare_ms},
            "autosave": result.__dict__ | {"rps": result.rps, "worker_ms": save_ms,
                                           "system_share": save_split[1] / max(1e-9, sum(save_split))},
            "ratio": result.rps / bare.rps, "cpu_ratio": bare_ms / save_ms if save_ms else float("nan"),
            "loadavg": [load_before, load_after], "limits": limits,
            "gthread": gthread}


def _user_and_system(base: str) -> tuple[float, float]:
    """(user, system) CPU seconds of the gunicorn processes bound to `base` (bench/dashboard.py sums both):
    the system part is the kernel's work for them (sockets, and on SQLite each centre file's open, WAL
    creation and deletion)."""
    bind, ticks, user, system = base.split("//", 1)[1].encode(), os.sysconf("SC_CLK_TCK"), 0, 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if bind not in f.read():
                    continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])
    return user / ticks, system / ticks


def load_many(base: str, clients: list[tuple[str, str, str]], seconds: float, paced: float = 0.0):
    """Each client thread posts to its own autosave URL with its own cookie; every `paced` seconds if set."""
    body = urllib.parse.urlencode({FIELD: "Formation, premiers emplois, reconversion. " * 4})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}
    due = [time.monotonic() + random.uniform(0, paced) for _ in clients]

    def request_for(index, n):
        if paced:
            # The wait is before the request: bench/load.py times from the request's sending.
            time.sleep(max(0.0, due[index] - time.monotonic()))
            due[index] = max(time.monotonic(), due[index]) + paced
        return (clients[index][1], body, {**headers, "Cookie": clients[index][0], "X-CSRFToken": clients[index][2]})

    return load(base, None, seconds=seconds, concurrency=len(clients), method="POST", request_for=request_for,
                warmup=0)


def report(figures: dict) -> str:
    b, a = figures["bare"], figures["autosave"]
    (before, _, _), (after, _, _) = figures["loadavg"]
    pace = f", one save every {figures['paced']:g} s each" if figures["paced"] else ", as fast as served"
    pace += ", limiter on (memory)" if figures.get("limits") else ""
    pace += ", gthread workers" if figures.get("gthread") else ", sync workers"
    return "\n".join([
        f"{figures['clients']} beneficiaries across {figures['centres']} centres ({figures['backend']}{pace}); "
        f"load average {before:.1f} before, {after:.1f} after",
        f"bare Flask page:  {b['rps']:8.1f} req/s  p50 {b['p50_ms']:7.2f} ms  p95 {b['p95_ms']:7.2f} ms  "
        f"worker CPU {b['worker_ms']:.2f} ms/request",
        f"autosave:         {a['rps']:8.1f} req/s  p50 {a['p50_ms']:7.2f} ms  p95 {a['p95_ms']:7.2f} ms  "
        f"worker CPU {a['worker_ms']:.2f} ms/request ({100 * a['system_share']:.0f} % in the kernel)  "
        f"errors {a['errors']}",
        f"ratio autosave / bare: {figures['ratio']:.3f} (req/s), {figures['cpu_ratio']:.3f} (worker CPU)",
    ])


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.autosave")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--centres", type=int, default=50)
    parser.add_argument("--per-centre", type=int, default=4)
    parser.add_argument("--paced", type=float, default=0.0, help="seconds between one client's saves (0: no pause)")
    parser.add_argument("--profile", default="", metavar="DIR",
                        help="each product worker dumps DIR/worker-<pid>.prof (cProfile); read it as shares")
    parser.add_argument("--limits", action="store_true", help="Flask-Limiter on (memory storage) for the product")
    parser.add_argument("--gthread", action="store_true", help="deploy's workers: gthread, 4 threads, keep-alive")
    args = parser.parse_args(argv)
    print(report(run(args.seconds, args.centres, args.per_centre, args.backend, args.paced, args.profile, args.limits,
                     args.gthread)),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
