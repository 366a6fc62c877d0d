"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives.

For mail tests that must cross a real socket: the outbox delivery job talks
SMTP to it, the test reads the parsed messages back. It can also answer like
a troubled server: `temp_failures=N` answers 451 to the first N messages and
then accepts (retry and backoff), `reject_all=True` answers 550 to every one
(permanent failure). Both can be changed while it runs. The `smtp_server` fixture
(tests/conftest.py) runs one per test; a module points the app at it:

    @pytest.fixture
    def app_config(smtp_server):
        return {"MAIL_URL": smtp_server.url}

    def test_something(smtp_server):
        ...
        mail = smtp_server.wait_for(1)[0]
        assert mail.rcpt_tos == ["zoe@example.org"]
        assert mail.message["Subject"] == "Confirmez votre adresse"
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server took it: envelope, raw bytes, parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage

    def body(self, subtype: str = "plain") -> str:
        """Text of the text/plain (or text/html) part."""
        part = self.message.get_body(preferencelist=(subtype,))
        return part.get_content() if part is not None else ""


@dataclass
class RecordingHandler:
    """aiosmtpd handler: records accepted messages, answers 4xx/5xx when told to."""

    temp_failures: int = 0
    reject_all: bool = False
    messages: list[ReceivedMail] = field(default_factory=list)
    require_auth: bool = False
    refused: int = 0  # DATA commands answered with an error
    _cond: threading.Condition = field(default_factory=threading.Condition, repr=False)

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        # AUTH checked here rather than with aiosmtpd's auth_required, which warns without TLS.
        if self.require_auth and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self._cond:
            if self.reject_all:
                self.refused += 1
                return "550 5.7.1 Message refused by the test server"
            if self.temp_failures > 0:
                self.temp_failures -= 1
                self.refused += 1
                return "451 4.3.0 Temporary failure, try again later"
            raw = envelope.original_content or envelope.content
            if isinstance(raw, str):
                raw = raw.encode("utf-8")
            self.messages.append(ReceivedMail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                message=email.message_from_bytes(raw, policy=email.policy.default),
            ))
            self._cond.notify_all()
        return "250 2.0.0 OK: queued"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, in its own thread; `.url` for MAIL_URL."""

    def __init__(self, temp_failures: int = 0, reject_all: bool = False,
                 credentials: tuple[str, str] | None = None):
        self.handler = RecordingHandler(temp_failures=temp_failures, reject_all=reject_all)
        self.credentials = credentials
        self.host = "127.0.0.1"
        self.port = free_port()
        options = {}
        if credentials:
            # AUTH over plain TCP on loopback only; real servers require TLS first.
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
            self.handler.require_auth = True
        self.controller = Controller(self.handler, hostname=self.host, port=self.port,
                                     ready_timeout=10, **options)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials == (
            auth_data.login.decode(), auth_data.password.decode()
        ):
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    @property
    def url(self) -> str:
        """MAIL_URL for the application, with the credentials when AUTH is on."""
        if self.credentials:
            user, password = self.credentials
            return f"smtp://{user}:{password}@{self.host}:{self.port}"
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[ReceivedMail]:
        with self.handler._cond:
            return list(self.handler.messages)

    @property
    def refused(self) -> int:
        return self.handler.refused

    def fail_next(self, count: int) -> None:
        """Answer 451 to the next `count` messages, then accept again."""
        with self.handler._cond:
            self.handler.temp_failures = count

    def reject_all(self, on: bool = True) -> None:
        """Answer 550 to every message from now on (or stop doing so)."""
        with self.handler._cond:
            self.handler.reject_all = on

    def clear(self) -> None:
        """Forget received messages and counters."""
        with self.handler._cond:
            self.handler.messages.clear()
            self.handler.refused = 0

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least `count` messages arrived; AssertionError after `timeout`."""
        with self.handler._cond:
            if not self.handler._cond.wait_for(lambda: len(self.handler.messages) >= count, timeout):
                raise AssertionError(
                    f"expected {count} message(s) within {timeout}s, got {len(self.handler.messages)}"
                )
            return list(self.handler.messages)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (aiosmtpd cannot use port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_smtp_server(**options) -> Iterator[SmtpServer]:
    """Start an SmtpServer for the `with` block; options as SmtpServer's."""
    server = SmtpServer(**options).start()
    try:
        yield server
    finally:
        server.stop()
