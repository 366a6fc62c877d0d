"""A throwaway PostgreSQL cluster for the test session, from Debian's binaries.

`start_postgres()` runs `initdb` in a fresh directory and starts a server on a
free loopback port with durability off (about 1 s); `.stop()` kills it with
`pg_ctl -m immediate` and deletes the directory. As root, `initdb` and
`pg_ctl` run as the `postgres` user through `runuser` (initdb refuses root).
The cluster lives in /dev/shm when there is room: CREATE DATABASE takes about
30 ms there against about 300 ms on this machine's disk. Under pytest-xdist
each worker starts its own cluster: nothing shared, nothing to coordinate.

Issue #3's rule: with `CI=true` a test that needs PostgreSQL fails when no
server can start; elsewhere it skips with the reason. `require_postgres()`
applies it. In `tests/conftest.py`:

    from pg_server import require_postgres

    @pytest.fixture(scope="session")
    def pg_server():
        server = require_postgres()      # fails under CI=true, skips elsewhere
        yield server
        server.stop()

    @pytest.fixture(params=["sqlite", "postgresql"])
    def database_url(request, tmp_path):
        if request.param == "sqlite":
            yield f"sqlite:///{tmp_path / 'bilan.db'}"
        else:
            # the session fixture is only started by the first PostgreSQL test
            with request.getfixturevalue("pg_server").fresh_database() as url:
                yield url
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PG_LIB = Path("/usr/lib/postgresql")
SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def in_ci() -> bool:
    """True when running under CI (CI=true), where missing services are failures."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def find_bindir() -> Path | None:
    """Directory holding initdb, pg_ctl, pg_dump and psql: $PG_BINDIR, else `pg_config --bindir`,
    else the highest /usr/lib/postgresql/*/bin (Debian installs several versions side by side)."""
    if os.environ.get("PG_BINDIR"):
        bindir = Path(os.environ["PG_BINDIR"])
        return bindir if (bindir / "initdb").exists() else None
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").exists():
            return bindir
    candidates = [p for p in PG_LIB.glob("*/bin") if (p / "initdb").exists()]
    candidates.sort(key=lambda p: _version_key(p.parent.name))
    return candidates[-1] if candidates else None


def _version_key(name: str) -> tuple[int, ...]:
    """Sort '9.6' < '15' < '16' numerically."""
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def cluster_parent_dir() -> str:
    """Where clusters go: $PG_TMPDIR, else /dev/shm (RAM: CREATE DATABASE ~30 ms, not ~300 ms on disk), else /tmp."""
    if os.environ.get("PG_TMPDIR"):
        return os.environ["PG_TMPDIR"]
    shm = "/dev/shm"
    try:
        if os.path.isdir(shm) and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * 1024**3:
            return shm
    except OSError:
        pass
    return "/tmp"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_available() -> tuple[bool, str]:
    """Whether a cluster can be started here, without starting one: (ok, reason)."""
    bindir = find_bindir()
    if bindir is None:
        return False, (
            f"no initdb under {PG_LIB}/*/bin "
            "(apt-get install -y postgresql, or run scripts/ensure-system-deps.sh as root)"
        )
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return False, "running as root but there is no 'postgres' user to run initdb"
    return True, f"PostgreSQL binaries in {bindir}"


def require_postgres() -> PgServer:
    """Start a cluster, or fail the test under CI=true, or skip it with the reason elsewhere."""
    import pytest

    try:
        return start_postgres()
    except PostgresUnavailable as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL is required when CI=true: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL unavailable: {exc}")


@dataclass
class PgServer:
    """A running throwaway cluster; `url` is the `postgres` database as superuser."""

    bindir: Path
    root: Path
    port: int
    run_as: str | None
    _stopped: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        """SQLAlchemy URL (psycopg 3) of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def dsn(self, dbname: str = "postgres") -> str:
        """libpq connection string for psycopg.connect()."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        """Run one statement in autocommit (CREATE/DROP DATABASE need it)."""
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self, name: str | None = None, template: str | None = None) -> str:
        """Create a database (a unique name when none is given) and return its URL."""
        name = name or f"test_{uuid.uuid4().hex[:16]}"
        _check_name(name)
        sql = f'CREATE DATABASE "{name}"'
        if template:
            _check_name(template)
            sql += f' TEMPLATE "{template}"'
        self.execute(sql)
        return self.url_for(name)

    @contextlib.contextmanager
    def fresh_database(self, template: str | None = None) -> Iterator[str]:
        """A new database for one test (its URL), dropped afterwards to keep RAM in check."""
        url = self.create_database(template=template)
        try:
            yield url
        finally:
            self.drop_database(url)

    def drop_database(self, name: str) -> None:
        """Drop a database (by name or URL), closing whatever connections are still on it."""
        if "://" in name:
            name = name.rsplit("/", 1)[-1]
        _check_name(name)
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server at once (no checkpoint) and delete its directory."""
        if self._stopped:
            return
        self._stopped = True
        _run(self.run_as, [self.bindir / "pg_ctl", "-D", self.datadir, "-m", "immediate", "-w", "stop"],
             check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _check_name(name: str) -> None:
    if not SAFE_NAME.match(name):
        raise ValueError(f"unsafe database name {name!r}")


def _run(run_as: str | None, argv: list, check: bool = True) -> subprocess.CompletedProcess:
    argv = [str(a) for a in argv]
    if run_as:
        argv = ["runuser", "-u", run_as, "--", *argv]
    result = subprocess.run(argv, capture_output=True, text=True, cwd="/")
    if check and result.returncode != 0:
        raise PostgresUnavailable(
            f"{' '.join(argv)} exited {result.returncode}: {(result.stderr or result.stdout).strip()[-2000:]}"
        )
    return result


def start_postgres(attempts: int = 3) -> PgServer:
    """initdb + pg_ctl start on a free loopback port; raises PostgresUnavailable with the reason."""
    ok, reason = postgres_available()
    if not ok:
        raise PostgresUnavailable(reason)
    bindir = find_bindir()
    assert bindir is not None
    run_as = "postgres" if os.geteuid() == 0 else None

    # Not under $TMPDIR (may be below /root): every parent must be traversable by the postgres user.
    root = Path(tempfile.mkdtemp(prefix="bilan-pg-", dir=cluster_parent_dir()))
    try:
        if run_as:
            shutil.chown(root, user=run_as, group=run_as)
        _run(run_as, [bindir / "initdb", "-D", root / "data", "-U", "postgres", "-A", "trust",
                      "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"])
        last_error = ""
        for _ in range(attempts):
            # The port may be taken between free_port() and the bind (another xdist worker): retry.
            port = free_port()
            options = (
                f"-k {root} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                # each CREATE DATABASE logs ~7 MB of WAL: recycle it early, it lives in RAM
                "-c max_wal_size=256MB -c min_wal_size=64MB"
            )
            result = _run(run_as, [bindir / "pg_ctl", "-D", root / "data", "-l", root / "server.log",
                                   "-w", "-t", "60", "-o", options, "start"], check=False)
            if result.returncode == 0:
                server = PgServer(bindir=bindir, root=root, port=port, run_as=run_as)
                atexit.register(server.stop)  # if the fixture's teardown never runs
                _wait_ready(server)
                return server
            log = (root / "server.log").read_text(errors="replace")[-2000:] if (root / "server.log").exists() else ""
            last_error = f"pg_ctl start exited {result.returncode}: {result.stderr.strip()} {log}"
        raise PostgresUnavailable(last_error)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _wait_ready(server: PgServer, timeout: float = 10.0) -> None:
    """pg_ctl -w already waited; make sure TCP on 127.0.0.1 answers too."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(server.dsn(), connect_timeout=2):
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                server.stop()
                raise PostgresUnavailable(
                    f"server started but does not answer on 127.0.0.1:{server.port}: {exc}"
                ) from exc
            time.sleep(0.05)
