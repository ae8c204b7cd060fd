"""Sandbox TLS: a throw-away CA (trustme) and one server certificate for the vendors' host names.

With ``--tls`` an emulator answers ``https://1234567-sb1.suitetalk.api.netsuite.com:<port>`` so clients that
hard-code the vendor's host work once that name resolves to 127.0.0.1 and they trust the CA written to
``.ledgerbridge/sandbox-ca.pem`` (``SSL_CERT_FILE`` for httpx, ``REQUESTS_CA_BUNDLE`` for requests).
The CA lives only as long as the sandbox run: a new one is made at every start.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import trustme

#: always in the certificate, so ``https://127.0.0.1:<port>`` works without any name resolution trick
LOOPBACK_NAMES = ("localhost", "127.0.0.1")


@dataclass(frozen=True, slots=True)
class TLSMaterial:
    """Where the PEM files are: the CA to trust, and the server's certificate chain and key."""

    ca_cert: Path
    server_cert: Path
    server_key: Path
    hosts: tuple[str, ...]


def make_tls_material(hosts: Iterable[str], directory: Path, *, ca_path: Path | None = None) -> TLSMaterial:
    """Create a CA and a server certificate valid for ``hosts`` (wildcards like ``*.example.com`` allowed)
    plus localhost/127.0.0.1; write them under ``directory`` (the CA to ``ca_path`` when given)."""
    names = tuple(dict.fromkeys([*hosts, *LOOPBACK_NAMES]))
    directory.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name="ledgerbridge sandbox")
    server = ca.issue_cert(*names)

    ca_file = ca_path or directory / "sandbox-ca.pem"
    ca_file.parent.mkdir(parents=True, exist_ok=True)
    ca.cert_pem.write_to_path(str(ca_file))
    cert_file = directory / "server-cert.pem"
    cert_file.write_bytes(b"".join(blob.bytes() for blob in server.cert_chain_pems))
    key_file = directory / "server-key.pem"
    # The key is a secret only for the life of the run, but nobody else on the machine needs to read it.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(server.private_key_pem.bytes())
    return TLSMaterial(ca_cert=ca_file, server_cert=cert_file, server_key=key_file, hosts=names)
