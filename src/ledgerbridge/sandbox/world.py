"""``sandbox up``: serve every emulator on loopback at its DESIGN §5 port and tell clients how to reach it.

:func:`start_sandbox` (in-process, a context manager — tests and the demo) and :func:`run_sandbox`
(foreground until Ctrl-C — the CLI) both:

1. build each registered emulator (fresh random credentials unless given; the world seed loaded),
2. with ``tls``: make a CA + one certificate for every emulator's vendor host names, and write the CA to
   ``<workdir>/.ledgerbridge/sandbox-ca.pem``,
3. bind ``127.0.0.1:<port_base + offset>`` for each and serve them with uvicorn in one background thread,
4. wait until each answers ``GET /_sandbox/stats``,
5. write ``<workdir>/.ledgerbridge/sandbox.json`` (mode 0600: it holds credentials)::

       {"netsuite": {"base_url", "account_id", "consumer_key", "consumer_secret", "token_id",
                     "token_secret", "client_id", "certificate_id", "private_key_pem",
                     "vendor_base_url"?},
        "ca_cert": "<path>"?}

Adding an emulator is one line in :data:`EMULATORS`.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, MappingProxyType, TracebackType
from typing import Any, TextIO

import httpx
import uvicorn

from ._kit.emulator import EmulatorBuild, EmulatorContext, EmulatorFactory
from ._kit.ports import DEFAULT_PORT_BASE, port_for
from ._kit.tls import TLSMaterial, make_tls_material
from .netsuite.app import sandbox_emulator as netsuite_emulator
from .nue.app import sandbox_emulator as nue_emulator
from .pigment.app import sandbox_emulator as pigment_emulator
from .slack.app import sandbox_emulator as slack_emulator
from .smtp.app import sandbox_emulator as smtp_emulator

#: every emulator ``sandbox up`` starts, in start order — one line per system
EMULATORS: Mapping[str, EmulatorFactory] = MappingProxyType(
    {
        "netsuite": netsuite_emulator,
        "nue": nue_emulator,
        "pigment": pigment_emulator,
        "slack": slack_emulator,
        # the SMTP emulator: its HTTP side (the mailbox) on the mailbox port, its SMTP listener on 8725
        "mailbox": smtp_emulator,
    }
)

STATE_DIR = ".ledgerbridge"
SANDBOX_FILE = "sandbox.json"
CA_FILE = "sandbox-ca.pem"
LOOPBACK = "127.0.0.1"


class SandboxStartError(RuntimeError):
    """The sandbox could not start (a port in use, an emulator that never answered, a bad seed)."""


@dataclass
class RunningSandbox:
    """A started sandbox. Use as a context manager, or call :meth:`stop`."""

    urls: dict[str, str]
    info: dict[str, Any]
    emulators: dict[str, EmulatorBuild]
    sandbox_file: Path | None
    tls: TLSMaterial | None
    _servers: list[uvicorn.Server] = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def handle(self, system: str) -> Any:
        """The emulator's state object (e.g. ``NetSuiteEmulator``) for direct inspection."""
        return self.emulators[system].handle

    def stop(self, timeout: float = 15.0) -> None:
        for server in self._servers:
            server.should_exit = True
        self._thread.join(timeout=timeout)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    *,
    seed: str = "demo",
    tls: bool = False,
    port_base: int | None = DEFAULT_PORT_BASE,
    workdir: Path | str = ".",
    systems: Sequence[str] | None = None,
    credentials: Mapping[str, Mapping[str, str]] | None = None,
    write_files: bool = True,
    startup_timeout: float = 60.0,
) -> RunningSandbox:
    """Start the emulators in a background thread and return once every one answers.

    ``port_base=None`` picks free ports (tests); ``systems`` narrows the emulators started; ``credentials``
    fixes some per system (``{"netsuite": {"consumer_key": ...}}``); ``write_files=False`` skips
    ``sandbox.json`` (the TLS CA is still written: clients need it).
    """
    root = Path(workdir).resolve()
    state_dir = root / STATE_DIR
    chosen = list(systems) if systems is not None else list(EMULATORS)
    unknown = [name for name in chosen if name not in EMULATORS]
    if unknown:
        raise SandboxStartError(
            f"unknown sandbox system(s): {', '.join(unknown)} (known: {', '.join(EMULATORS)})"
        )

    builds: dict[str, EmulatorBuild] = {}
    for name in chosen:
        context = EmulatorContext(
            seed=seed, tls=tls, credentials=dict((credentials or {}).get(name, {})), port_base=port_base
        )
        try:
            builds[name] = EMULATORS[name](context)
        except ValueError as exc:
            raise SandboxStartError(f"{name}: {exc}") from exc

    material: TLSMaterial | None = None
    if tls:
        hosts = [host for build in builds.values() for host in build.tls_hosts]
        material = make_tls_material(hosts, state_dir / "sandbox-tls", ca_path=state_dir / CA_FILE)

    sockets: dict[str, socket.socket] = {}
    try:
        for name in builds:
            sockets[name] = _bind(name, port_base)
    except SandboxStartError:
        for sock in sockets.values():
            sock.close()
        raise
    servers = {name: _server(build, material) for name, build in builds.items()}
    thread = threading.Thread(
        target=_serve_all,
        args=([(servers[name], sockets[name]) for name in builds],),
        name="ledgerbridge-sandbox",
        daemon=True,
    )
    thread.start()
    urls = {name: _url(sock, material) for name, sock in sockets.items()}
    running = RunningSandbox(
        urls=urls,
        info={},
        emulators=builds,
        sandbox_file=None,
        tls=material,
        _servers=list(servers.values()),
        _thread=thread,
    )
    try:
        _wait_until_answering(running, startup_timeout)
    except BaseException:
        running.stop()
        raise
    running.info = _sandbox_info(builds, sockets, material)
    if write_files:
        running.sandbox_file = _write_private_json(state_dir / SANDBOX_FILE, running.info)
    return running


def run_sandbox(
    seed: str = "demo",
    tls: bool = False,
    port_base: int = DEFAULT_PORT_BASE,
    workdir: Path | str = ".",
    *,
    out: TextIO = sys.stdout,
) -> None:
    """Start the sandbox and serve in the foreground until Ctrl-C or SIGTERM."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        with start_sandbox(seed=seed, tls=tls, port_base=port_base, workdir=workdir) as running:
            for name, url in running.urls.items():
                print(f"{name:<10} {url}", file=out)
            print(f"wrote {running.sandbox_file}", file=out)
            if running.tls is not None:
                print(f"CA certificate: {running.tls.ca_cert} (trust it via SSL_CERT_FILE)", file=out)
            print("sandbox is up; press Ctrl-C to stop", file=out, flush=True)
            while not stop.wait(0.5):
                pass
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a foreground sandbox is meant to end; leaving the block stopped the servers
    finally:
        signal.signal(signal.SIGTERM, previous)
    print("sandbox stopped", file=out)


# --- internals ------------------------------------------------------------------------------------------


def _bind(name: str, port_base: int | None) -> socket.socket:
    port = 0 if port_base is None else port_for(name, port_base)
    # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP,
    # and without it every response with a body waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError as exc:
        sock.close()
        raise SandboxStartError(
            f"cannot listen on {LOOPBACK}:{port} for {name} ({exc.strerror}); "
            "is another sandbox running? Pick other ports with --port-base."
        ) from exc
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _server(build: EmulatorBuild, material: TLSMaterial | None) -> uvicorn.Server:
    config = uvicorn.Config(
        build.app,
        log_level="warning",
        log_config=None,  # never reconfigure the host process's logging
        access_log=False,
        lifespan="on",
        ssl_certfile=str(material.server_cert) if material else None,
        ssl_keyfile=str(material.server_key) if material else None,
    )
    return uvicorn.Server(config)


def _serve_all(pairs: list[tuple[uvicorn.Server, socket.socket]]) -> None:
    async def serve() -> None:
        await asyncio.gather(*(server.serve(sockets=[sock]) for server, sock in pairs))

    try:
        asyncio.run(serve())
    finally:
        for _, sock in pairs:
            sock.close()


def _port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def _url(sock: socket.socket, material: TLSMaterial | None) -> str:
    scheme = "https" if material else "http"
    return f"{scheme}://{LOOPBACK}:{_port(sock)}"


def _wait_until_answering(running: RunningSandbox, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    verify: Any = str(running.tls.ca_cert) if running.tls else True
    with httpx.Client(verify=verify, timeout=5.0, trust_env=False) as client:
        for name, url in running.urls.items():
            while True:
                if not running._thread.is_alive():
                    raise SandboxStartError(f"the sandbox server thread stopped while starting {name}")
                try:
                    if client.get(f"{url}/_sandbox/stats").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SandboxStartError(f"{name} did not answer at {url} within {timeout:.0f} s")
                time.sleep(0.05)


def _sandbox_info(
    builds: Mapping[str, EmulatorBuild], sockets: Mapping[str, socket.socket], material: TLSMaterial | None
) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for name, build in builds.items():
        port = _port(sockets[name])
        entry: dict[str, Any] = {"base_url": _url(sockets[name], material), **build.info}
        if material is not None and build.vendor_host:
            entry["vendor_base_url"] = f"https://{build.vendor_host}:{port}"
        info[name] = entry
    if material is not None:
        info["ca_cert"] = str(material.ca_cert)
    return info


def _write_private_json(path: Path, document: Mapping[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_CREAT
    return path
