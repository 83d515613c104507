"""The loopback guard: bots write only to a wiki on this machine unless a host is explicitly allowed.

Tests and the demo must never touch a real wiki by accident (a stray GMW_API_URL, a copied
user-config.py); a real deployment names its host in GMW_ALLOW_HOSTS.
"""
from __future__ import annotations

import ipaddress
from typing import Iterable
from urllib.parse import urlsplit

__all__ = ["WriteRefused", "is_loopback_host", "check_write_target", "parse_allowed_hosts"]


class WriteRefused(RuntimeError):
    """A write to a host that is neither loopback nor allowed."""


def is_loopback_host(host: str) -> bool:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_allowed_hosts(value: str | None) -> list[str]:
    """GMW_ALLOW_HOSTS: comma- or space-separated host names."""
    return [h.strip().lower() for h in (value or "").replace(",", " ").split() if h.strip()]


def check_write_target(api_url: str, allowed_hosts: Iterable[str] = ()) -> str:
    """Return the host of `api_url`, or raise WriteRefused if the bots may not write there."""
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("http", "https"):
        raise WriteRefused(f"refusing to write: {api_url!r} is not an http(s) URL")
    if is_loopback_host(host) or host in {h.lower() for h in allowed_hosts}:
        return host
    raise WriteRefused(
        f"refusing to write to {host} ({api_url}): the bots write only to a loopback wiki unless the "
        f"host is listed in GMW_ALLOW_HOSTS (e.g. GMW_ALLOW_HOSTS={host})")
