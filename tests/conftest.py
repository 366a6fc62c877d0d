"""Fixtures: an app on a fresh database, parametrized over SQLite and PostgreSQL.

`app` builds `create_app({...})` on a new SQLite file or a new PostgreSQL
database (a throwaway cluster started once per worker, see pg_server.py), with
its own key store, master key and file mailbox. `make_centre` provisions a
centre through the real signup code path; `login` logs an account in.
"""
from __future__ import annotations

import base64
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pg_server import require_postgres  # noqa: E402
from smtp_server import running_smtp_server  # noqa: E402

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def pg_server():
    server = require_postgres()
    yield server
    server.stop()


def _urls(request, tmp_path, backend):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'bilan.db'}", f"sqlite:///{tmp_path / 'keys' / 'keystore.db'}", None
    server = request.getfixturevalue("pg_server")
    data, keys = server.create_database(), server.create_database()
    # Runs after the app's teardown; DROP ... WITH (FORCE) closes leftover connections.
    request.addfinalizer(lambda: (server.drop_database(data), server.drop_database(keys)))
    return data, keys, server


def build_app(tmp_path: Path, database_url: str, keystore_url: str, upgrade: bool = True, **overrides):
    """The app on these databases; `upgrade=False` leaves the platform tables uncreated."""
    from saas import create_app
    from saas.migrate import upgrade_public

    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "KEYSTORE_URL": keystore_url,
        "MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "SECRET_KEY": "test-secret",
        "MAIL_URL": f"file://{tmp_path / 'mail'}",
        "BASE_URL": "http://localhost",
        "ARGON2_PROFILE": "fast",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "GENERATE_MISSING_SECRETS": False,
        "SCHEDULER_IN_PROCESS": "0",
    }
    config.update(overrides)
    app = create_app(config)
    if upgrade:
        with app.app_context():
            upgrade_public()
    return app


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (tests/smtp_server.py); a module points the app at it by
    overriding `app_config` with {"MAIL_URL": smtp_server.url}."""
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def app_config():
    """Per-test overrides of the app's configuration (override this fixture)."""
    return {}


@pytest.fixture
def app(request, tmp_path, backend, app_config):
    database_url, keystore_url, _server = _urls(request, tmp_path, backend)
    app = build_app(tmp_path, database_url, keystore_url, **app_config)
    yield app
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()


@pytest.fixture
def fresh_app(request, tmp_path, backend):
    """An instance where `flask db upgrade` never ran: no platform table."""
    database_url, keystore_url, _server = _urls(request, tmp_path, backend)
    app = build_app(tmp_path, database_url, keystore_url, upgrade=False)
    yield app
    app.extensions["db"].dispose()
    app.extensions["crypto"].store.dispose()


@pytest.fixture
def sqlite_app(request, tmp_path, app_config):
    """The same app on SQLite only, for tests about SQLite files themselves."""
    database_url, keystore_url, _ = _urls(request, tmp_path, "sqlite")
    yield build_app(tmp_path, database_url, keystore_url, **app_config)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Person:
    email: str
    name: str
    password: str = PASSWORD
    id: int | None = None


@dataclass
class MadeCentre:
    id: int
    slug: str
    name: str
    schema: str
    owner: Person

    def model(self, app):
        from saas.centres.models import Centre

        with app.app_context():
            with app.extensions["db"].public_session() as session:
                centre = session.get(Centre, self.id)
                session.expunge(centre)
                return centre


@pytest.fixture
def make_centre(app):
    """make_centre("lyon") provisions a centre whose admin is owner@lyon.test."""
    from saas.accounts.models import Account
    from saas.accounts.passwords import hash_password
    from saas.accounts.queries import account_by_email
    from saas.centres.models import Centre
    from saas.signup.provision import create_centre

    def make(slug: str, name: str | None = None, owner_email: str | None = None) -> MadeCentre:
        owner = Person(email=owner_email or f"owner@{slug}.test", name=f"Admin {slug.title()}")
        with app.app_context():
            with app.extensions["db"].public_session() as session:
                account = account_by_email(session, owner.email)
                if account is not None:
                    session.expunge(account)
            if account is None:
                account = Account(email=owner.email, name=owner.name, password_hash=hash_password(owner.password))
            centre = create_centre(name=name or f"Centre {slug.title()}", slug=slug, siret="73282932000074",
                                   nda="11755555555", admin=account)
            with app.extensions["db"].public_session() as session:
                owner.id = account_by_email(session, owner.email).id
                # The admin sets who signs the completion certificates (tests of its absence clear it).
                row = session.get(Centre, centre.id)
                row.legal_representative_name, row.legal_representative_title = f"Claire {slug.title()}", "Directrice"
                session.add(row)
                session.commit()
        return MadeCentre(centre.id, centre.slug, centre.name, centre.schema, owner)

    return make


@pytest.fixture
def add_member(app):
    """add_member(centre, "consultant") -> Person with a fresh account in that centre."""
    from saas.accounts.models import Account, Membership
    from saas.accounts.passwords import hash_password

    counter = {"n": 0}

    def add(centre: MadeCentre, role: str = "consultant", email: str | None = None) -> Person:
        counter["n"] += 1
        person = Person(email=email or f"{role}{counter['n']}@{centre.slug}.test",
                        name=f"{role.title()} {counter['n']}")
        with app.app_context():
            with app.extensions["db"].public_session() as session:
                account = Account(email=person.email, name=person.name, password_hash=hash_password(person.password))
                session.add(account)
                session.flush()
                session.add(Membership(account_id=account.id, centre_id=centre.id, role=role))
                session.commit()
                person.id = account.id
        return person

    return add


class Login:
    def __init__(self, client):
        self.client = client

    def __call__(self, person: Person, remember: bool = False):
        response = self.client.post("/login", data={"email": person.email, "password": person.password,
                                                    "remember": "y" if remember else ""})
        assert response.status_code == 303, response.text
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def login(client):
    return Login(client)


@pytest.fixture
def outbox(app):
    """outbox() -> the queued emails, oldest first (platform table)."""
    from sqlmodel import select

    from saas.mail.models import OutboxEmail

    def read(**filters):
        with app.app_context():
            with app.extensions["db"].public_session() as session:
                query = select(OutboxEmail).order_by(OutboxEmail.id)
                for key, value in filters.items():
                    query = query.where(getattr(OutboxEmail, key) == value)
                rows = list(session.exec(query).all())
                for row in rows:
                    session.expunge(row)
                return rows

    return read
