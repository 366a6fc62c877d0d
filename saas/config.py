"""Every setting, read from the environment once, with its default and help.

`SETTINGS` is the single list: the README table and a test are checked
against it, so a setting cannot exist without being documented.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE_URL", "sqlite:///instance/bilan.db",
            "Platform database. sqlite:///PATH (one extra file per centre beside it) "
            "or postgresql://user:pass@host/db (one schema per centre)."),
    Setting("KEYSTORE_URL", "sqlite:///instance/keystore.db",
            "Key store holding the wrapped centre and bilan keys, kept apart from the data "
            "(its own SQLite file, or its own PostgreSQL database)."),
    Setting("MAIL_URL", "file://instance/mail",
            "Mail transport: smtp://user:pass@host:port (add ?starttls=1 for STARTTLS) "
            "or file://DIR (one .eml file per email)."),
    Setting("SECRET_KEY", "",
            "Signs session cookies and CSRF tokens. Empty: read or generated in instance/secret_key."),
    Setting("MASTER_KEY_FILE", "instance/master.key",
            "File of master keys (one base64 key per line, newest last); generated when missing "
            "in development only."),
    Setting("MASTER_KEY", "",
            "Master keys given directly (base64, comma-separated, newest last); overrides MASTER_KEY_FILE."),
    Setting("KEYSTORE_BACKUP_DAYS", "7",
            "How long key store backups are kept; the one-year destruction runs that many days early so "
            "a destroyed bilan key is out of every backup by the legal deadline."),
    Setting("BASE_URL", "",
            "Public address used in links inside emails. Empty (development): the address the dev server "
            "serves, http://FLASK_RUN_HOST:FLASK_RUN_PORT (127.0.0.1 and 5000 unless set; `make run PORT=5001`), "
            "or in debug the host and port a request came to."),
    Setting("MAIL_FROM", "no-reply@bilan.localhost",
            "Sender address of every email; the display name is the centre's name."),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Flask-Limiter storage for login and reset throttles. memory:// counts per process: with N "
            "gunicorn workers the real limits are N times higher; in production use a shared one "
            "(redis://host:6379, memcached://host:11211; see docs/SECURITY.md)."),
    Setting("ARGON2_PROFILE", "default",
            "Password hashing cost: default (RFC 9106 low-memory) or fast (tests only)."),
    Setting("SCHEDULER_IN_PROCESS", "0",
            "1 starts the job scheduler inside the web process (the quick start does this)."),
    Setting("OUTBOX_SWEEP_SECONDS", "60",
            "Safety-net sweep of the outbox, in seconds; emails normally leave within seconds of their "
            "commit (docs/JOBS.md, Emails in seconds)."),
    Setting("DB_POOL_SIZE", "",
            "Connections kept per process (empty: SQLAlchemy's default of 5, plus overflow)."),
    Setting("DB_CENTRES_PER_CONNECTION", "20",
            "PostgreSQL: a pooled connection is closed once it has served this many different centres, "
            "because a server process slows down with every centre's tables it has opened (0: never)."),
    Setting("DIRECT_DATABASE_URL", "",
            "PostgreSQL behind pgbouncer in transaction mode: a direct address of the same database for "
            "what needs a session of its own (the mail wake-up's LISTEN). Empty: DATABASE_URL."),
    Setting("DB_PREPARED_STATEMENTS", "1",
            "0 behind pgbouncer in transaction mode (before 1.21, Debian 12 ships 1.18): psycopg then never "
            "prepares statements server-side, which another client's transaction would not find."),
    Setting("DATA_BACKUP_DIR", "instance/backups/data",
            "Where `flask backup create data` writes its archives (keep them apart from the key store's)."),
    Setting("DATA_BACKUP_DAYS", "30",
            "How long data backups are kept; older archives are deleted by each `flask backup create data`."),
    Setting("KEYSTORE_BACKUP_DIR", "instance/backups/keystore",
            "Where `flask backup create keystore` writes its archives, pruned after KEYSTORE_BACKUP_DAYS."),
    Setting("WEB_CONCURRENCY", "",
            "gunicorn workers (deploy/gunicorn.conf.py; empty: 2 per core + 1). `flask prod-check` reads it "
            "to refuse per-process rate limits with several workers."),
    Setting("SWEEP_PROCESSES", "1",
            "Worker processes a nightly sweep spreads the centres over (the number of cores available to "
            "the scheduler); 1 sweeps in the scheduler's own process (docs/JOBS.md, Sweeping in parallel)."),
    Setting("ENCRYPTION_ENABLED", "1",
            "Benchmarks only: 0 stores sealed fields unencrypted to measure crypto's share. Never 0 in production."),
)


def _resolve(path: str) -> str:
    """Relative paths in settings are taken from the project root, not the cwd."""
    p = Path(path)
    return str(p if p.is_absolute() else ROOT / p)


def sqlite_url_abs(url: str) -> str:
    """sqlite:///relative/path -> absolute path, so every process agrees on the file."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + _resolve(url[len(prefix):])
    return url


def served_address(environ=os.environ) -> str:
    """What `flask run` serves: it reads FLASK_RUN_HOST and FLASK_RUN_PORT too (`make run` sets them)."""
    host = environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # listening everywhere: links go to this machine
        host = "127.0.0.1"
    return f"http://{host}:{environ.get('FLASK_RUN_PORT') or 5000}"


def from_environment(environ=os.environ) -> dict:
    """Flask config mapping built from the environment and the defaults above."""
    cfg = {s.name: environ.get(s.name, s.default) for s in SETTINGS}
    cfg["DATABASE_URL"] = sqlite_url_abs(cfg["DATABASE_URL"])
    cfg["BASE_URL_FROM_SERVER"] = not cfg["BASE_URL"]
    cfg["BASE_URL"] = cfg["BASE_URL"] or served_address(environ)
    cfg["KEYSTORE_URL"] = sqlite_url_abs(cfg["KEYSTORE_URL"])
    if cfg["MAIL_URL"].startswith("file://") and not cfg["MAIL_URL"].startswith("file:///"):
        cfg["MAIL_URL"] = "file://" + _resolve(cfg["MAIL_URL"][len("file://"):])
    cfg["MASTER_KEY_FILE"] = _resolve(cfg["MASTER_KEY_FILE"])
    cfg["KEYSTORE_BACKUP_DAYS"] = int(cfg["KEYSTORE_BACKUP_DAYS"] or 0)
    cfg["OUTBOX_SWEEP_SECONDS"] = int(cfg["OUTBOX_SWEEP_SECONDS"] or 60)
    cfg["DB_POOL_SIZE"] = int(cfg["DB_POOL_SIZE"]) if str(cfg["DB_POOL_SIZE"]).strip() else None
    cfg["DB_CENTRES_PER_CONNECTION"] = int(cfg["DB_CENTRES_PER_CONNECTION"] or 0)
    cfg["DB_PREPARED_STATEMENTS"] = str(cfg["DB_PREPARED_STATEMENTS"]).strip().lower() not in ("0", "false", "off")
    cfg["DATA_BACKUP_DIR"] = _resolve(cfg["DATA_BACKUP_DIR"])
    cfg["KEYSTORE_BACKUP_DIR"] = _resolve(cfg["KEYSTORE_BACKUP_DIR"])
    cfg["DATA_BACKUP_DAYS"] = int(cfg["DATA_BACKUP_DAYS"] or 0)
    cfg["INSTANCE_PATH"] = str(ROOT / "instance")
    try:  # an invalid value stays as given: the sweep refuses it, `flask prod-check` says why
        cfg["SWEEP_PROCESSES"] = sweep_processes(cfg["SWEEP_PROCESSES"])
    except ValueError:
        pass
    return cfg


def sweep_processes(value) -> int:
    """SWEEP_PROCESSES as a number of processes (an integer, at least 1), or ValueError."""
    try:
        count = int(str(value).strip())
    except ValueError:
        raise ValueError(f"SWEEP_PROCESSES={value!r} n'est pas un nombre entier de processus.") from None
    if count < 1:
        raise ValueError(f"SWEEP_PROCESSES={value!r} : il faut au moins 1 processus.")
    return count


def instance_secret(instance_path: str, name: str, nbytes: int = 32) -> str:
    """Read a generated secret from instance/, creating it (mode 600) on first use."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value
