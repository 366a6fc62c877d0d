"""No working link at rest: the outbox seals what an email says, delivery opens it, the purge
leaves no bytes in the SQLite files (saas/mail/sealing.py, saas/db.py)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from saas.mail.delivery import deliver_due
from saas.mail.transport import transport_for

from portal_helpers import assign, last_link, make_bilan
from smtp_server import running_smtp_server


def _raw_rows(app) -> list[tuple]:
    """The outbox as plain SQL sees it (what a dump or a copy of the files holds)."""
    with app.app_context(), app.extensions["db"].engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM outboxemail"))]


def _as_bytes(value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode()


def _sqlite_files(app) -> dict[str, bytes]:
    platform = Path(app.extensions["db"].url.database)
    files = [Path(str(platform) + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    files += sorted((platform.parent / "centres").glob("*.db*"))
    return {p.name: p.read_bytes() for p in files if p.exists()}


def _queued_portal_email(app, make_centre, outbox) -> str:
    lyon = make_centre("lyon")
    _, bilan = make_bilan(app, lyon)
    assign(app, lyon, bilan)  # emails the beneficiary a personal link
    return last_link(outbox).rsplit("/", 1)[1]


def test_a_queued_email_holds_no_working_link_at_rest(app, make_centre, outbox, backend):
    token = _queued_portal_email(app, make_centre, outbox)
    assert token in outbox(kind="questionnaire_assigned")[-1].body_text  # the app reads it
    rows = _raw_rows(app)
    assert rows and not any(token.encode() in _as_bytes(value) for row in rows for value in row)
    assert not any(b"/r/" in _as_bytes(value) for row in rows for value in row)  # the bodies are sealed
    if backend == "sqlite":
        for name, data in _sqlite_files(app).items():
            assert token.encode() not in data, name


def test_delivery_opens_the_sealed_email_then_its_bytes_leave_the_files(app, make_centre, outbox, backend):
    token = _queued_portal_email(app, make_centre, outbox)
    [sealed] = [row for row in _raw_rows(app) if row]
    sealed_body = next(bytes(v) for v in sealed if isinstance(v, (bytes, memoryview)) and len(v) > 200)
    with running_smtp_server() as smtp, app.app_context():
        report = deliver_due(app.extensions["db"].engine, transport_for(smtp.url), app.config["MAIL_FROM"])
        [mail] = smtp.wait_for(1)
    assert report.sent == 1
    assert token in mail.body("plain") and token in mail.body("html")
    [email] = outbox()
    assert email.status == "sent" and email.body_text is None and email.recipient is None
    assert email.subject  # the sealed subject stays, for the dashboard
    assert not any(sealed_body[-64:] in _as_bytes(value) for row in _raw_rows(app) for value in row)
    if backend == "sqlite":
        for name, data in _sqlite_files(app).items():
            assert token.encode() not in data, name
            # secure_delete zeroed the freed cells and the checkpoint emptied the WAL.
            assert sealed_body[-64:] not in data, name


def test_a_sealed_email_moved_to_another_row_does_not_open(app, make_centre, outbox):
    from saas.mail.sealing import SealedMailError, open_sealed, seal

    with app.app_context():
        blob = seal("<one@bilan>", "body", b"https://example/c/lyon/r/secret")
        assert open_sealed("<one@bilan>", "body", blob) == b"https://example/c/lyon/r/secret"
        for message_id, column in (("<two@bilan>", "body"), ("<one@bilan>", "subject")):
            with pytest.raises(SealedMailError):
                open_sealed(message_id, column, blob)
        tampered = blob[:-1] + bytes([blob[-1] ^ 1])
        with pytest.raises(SealedMailError):
            open_sealed("<one@bilan>", "body", tampered)


def test_the_platform_database_zeroes_what_it_frees(sqlite_app):
    with sqlite_app.app_context(), sqlite_app.extensions["db"].engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA main.secure_delete").scalar() == 1
