"""Base URLs and hosts: https everywhere except loopback (the sandbox runs on 127.0.0.1 without TLS)."""

from __future__ import annotations

import ipaddress
import re

import httpx

from ledgerbridge.config.base import invalid

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME_RE = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")


def is_loopback(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1``: traffic that never leaves the machine."""
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_valid_host(host: str) -> bool:
    """A DNS name or an IP address literal."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return bool(_HOSTNAME_RE.fullmatch(host))
    return True


def _shown(value: str) -> str:
    # a URL with user info or a query string may carry a credential: do not echo it
    return "the URL" if ("@" in value or "?" in value) else f"'{value}'"


def check_base_url(value: str) -> str:
    """A validated ``http(s)://host[:port][/path]`` without a trailing slash."""
    try:
        url = httpx.URL(value.strip())
    except (httpx.InvalidURL, TypeError):
        raise invalid(
            f"{_shown(value)} is not a valid URL", "write it as https://host[:port][/path]"
        ) from None
    if url.scheme not in ("http", "https") or not url.host or not is_valid_host(url.host):
        raise invalid(f"{_shown(value)} is not a valid URL", "write it as https://host[:port][/path]")
    if url.username or url.password:
        raise invalid(
            "the URL contains a user name or password",
            "remove them from the URL; credentials go in the connection's credential fields as references",
        )
    if url.query or url.fragment:
        raise invalid("the URL has a query string or fragment", "give only scheme, host, port and path")
    if url.scheme == "http" and not is_loopback(url.host):
        raise invalid(
            f"plain http is only allowed for loopback hosts, not '{url.host}'",
            f"use https://{url.netloc.decode('ascii')}{url.path} (credentials must never travel unencrypted)",
        )
    return str(url).rstrip("/")
