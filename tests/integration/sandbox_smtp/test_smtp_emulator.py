"""The SMTP emulator with the standard library's smtplib: mailbox JSON, file, STARTTLS/TLS, reset, stats."""

from __future__ import annotations

import json
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
import trustme

from ledgerbridge.sandbox._kit.emulator import EmulatorContext
from ledgerbridge.sandbox.smtp.app import create_app, sandbox_emulator
from ledgerbridge.sandbox.smtp.settings import SmtpSettings
from tests.support.servers import serve


def _message(subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["To"] = "b@example.com"
    message["Subject"] = subject
    message.set_content("plain body")
    message.add_alternative("<p>html body</p>", subtype="html")
    return message


def _port(url: str) -> int:
    return int(httpx.get(f"{url}/_sandbox/mail/server").json()["port"])


def test_mailbox_json_file_filters_and_reset(tmp_path: Path) -> None:
    mailbox_file = tmp_path / "mail" / "mailbox.json"
    with serve(create_app(SmtpSettings(mailbox_file=mailbox_file))) as url:
        with smtplib.SMTP("127.0.0.1", _port(url), local_hostname="t.invalid") as smtp:
            smtp.send_message(_message("first"))
            smtp.send_message(_message("second"), to_addrs=["c@example.com"])

        listed = httpx.get(f"{url}/_sandbox/mail").json()["messages"]
        to_c = httpx.get(f"{url}/_sandbox/mail", params={"to": "C@example.com"}).json()["messages"]
        second = httpx.get(f"{url}/_sandbox/mail/2").json()
        missing = httpx.get(f"{url}/_sandbox/mail/99")
        stats = httpx.get(f"{url}/_sandbox/stats").json()
        on_disk = json.loads(mailbox_file.read_text())
        httpx.post(f"{url}/_sandbox/reset").raise_for_status()
        after_reset = httpx.get(f"{url}/_sandbox/mail").json()["messages"]

    assert [(m["id"], m["subject"], m["text"].strip(), m["html"].strip()) for m in listed] == [
        (1, "first", "plain body", "<p>html body</p>"),
        (2, "second", "plain body", "<p>html body</p>"),
    ]
    assert [m["subject"] for m in to_c] == ["second"]
    assert second["envelope"] == {
        "mail_from": "a@example.com",
        "rcpt_tos": ["c@example.com"],
        "auth_user": None,
    }
    assert missing.status_code == 404
    assert stats["messages_total"] == 2 and stats["requests_by_route"]["SMTP DATA"] == 2
    assert [m["subject"] for m in on_disk["messages"]] == ["first", "second"]
    assert after_reset == [] and json.loads(mailbox_file.read_text()) == {"messages": []}


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    directory = tmp_path_factory.mktemp("smtp-tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    ca_file, cert, key = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    return ca_file, cert, key


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_tls_modes(mode: str, tls_files: tuple[Path, Path, Path]) -> None:
    ca_file, cert, key = tls_files
    settings = SmtpSettings.model_validate({"tls_mode": mode, "tls_cert_file": cert, "tls_key_file": key})
    context = ssl.create_default_context(cafile=str(ca_file))
    with serve(create_app(settings)) as url:
        port = _port(url)
        if mode == "starttls":
            with smtplib.SMTP("127.0.0.1", port, local_hostname="t.invalid") as plain:
                plain.ehlo()
                # STARTTLS is required before MAIL: a plaintext send is refused
                with pytest.raises(smtplib.SMTPSenderRefused):
                    plain.send_message(_message())
            with smtplib.SMTP("127.0.0.1", port, local_hostname="t.invalid") as smtp:
                smtp.starttls(context=context)
                smtp.send_message(_message("secure"))
        else:
            with smtplib.SMTP_SSL("127.0.0.1", port, local_hostname="t.invalid", context=context) as smtp:
                smtp.send_message(_message("secure"))
        subjects = [m["subject"] for m in httpx.get(f"{url}/_sandbox/mail").json()["messages"]]
    assert subjects == ["secure"]


def test_settings_and_factory_validation() -> None:
    with pytest.raises(ValueError, match="username and password"):
        SmtpSettings(username="only-user")
    with pytest.raises(ValueError, match="tls_cert_file"):
        SmtpSettings(tls_mode="tls")
    with pytest.raises(ValueError, match="unknown SMTP credential"):
        sandbox_emulator(EmulatorContext(seed="demo", tls=False, credentials={"token": "x"}))


def test_factory_reports_the_bound_port_once_served() -> None:
    build = sandbox_emulator(
        EmulatorContext(seed="demo", tls=False, credentials={"username": "u", "password": "pw-12345"})
    )
    assert build.info["smtp_port"] == 0  # not bound until the app starts
    with serve(build.app) as url:
        info = dict(build.info)
        assert info["smtp_port"] == _port(url) != 0
        with smtplib.SMTP("127.0.0.1", info["smtp_port"], local_hostname="t.invalid") as smtp:
            smtp.login("u", "pw-12345")
            smtp.send_message(_message())
    assert info["username"] == "u" and info["mailbox_path"] == "/_sandbox/mail"
