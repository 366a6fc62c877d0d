"""The emails of a reminders sweep, compared between two checkouts (issue #17, "a cheaper reminder").

`python -m bench.sweep_emails --size 20x50 --before /work/main`: sweeps two fresh copies of the SQLite
dataset that `python -m bench.sweep --centres 20 --bilans 50 --backends sqlite` built (bench/out/sweep/
<size>/sqlite-built), one with each checkout's code at the bench's `NOW`, then compares every queued email
(key, kind, recipient, centre, bilan, sender, status, dates, subject, text, HTML, attachments) once the
random portal token of its link is masked. Prints how many are identical and the first difference.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bench import sweep

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"/r/[A-Za-z0-9_-]{20,100}")
_READ = '''
import json, sys
from sqlmodel import select
from saas import create_app
app = create_app(json.loads(sys.argv[1]))
from saas.db import database
from saas.mail.models import OutboxEmail
rows = []
with app.app_context(), database().public_session() as session:
    for e in session.exec(select(OutboxEmail).order_by(OutboxEmail.idempotency_key)).all():
        rows.append([e.idempotency_key, e.kind, e.recipient, e.centre_id, e.bilan_id, e.sender_name, e.status,
                     str(e.created_at), str(e.next_attempt_at), e.subject, e.body_text, e.body_html, e.attachments])
print(json.dumps(rows))
'''


def _emails(cfg: dict) -> list:
    """The outbox of that dataset, opened with this checkout's code (the content is sealed)."""
    done = subprocess.run([sys.executable, "-c", _READ, json.dumps(cfg)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    return [[TOKEN.sub("/r/TOKEN", value) if isinstance(value, str) else value for value in row] for row in rows]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep_emails", description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="20x50", help="the dataset bench.sweep built: <centres>x<bilans>")
    parser.add_argument("--before", required=True, metavar="CHECKOUT", help="the other code, e.g. /work/main")
    args = parser.parse_args(argv)
    built = sweep.OUT / args.size / "sqlite-built.json"
    if not built.exists():
        parser.error(f"no dataset at {built}: run python -m bench.sweep with that size and --backends sqlite")
    sweep._size = args.size
    pristine = json.loads(built.read_text())
    found = {}
    for label, checkout in (("before", args.before), ("after", str(ROOT))):
        cfg = sweep._restore("sqlite", pristine, f"emails-{label}", None)
        print(f"  {label}: {sweep.measure(cfg, 'reminders', checkout)['counts']}", flush=True)
        found[label] = _emails(cfg)
    before, after = found["before"], found["after"]
    same = sum(a == b for a, b in zip(before, after, strict=False))
    print(f"{len(before)} emails before, {len(after)} after, {same} identical once the link's token is masked")
    for a, b in zip(before, after, strict=False):
        if a != b:
            fields = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
            print(f"first difference, {a[0]}: fields {fields}")
            break
    return 0 if same == len(before) == len(after) else 1


if __name__ == "__main__":
    sys.exit(main())
