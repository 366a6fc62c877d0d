"""Backups of the data and, separately, of the key store, each with its own retention.

    create(kind)            -> Path of a new archive (old ones beyond retention pruned)
    verify(path)            -> list of problems (empty: the archive is whole)
    restore(path, now=...)  -> what was restored; refuses a key store archive beyond retention

`kind` is "data" (the platform database and every centre's schema or file) or
"keystore" (the wrapped keys). They are kept apart on purpose: a data archive
never holds a key, so a bilan destroyed after it was taken stays unreadable
when it is restored beside the live key store (its key is gone, saas/crypto/
shred.py). A key store archive does hold keys destroyed since: it is kept
KEYSTORE_BACKUP_DAYS only, the one-year destruction runs that many days early
(tenants/retention/destruction.py:key_backup_margin), and restoring an older
one is refused here, since it would bring destroyed keys back (docs/SECURITY.md,
docs/DEPLOY.md "Backups").

An archive is one uncompressed tar: `manifest.json` (kind, backend, creation
time, each member's size and SHA-256), `manifest.sha256`, and the members:
PostgreSQL a `pg_dump --format=custom` of the database; SQLite one copy per
file made with SQLite's online backup API (sqlite3.Connection.backup), which
reads a consistent snapshot of a live WAL database, where copying the file
would miss what is still in its -wal file (https://www.sqlite.org/backup.html).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import URL, make_url

KINDS = ("data", "keystore")
FORMAT = 1
NAME = re.compile(r"^(?P<kind>data|keystore)-(?P<stamp>\d{8}T\d{6}Z)\.tar$")
STAMP = "%Y%m%dT%H%M%SZ"
CENTRE_FILE = re.compile(r"^centre_[0-9]{1,12}\.db$")
PG_DUMP_MEMBER = "database.dump"


class BackupError(Exception):
    """A backup refused or impossible: the message says why, in French, for the operator."""


@dataclass(frozen=True)
class Settings:
    """What the backups read from the app's configuration (saas/config.py)."""
    database_url: str
    keystore_url: str
    data_dir: Path
    keystore_dir: Path
    data_days: int
    keystore_days: int

    @classmethod
    def from_config(cls, config) -> Settings:
        return cls(database_url=config["DATABASE_URL"], keystore_url=config["KEYSTORE_URL"],
                   data_dir=Path(config["DATA_BACKUP_DIR"]), keystore_dir=Path(config["KEYSTORE_BACKUP_DIR"]),
                   data_days=int(config["DATA_BACKUP_DAYS"]), keystore_days=int(config["KEYSTORE_BACKUP_DAYS"]))

    def url(self, kind: str) -> URL:
        return make_url(self.database_url if kind == "data" else self.keystore_url)

    def directory(self, kind: str) -> Path:
        return self.data_dir if kind == "data" else self.keystore_dir

    def days(self, kind: str) -> int:
        return self.data_days if kind == "data" else self.keystore_days

    def setting_name(self, kind: str) -> str:
        return "DATA_BACKUP_DAYS" if kind == "data" else "KEYSTORE_BACKUP_DAYS"


@dataclass
class Manifest:
    kind: str
    backend: str
    created_at: datetime
    members: dict[str, dict] = field(default_factory=dict)  # name -> {"size", "sha256"}

    def to_json(self) -> bytes:
        return json.dumps({"format": FORMAT, "kind": self.kind, "backend": self.backend,
                           "created_at": self.created_at.strftime(STAMP), "members": self.members},
                          indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        doc = json.loads(raw)
        if doc.get("format") != FORMAT or doc.get("kind") not in KINDS:
            raise ValueError("unknown manifest")
        return cls(kind=doc["kind"], backend=doc["backend"],
                   created_at=datetime.strptime(doc["created_at"], STAMP).replace(tzinfo=UTC),
                   members=doc["members"])


def _utc(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- PostgreSQL tools ------------------------------------------------------
def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: $PG_BINDIR, else the PATH, else Debian's highest /usr/lib/postgresql/*/bin."""
    if os.environ.get("PG_BINDIR"):
        return str(Path(os.environ["PG_BINDIR"]) / name)
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(re.sub(r"\D", "", p.parent.parent.name) or 0))
    if candidates:
        return str(candidates[-1])
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} introuvable : installez le client PostgreSQL (apt-get install postgresql-client)")
    return found


def libpq_env(url: URL) -> dict[str, str]:
    """The connection as libpq environment variables: the password never shows in `ps`."""
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[var] = str(value)
    return env


def _run(argv: list[str], url: URL) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, env=libpq_env(url), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(argv[0]).name} a échoué ({result.returncode}) : "
                          f"{(result.stderr or result.stdout).strip()[-1500:]}")
    return result


def dump_schemas(dump: Path) -> set[str]:
    """The centre schemas a custom-format dump holds (its table of contents)."""
    listing = subprocess.run([pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True)
    if listing.returncode != 0:
        raise BackupError(f"pg_restore --list refuse l'archive : {listing.stderr.strip()[-500:]}")
    return set(re.findall(r"\bSCHEMA - (centre_[0-9]{1,12})\b", listing.stdout))


# -- SQLite files ------------------------------------------------------------
def _sqlite_path(url: URL) -> Path:
    return Path(url.database).resolve()


def _sqlite_files(kind: str, url: URL) -> dict[str, Path]:
    """Archive member name -> live file: the main file and, for the data, every centre's file."""
    main = _sqlite_path(url)
    files = {main.name: main}
    if kind == "data":
        centres = main.parent / "centres"
        for path in sorted(centres.glob("centre_*.db")) if centres.is_dir() else ():
            if CENTRE_FILE.match(path.name):
                files[f"centres/{path.name}"] = path
    return files


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API, page by page, under SQLite's own locking."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _restore_into(source: Path, live: Path) -> None:
    """Write an archived file into the live database through the backup API (safe with WAL readers)."""
    live.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(live, timeout=15)
    try:
        src.backup(dst)
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


# -- create ----------------------------------------------------------------
def archive_name(kind: str, at: datetime) -> str:
    return f"{kind}-{at.strftime(STAMP)}.tar"


def create(settings: Settings, kind: str, now: datetime | None = None) -> Path:
    """A new archive of `kind` in its directory; archives older than its retention are pruned."""
    if kind not in KINDS:
        raise BackupError(f"sorte de sauvegarde inconnue : {kind}")
    now = _utc(now)
    days = settings.days(kind)
    if days <= 0:
        raise BackupError(f"{settings.setting_name(kind)}={days} : aucune sauvegarde {kind} n'est conservée")
    url = settings.url(kind)
    directory = settings.directory(kind)
    directory.mkdir(parents=True, mode=0o700, exist_ok=True)
    target = directory / archive_name(kind, now)
    if target.exists():
        raise BackupError(f"{target.name} existe déjà")
    backend = url.get_backend_name()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".partial-") as work:
        work_dir = Path(work)
        files: dict[str, Path] = {}
        if backend == "sqlite":
            for member, live in _sqlite_files(kind, url).items():
                if not live.exists():
                    continue
                copy = work_dir / member
                copy.parent.mkdir(parents=True, exist_ok=True)
                _online_copy(live, copy)
                files[member] = copy
        elif backend == "postgresql":
            dump = work_dir / PG_DUMP_MEMBER
            _run([pg_tool("pg_dump"), "--format=custom", "--file", str(dump)], url)
            files[PG_DUMP_MEMBER] = dump
        else:
            raise BackupError(f"base {backend} non prise en charge")
        manifest = Manifest(kind, backend, now, {
            name: {"size": path.stat().st_size, "sha256": _sha256(path)} for name, path in files.items()})
        raw = manifest.to_json()
        partial = work_dir / target.name
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out, tarfile.open(fileobj=out, mode="w") as tar:
            _add_bytes(tar, "manifest.json", raw, now)
            _add_bytes(tar, "manifest.sha256", hashlib.sha256(raw).hexdigest().encode(), now)
            for name, path in files.items():
                tar.add(path, arcname=name, recursive=False)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)  # complete or absent: never a half-written archive under its name
    prune(settings, kind, now)
    return target


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, at: datetime) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(at.timestamp()), 0o600
    tar.addfile(info, io.BytesIO(data))


def archives(settings: Settings, kind: str) -> list[tuple[datetime, Path]]:
    """The archives of `kind`, oldest first, dated by their name."""
    directory = settings.directory(kind)
    found = []
    for path in directory.glob(f"{kind}-*.tar") if directory.is_dir() else ():
        match = NAME.match(path.name)
        if match and match["kind"] == kind:
            found.append((datetime.strptime(match["stamp"], STAMP).replace(tzinfo=UTC), path))
    return sorted(found)


def prune(settings: Settings, kind: str, now: datetime | None = None) -> list[Path]:
    """Delete the archives of `kind` older than its retention; the paths deleted."""
    limit = _utc(now) - timedelta(days=settings.days(kind))
    gone = []
    for created, path in archives(settings, kind):
        if created < limit:
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone


# -- verify ----------------------------------------------------------------
def _read(path: Path, work_dir: Path) -> tuple[Manifest, list[str]]:
    """Extract the archive into `work_dir`, check every digest: (manifest, problems)."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if "manifest.json" not in members or "manifest.sha256" not in members:
                raise BackupError(f"{path.name} : pas de manifeste, ce n'est pas une sauvegarde Bilan")
            raw = tar.extractfile(members["manifest.json"]).read()
            seal = tar.extractfile(members["manifest.sha256"]).read().decode(errors="replace").strip()
            if hashlib.sha256(raw).hexdigest() != seal:
                raise BackupError(f"{path.name} : manifeste altéré")
            manifest = Manifest.from_json(raw)
            problems = []
            for name, expected in manifest.members.items():
                if name not in members or not members[name].isfile() or ".." in Path(name).parts:
                    problems.append(f"{path.name} : {name} manque")
                    continue
                tar.extract(members[name], work_dir, filter="data")
                copy = work_dir / name
                if copy.stat().st_size != expected["size"] or _sha256(copy) != expected["sha256"]:
                    problems.append(f"{path.name} : {name} altéré (empreinte SHA-256 différente)")
            extra = set(members) - set(manifest.members) - {"manifest.json", "manifest.sha256"}
            problems += [f"{path.name} : {name} inattendu" for name in sorted(extra)]
    except (tarfile.TarError, OSError, ValueError, KeyError, UnicodeDecodeError) as error:
        raise BackupError(f"{path.name} : archive illisible ({type(error).__name__}: {error})") from None
    return manifest, problems


def _check_contents(manifest: Manifest, work_dir: Path) -> list[str]:
    problems = []
    for name in manifest.members:
        copy = work_dir / name
        if manifest.backend == "sqlite":
            try:
                with sqlite3.connect(f"file:{copy}?mode=ro", uri=True) as conn:
                    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as error:
                result = str(error)
            if result != "ok":
                problems.append(f"{name} : base SQLite abîmée ({result})")
        elif name == PG_DUMP_MEMBER:
            try:
                dump_schemas(copy)
            except BackupError as error:
                problems.append(str(error))
    return problems


def verify(path: Path) -> tuple[Manifest | None, list[str]]:
    """(manifest, problems): every member present with its digest, and readable by its database."""
    with tempfile.TemporaryDirectory(prefix="bilan-verify-") as work:
        try:
            manifest, problems = _read(Path(path), Path(work))
        except BackupError as error:
            return None, [str(error)]
        if not problems:
            problems = _check_contents(manifest, Path(work))
        return manifest, problems


# -- restore ---------------------------------------------------------------
def _refuse_beyond_retention(settings: Settings, manifest: Manifest, now: datetime, name: str) -> None:
    if manifest.kind != "keystore":
        return
    age = now - manifest.created_at
    days = settings.keystore_days
    if age > timedelta(days=days):
        raise BackupError(
            f"Restauration refusée : la sauvegarde du magasin de clés {name} date du "
            f"{manifest.created_at:%d/%m/%Y} ({age.days} jours), au-delà de KEYSTORE_BACKUP_DAYS={days} jours. "
            f"Elle contient peut-être les clés de bilans détruits depuis, que la loi veut illisibles "
            f"(R6313-7) ; restaurez une sauvegarde plus récente.")


def restore(settings: Settings, path: Path, now: datetime | None = None, *, dispose=None) -> Manifest:
    """Put an archive back in place of the live database of its kind (the apps must be stopped).

    `dispose` is called before anything is written (the caller's engines let go of their
    connections). The archive is verified first; a key store archive older than
    KEYSTORE_BACKUP_DAYS is refused.
    """
    now = _utc(now)
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="bilan-restore-") as work:
        work_dir = Path(work)
        manifest, problems = _read(path, work_dir)
        problems = problems or _check_contents(manifest, work_dir)
        if problems:
            raise BackupError("Restauration refusée, archive abîmée : " + " ; ".join(problems))
        _refuse_beyond_retention(settings, manifest, now, path.name)
        url = settings.url(manifest.kind)
        if url.get_backend_name() != manifest.backend:
            raise BackupError(f"{path.name} vient d'une base {manifest.backend}, la configuration pointe "
                              f"vers {url.get_backend_name()}")
        shredded = _live_tombstones(url) if manifest.kind == "keystore" else []
        if dispose is not None:
            dispose()
        if manifest.backend == "sqlite":
            _restore_sqlite(manifest, url, work_dir)
        else:
            _restore_postgres(manifest, url, work_dir / PG_DUMP_MEMBER)
        _shred_again(url, shredded)
    return manifest


def _live_tombstones(url: URL) -> list[tuple[str, str]]:
    """The bilans whose key the live key store has destroyed, when it is still readable: a key
    destroyed after the archive was taken must not come back with it."""
    from saas.crypto.keystore import KeyStore, destroyed_bilan

    try:
        store = KeyStore(url.render_as_string(hide_password=False))
        try:
            with store.engine.connect() as conn:
                return [(r.centre_id, r.bilan_id) for r in conn.execute(
                    destroyed_bilan.select().with_only_columns(destroyed_bilan.c.centre_id,
                                                               destroyed_bilan.c.bilan_id))]
        finally:
            store.dispose()
    except Exception:  # the key store is lost or damaged (why one restores it): nothing to carry over
        return []


def _shred_again(url: URL, shredded: list[tuple[str, str]]) -> None:
    if not shredded:
        return
    from saas.crypto.keystore import KeyStore

    store = KeyStore(url.render_as_string(hide_password=False))
    try:
        with store.one_scrub():
            for centre_id, bilan_id in shredded:
                store.destroy_bilan_key(centre_id, bilan_id)
    finally:
        store.dispose()


def _restore_sqlite(manifest: Manifest, url: URL, work_dir: Path) -> None:
    live = _sqlite_files(manifest.kind, url)
    main = _sqlite_path(url)
    for member in manifest.members:
        target = main if "/" not in member else main.parent / member
        _restore_into(work_dir / member, target)
    # Centres created after the archive have no row in the restored platform file: their files go.
    for member, path in live.items():
        if member not in manifest.members and member.startswith("centres/"):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)


def _restore_postgres(manifest: Manifest, url: URL, dump: Path) -> None:
    import psycopg

    wanted = dump_schemas(dump) if manifest.kind == "data" else set()
    conninfo = {"host": url.host, "port": url.port, "user": url.username, "password": url.password,
                "dbname": url.database}
    with psycopg.connect(**{k: v for k, v in conninfo.items() if v is not None}, autocommit=True) as conn:
        if manifest.kind == "data":
            from saas.db import CENTRES_GROUP, check_schema_name, ensure_role_sql

            live = {row[0] for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname ~ '^centre_[0-9]+$'")}
            # Roles live in the cluster, not in the dump: the grants it restores need them.
            for schema in sorted(wanted | {CENTRES_GROUP}):
                conn.execute(ensure_role_sql(schema))  # a centre's name checked there
                if schema != CENTRES_GROUP:
                    conn.execute(f'GRANT "{CENTRES_GROUP}" TO "{schema}"')
            # Centres created after the archive: no row in the restored platform tables.
            for schema in sorted(live - wanted):
                conn.execute(f'DROP SCHEMA "{check_schema_name(schema)}" CASCADE')
    _run([pg_tool("pg_restore"), "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
          "--dbname", url.database, str(dump)], url)
