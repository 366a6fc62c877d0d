"""The tenancy through a real pgbouncer in transaction mode (Debian's package), in front of the
session's PostgreSQL: docs/DEPLOY.md "pgbouncer".

pgbouncer here has ONE server connection for the database (default_pool_size = 1), so every
transaction of every client runs on the same PostgreSQL session, one after the other: whatever
a transaction left behind (a role, a search_path, a prepared statement) the next client's
transaction would inherit. The tenancy sets its role and search_path with SET LOCAL (saas/db.py:
_enter_centre_role), so nothing survives a transaction; psycopg's server-side prepared statements
are off (DB_PREPARED_STATEMENTS=0); the mail wake-up LISTENs on a direct connection
(DIRECT_DATABASE_URL, saas/mail/wakeup.py).

With CI=true a missing pgbouncer fails the module instead of skipping it.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
from conftest import build_app
from sqlalchemy import func, text
from sqlmodel import select

from pg_server import free_port, in_ci

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


class Bouncer:
    def __init__(self, pg_port: int, run_as: str | None):
        self.root = Path(tempfile.mkdtemp(prefix="bilan-pgbouncer-", dir="/dev/shm" if os.path.isdir("/dev/shm")
                                          else None))
        self.port = free_port()
        (self.root / "userlist.txt").write_text('"postgres" ""\n')
        (self.root / "pgbouncer.ini").write_text(f"""[databases]
* = host=127.0.0.1 port={pg_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.root / 'userlist.txt'}
pool_mode = transaction
default_pool_size = 1
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 50
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.root / 'pgbouncer.log'}
pidfile = {self.root / 'pgbouncer.pid'}
""")
        argv = [PGBOUNCER, str(self.root / "pgbouncer.ini")]
        if run_as:  # pgbouncer refuses to run as root
            shutil.chown(self.root, user=run_as, group=run_as)
            for path in self.root.iterdir():
                shutil.chown(path, user=run_as, group=run_as)
            argv = ["runuser", "-u", run_as, "--", *argv]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pgbouncer did not start: {self.log()}") from None
                time.sleep(0.05)

    def url_for(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def log(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # its own child; its pid, never a name
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def bouncer(pg_server):
    if not Path(PGBOUNCER).exists():
        message = "pgbouncer is not installed (apt-get install -y pgbouncer, or scripts/ensure-system-deps.sh)"
        if in_ci():
            pytest.fail(f"pgbouncer is required when CI=true: {message}", pytrace=False)
        pytest.skip(message)
    server = Bouncer(pg_server.port, pg_server.run_as)
    yield server
    server.stop()


@pytest.fixture
def backend():
    return "postgresql"


@pytest.fixture
def app(request, tmp_path, pg_server, bouncer):
    """The app with its data through pgbouncer (transaction mode), its key store and LISTEN direct."""
    data, keys = pg_server.create_database(), pg_server.create_database()
    name = data.rsplit("/", 1)[1]
    app = build_app(tmp_path, bouncer.url_for(name), keys, DB_PREPARED_STATEMENTS="0", DB_POOL_SIZE=4,
                    DIRECT_DATABASE_URL=data)
    yield app
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()
    pg_server.drop_database(data)
    pg_server.drop_database(keys)


SEEN = text("SELECT current_user, current_setting('search_path'), pg_backend_pid()")


def test_interleaved_tenant_transactions_of_two_centres_never_leak_through_pgbouncer(app, make_centre):
    """Two centres' sessions open at once, their transactions alternating on pgbouncer's one server
    connection: each sees its own role and schema only, and a platform session sees neither."""
    from saas.centres.models import Centre
    from saas.tenancy import tenant_session
    from tenants.bilans.models import Bilan

    a, b = make_centre("lyon"), make_centre("nantes")
    centre_a, centre_b = a.model(app), b.model(app)
    pids = set()
    with app.app_context(), ExitStack() as stack:
        sessions = {a.schema: stack.enter_context(tenant_session(centre_a)),
                    b.schema: stack.enter_context(tenant_session(centre_b))}
        public = stack.enter_context(app.extensions["db"].public_session())
        for _ in range(12):  # more than psycopg's prepare threshold (5) of the same statements
            for schema, db in sessions.items():
                user, path, pid = db.execute(SEEN).one()
                assert (user, path) == (schema, "public")
                pids.add(pid)
                assert db.exec(select(func.count()).select_from(Bilan)).one() == 0
                centre_id = db.execute(text("SELECT id FROM centre WHERE id = :i"),
                                       {"i": db.info["centre_id"]}).scalar_one()
                assert centre_id == db.info["centre_id"]
                db.commit()
                # Right after that transaction, on the same server connection: no role, no path left.
                user, path, pid = public.execute(SEEN).one()
                assert user == "postgres" and path == '"$user", public'
                pids.add(pid)
                assert public.get(Centre, centre_a.id).slug == "lyon"
                public.commit()
        # The other centre's schema stays closed to each centre's role, whatever ran before on the connection.
        with pytest.raises(Exception, match="permission denied"):
            sessions[a.schema].execute(text(f'SELECT count(*) FROM "{b.schema}".bilan'))
        sessions[a.schema].rollback()
    assert len(pids) == 1  # every transaction really shared pgbouncer's one server connection


def test_tenant_requests_of_two_centres_interleaved_through_pgbouncer(app, make_centre):
    """Requests, as browsers send them: each staff member sees their own centre on every page."""
    a, b = make_centre("lyon", name="Centre de Lyon"), make_centre("nantes", name="Centre de Nantes")
    clients = {}
    for made in (a, b):
        client = app.test_client()
        response = client.post("/login", data={"email": made.owner.email, "password": made.owner.password})
        assert response.status_code == 303, response.text
        clients[made.slug] = (made, client)
    for _ in range(6):
        for slug, (made, client) in clients.items():
            for path in ("/", "/bilans/"):
                response = client.get(f"/c/{slug}{path}")
                assert response.status_code == 200, (path, response.status_code)
                page = response.get_data(as_text=True)
                assert made.name in page
                other = next(m for s, (m, _c) in clients.items() if s != slug)
                assert other.name not in page
            # Another centre's pages answer 404 to a non-member.
            other_slug = next(s for s in clients if s != slug)
            assert client.get(f"/c/{other_slug}/").status_code == 404


def test_server_side_prepared_statements_break_transaction_pooling_hence_the_setting(bouncer, pg_server):
    """Why DB_PREPARED_STATEMENTS=0: with psycopg's default (prepare after 5 runs), two clients on
    pgbouncer 1.18's one server connection collide on their prepared statements' names."""
    import psycopg

    name = pg_server.create_database().rsplit("/", 1)[1]
    dsn = f"host=127.0.0.1 port={bouncer.port} user=postgres dbname={name}"
    try:
        with psycopg.connect(dsn, prepare_threshold=None) as one, psycopg.connect(dsn, prepare_threshold=None) as two:
            for _ in range(10):
                for conn in (one, two):
                    assert conn.execute("SELECT %s::int + 1", (1,)).fetchone() == (2,)
                    conn.commit()
        with pytest.raises(psycopg.Error, match="prepared statement"):
            with psycopg.connect(dsn, prepare_threshold=0) as one, psycopg.connect(dsn, prepare_threshold=0) as two:
                for _ in range(3):
                    for conn in (one, two):
                        conn.execute("SELECT %s::int + 1", (1,)).fetchone()
                        conn.commit()
    finally:
        pg_server.drop_database(name)


def test_the_mail_wake_up_listens_on_the_direct_connection(app):
    """LISTEN needs a session of its own: through pgbouncer's transaction pooling a notification
    would reach whichever client holds the server connection, so the watcher uses DIRECT_DATABASE_URL."""
    from saas.mail import wakeup
    from saas.mail.outbox import queue_email

    direct = wakeup.listen_url(app.config)
    assert direct and ":6432" not in direct and str(app.extensions["db"].engine.url.port) not in direct.split("/")[2]
    woken, stop = threading.Event(), threading.Event()
    with app.app_context():
        engine = app.extensions["db"].engine
    watcher = threading.Thread(target=wakeup.watch, args=(engine, stop, woken.set, direct), daemon=True)
    watcher.start()
    try:
        assert woken.wait(10)  # listening (its first look)
        time.sleep(0.5)
        woken.clear()
        with app.test_request_context():
            with app.extensions["db"].public_session() as db:  # queued through pgbouncer
                queue_email(db, to="zoe@example.org", template="reset_password", kind="password_reset",
                            idempotency_key="bouncer:wake", name="Zoé", link="http://localhost/x")
                db.commit()
        assert woken.wait(15)
    finally:
        stop.set()
        watcher.join(timeout=wakeup.LISTEN_TIMEOUT + 5)
    assert not watcher.is_alive()
