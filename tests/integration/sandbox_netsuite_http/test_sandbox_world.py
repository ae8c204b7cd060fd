"""``sandbox up``: ports, sandbox.json, random credentials, TLS on the vendor's host names, foreground run."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ledgerbridge.sandbox._kit.ports import all_ports, port_for
from ledgerbridge.sandbox.world import SandboxStartError, start_sandbox

from .support import resolve_to_loopback, tba_auth


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _free_base() -> int:
    """A port base whose every emulator port is free right now: one free port alone let another emulator's
    port (base + 26 for the mailbox) collide with a socket some other test held."""
    from ledgerbridge.sandbox._kit.ports import PORT_OFFSETS

    for _ in range(50):
        base = _free_port() - 1
        if base + max(PORT_OFFSETS.values()) > 65535:
            continue
        try:
            for offset in set(PORT_OFFSETS.values()):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise AssertionError("no free run of sandbox ports on loopback")


def _signed_client(info: dict[str, str], **kwargs: object) -> httpx.Client:
    from ledgerbridge.sandbox.netsuite.settings import EmulatorSettings

    settings = EmulatorSettings(
        account_id=info["account_id"],
        consumer_key=info["consumer_key"],
        consumer_secret=info["consumer_secret"],
        token_id=info["token_id"],
        token_secret=info["token_secret"],
    )
    return httpx.Client(auth=tba_auth(settings), timeout=30, **kwargs)  # type: ignore[arg-type]


def test_design_ports_and_port_base_shift() -> None:
    assert all_ports() == {
        "netsuite": 8701,
        "nue": 8702,
        "pigment": 8703,
        "slack": 8704,
        "salesforce": 8705,
        "hubspot": 8706,
        "workday": 8707,
        "bamboohr": 8708,
        "smtp": 8725,
        "mailbox": 8726,
        "console": 8765,
    }
    assert port_for("netsuite", 9000) == 9001
    with pytest.raises(ValueError, match="unknown sandbox system"):
        port_for("sap")
    with pytest.raises(ValueError, match="out of range"):
        port_for("netsuite", 65500)


def test_start_writes_sandbox_json_with_fresh_credentials(tmp_path: Path) -> None:
    with start_sandbox(seed="empty", port_base=None, workdir=tmp_path) as first:
        info = json.loads((tmp_path / ".ledgerbridge" / "sandbox.json").read_text())
        mode = stat.S_IMODE(os.stat(tmp_path / ".ledgerbridge" / "sandbox.json").st_mode)
        netsuite = info["netsuite"]
        with _signed_client(netsuite) as http:
            response = http.get(f"{netsuite['base_url']}/services/rest/record/v1/customer")
    assert response.status_code == 200
    assert mode == 0o600
    assert netsuite["base_url"] == first.urls["netsuite"]
    assert netsuite["base_url"].startswith("http://127.0.0.1:")
    assert set(netsuite) == {
        "base_url",
        "account_id",
        "timezone",
        "consumer_key",
        "consumer_secret",
        "token_id",
        "token_secret",
        "client_id",
        "certificate_id",
        "private_key_pem",
    }
    assert netsuite["private_key_pem"].startswith("-----BEGIN PRIVATE KEY-----")
    with start_sandbox(seed="empty", port_base=None, workdir=tmp_path, write_files=False) as second:
        assert second.info["netsuite"]["consumer_secret"] != netsuite["consumer_secret"]
        assert second.handle("netsuite").settings.consumer_key == second.info["netsuite"]["consumer_key"]


def test_given_credentials_are_kept(tmp_path: Path) -> None:
    fixed = {"consumer_key": "ck-fixed", "token_id": "tok-fixed"}
    with start_sandbox(
        seed="empty", port_base=None, workdir=tmp_path, write_files=False, credentials={"netsuite": fixed}
    ) as running:
        assert running.info["netsuite"]["consumer_key"] == "ck-fixed"
        assert running.info["netsuite"]["token_id"] == "tok-fixed"
    assert running.sandbox_file is None


def test_tls_mode_answers_the_vendor_host_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    resolve_to_loopback(monkeypatch, ".suitetalk.api.netsuite.com", ".restlets.api.netsuite.com")
    with start_sandbox(seed="empty", tls=True, port_base=None, workdir=tmp_path) as running:
        info = running.info
        netsuite = info["netsuite"]
        ca = info["ca_cert"]
        port = netsuite["base_url"].rsplit(":", 1)[1]
        assert Path(ca) == tmp_path / ".ledgerbridge" / "sandbox-ca.pem"
        assert netsuite["vendor_base_url"] == f"https://1234567-sb1.suitetalk.api.netsuite.com:{port}"
        with _signed_client(netsuite, verify=ca) as http:
            record_list = http.get(f"{netsuite['vendor_base_url']}/services/rest/record/v1/customer")
            token_info = http.get(f"https://1234567-sb1.restlets.api.netsuite.com:{port}/rest/tokeninfo")
            by_ip = http.get(f"{netsuite['base_url']}/services/rest/record/v1/customer")
        with httpx.Client(verify=True) as untrusting, pytest.raises(httpx.ConnectError):
            untrusting.get(f"{netsuite['vendor_base_url']}/_sandbox/stats")
    assert record_list.status_code == 200
    assert record_list.json()["links"][0]["href"].startswith(netsuite["vendor_base_url"])
    assert token_info.json()["companyId"] == "1234567_SB1"
    assert by_ip.status_code == 200


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = int(taken.getsockname()[1])
        with pytest.raises(SandboxStartError, match=f"cannot listen on 127.0.0.1:{port} for netsuite"):
            start_sandbox(seed="empty", port_base=port - 1, workdir=tmp_path)


def test_unknown_seed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SandboxStartError, match="unknown seed"):
        start_sandbox(seed="galaxy", port_base=None, workdir=tmp_path)


def test_module_runs_in_the_foreground_until_interrupted(tmp_path: Path) -> None:
    port = _free_base() + 1
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ledgerbridge.sandbox",
            "--seed",
            "empty",
            "--port-base",
            str(port - 1),
            "--workdir",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sandbox_file = tmp_path / ".ledgerbridge" / "sandbox.json"
    try:
        deadline = time.monotonic() + 60
        while not sandbox_file.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "sandbox.json never appeared"
            time.sleep(0.1)
        info = json.loads(sandbox_file.read_text())
        assert info["netsuite"]["base_url"] == f"http://127.0.0.1:{port}"
        assert httpx.get(f"http://127.0.0.1:{port}/_sandbox/stats").status_code == 200
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "sandbox is up" in out and "sandbox stopped" in out
