"""Where emails go: an SMTP server, or .eml files in a folder (development)."""
from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class PermanentFailure(Exception):
    """The server refused for good (5xx): no retry."""


class TemporaryFailure(Exception):
    """Try again later (4xx, connection refused, timeout)."""


class FileTransport:
    """Writes each email as DIR/<message-id>.eml, atomically (rename)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: EmailMessage, accepted: Callable[[], None] | None = None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_").replace("@", "_at_") + ".eml"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(message))
        os.replace(tmp, self.directory / name)
        if accepted is not None:
            accepted()


class SMTPTransport:
    """smtp://user:pass@host:port[?starttls=1]; smtps:// for implicit TLS."""

    def __init__(self, url: str, timeout: float = 20):
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        query = parse_qs(parts.query)
        self.starttls = query.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.timeout = timeout

    def send(self, message: EmailMessage, accepted: Callable[[], None] | None = None) -> None:
        """Send; `accepted()` is called once the server answered 250 to the message, before QUIT.

        From that answer the server is responsible for the message (RFC 5321, section 6.1): the
        caller records it as sent there, and nothing after it (QUIT refused, the connection
        dropped) may make the caller send it again with the same Message-ID. What is left
        between the answer and the caller's record is the few milliseconds of its commit:
        a sender killed inside them sends that email once more (saas/mail/delivery.py).
        """
        try:
            cls = smtplib.SMTP_SSL if self.implicit_tls else smtplib.SMTP
            smtp = cls(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise (PermanentFailure if codes and min(codes) >= 500 else TemporaryFailure)(
                f"recipient refused ({codes[0] if codes else '?'})") from None
        except smtplib.SMTPResponseException as error:
            kind = PermanentFailure if error.smtp_code >= 500 else TemporaryFailure
            raise kind(f"SMTP {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(type(error).__name__) from None
        try:
            if accepted is not None:
                accepted()
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):  # delivered already: a courtesy that failed
                smtp.close()


def transport_for(url: str):
    if url.startswith("file://"):
        return FileTransport(url[len("file://"):])
    if url.startswith(("smtp://", "smtps://")):
        return SMTPTransport(url)
    raise ValueError("MAIL_URL must start with smtp://, smtps:// or file://")
