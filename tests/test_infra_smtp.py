"""The loopback SMTP server of tests/smtp_server.py receives, delays and refuses mail."""

import smtplib
from email.message import EmailMessage

import pytest

from smtp_server import running_smtp_server


def french_mail(to="zoe.martin@example.org") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Centre de Lyon <noreply@bilan.example>"
    msg["To"] = to
    msg["Subject"] = "Confirmez votre adresse électronique"
    msg.set_content("Bonjour Zoé,\n\nCliquez sur le lien pour confirmer.\n")
    msg.add_alternative("<p>Bonjour Zoé,</p><p><a href='https://x/v/abc'>Confirmer</a></p>", subtype="html")
    return msg


def send(server, msg, **kwargs):
    with smtplib.SMTP(server.host, server.port, timeout=5) as client:
        if server.credentials:
            client.login(*server.credentials)
        return client.send_message(msg, **kwargs)


def test_message_is_received_with_envelope_and_parsed(smtp_server):
    send(smtp_server, french_mail(), from_addr="bounce@bilan.example",
         to_addrs=["zoe.martin@example.org", "cc@example.org"])
    [mail] = smtp_server.wait_for(1)
    assert mail.mail_from == "bounce@bilan.example"
    assert mail.rcpt_tos == ["zoe.martin@example.org", "cc@example.org"]
    assert mail.message["Subject"] == "Confirmez votre adresse électronique"
    assert mail.message["From"].addresses[0].display_name == "Centre de Lyon"
    assert "Bonjour Zoé" in mail.body("plain")
    assert "<a href='https://x/v/abc'>" in mail.body("html")
    assert mail.raw.startswith(b"From:") or b"\nSubject:" in mail.raw


def test_url_points_at_the_server(smtp_server):
    assert smtp_server.url == f"smtp://127.0.0.1:{smtp_server.port}"


def test_first_messages_get_a_temporary_failure_then_are_accepted():
    with running_smtp_server(temp_failures=2) as server:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPDataError) as exc:
                send(server, french_mail())
            assert exc.value.smtp_code == 451
        send(server, french_mail())
        assert len(server.wait_for(1)) == 1
        assert server.refused == 2


def test_permanent_rejection_until_switched_off(smtp_server):
    smtp_server.reject_all()
    with pytest.raises(smtplib.SMTPDataError) as exc:
        send(smtp_server, french_mail())
    assert exc.value.smtp_code == 550
    assert smtp_server.messages == []
    smtp_server.reject_all(False)
    smtp_server.fail_next(1)
    with pytest.raises(smtplib.SMTPDataError) as exc:
        send(smtp_server, french_mail())
    assert exc.value.smtp_code == 451
    send(smtp_server, french_mail())
    assert len(smtp_server.wait_for(1)) == 1


def test_auth_is_required_when_credentials_are_set():
    with running_smtp_server(credentials=("centre", "s3cret")) as server:
        assert server.url == f"smtp://centre:s3cret@127.0.0.1:{server.port}"
        send(server, french_mail())
        assert len(server.wait_for(1)) == 1
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPAuthenticationError):
                client.login("centre", "wrong")
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            with pytest.raises(smtplib.SMTPSenderRefused) as exc:
                client.send_message(french_mail())
            assert exc.value.smtp_code == 530


def test_wait_for_reports_a_missing_message(smtp_server):
    with pytest.raises(AssertionError, match="expected 1 message"):
        smtp_server.wait_for(1, timeout=0.2)


def test_clear_forgets_messages(smtp_server):
    send(smtp_server, french_mail())
    smtp_server.wait_for(1)
    smtp_server.clear()
    assert smtp_server.messages == [] and smtp_server.refused == 0
