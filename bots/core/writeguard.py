"""The loopback guard: bots write only to a wiki on this machine unless a host is explicitly allowed.

Tests and the demo must never touch a real wiki by accident (a stray GMW_API_URL, a copied
user-config.py); a real deployment names its host in GMW_ALLOW_HOSTS.

Two checks, so that no URL can be parsed around them:
- A configured URL is accepted only in a plain form (`url_host`): scheme, host, optional port, path.
  Userinfo (`user@`), backslashes, percent-escapes, spaces and control characters are refused,
  because parsers disagree on them: `urlsplit` reads `http://evil.example\\@127.0.0.1/` as
  127.0.0.1, requests/urllib3 connect to evil.example.
- Every request a writing bot sends is checked again at the HTTP layer, on the host the client is
  about to connect to (bots.site.httpguard), redirects included.
user-config.py decides "local" (throttling off) with the same `is_local_url`.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Iterable

__all__ = ["WriteRefused", "is_loopback_host", "url_host", "is_local_url", "check_write_target", "check_host",
           "parse_allowed_hosts"]

# scheme://host[:port] followed by "/" or the end: a DNS name or an IP literal, nothing else.
_AUTHORITY = re.compile(r"(?i)(https?)://(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]*[a-z0-9.])?)(?::([0-9]{1,5}))?(?=/|$)")
_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


class WriteRefused(RuntimeError):
    """A write to a host that is neither loopback nor allowed."""


def _bare(host: str) -> str:
    host = host.strip().lower()
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 or "localhost" (any case). Not names under .localhost, "localhost." or
    127.0.0.1.nip.io-like names: their address would come from a resolver, not from the name."""
    host = _bare(host)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(url: str) -> str | None:
    """The host of a plain http(s) URL (lowercase, IPv6 without brackets), or None when the URL is
    not plain: userinfo, anything but a port or "/" after the host (a '#', '?', '@' or '%'), a
    backslash, whitespace or a control character anywhere, a port out of range."""
    if not isinstance(url, str) or _UNSAFE.search(url):
        return None
    m = _AUTHORITY.match(url)
    if m is None or (m.group(3) is not None and not 0 < int(m.group(3)) < 65536):
        return None
    return _bare(m.group(2))


def is_local_url(url: str) -> bool:
    """A plain URL to a loopback host: what user-config.py and the bots call the local wiki."""
    host = url_host(url)
    return host is not None and is_loopback_host(host)


def parse_allowed_hosts(value: str | None) -> list[str]:
    """GMW_ALLOW_HOSTS: comma- or space-separated host names."""
    return [_bare(h).rstrip(".") for h in (value or "").replace(",", " ").split() if h.strip()]


def check_host(host: str, allowed_hosts: Iterable[str] = (), what: str = "") -> str:
    """The bare host, or WriteRefused unless it is loopback or listed."""
    bare = _bare(host or "")
    # A listed name matches with or without the trailing dot of a fully qualified name.
    if bare and (is_loopback_host(bare) or bare.rstrip(".") in {_bare(h).rstrip(".") for h in allowed_hosts}):
        return bare
    where = f" ({what})" if what else ""
    raise WriteRefused(
        f"refusing to write to {bare or '(no host)'}{where}: the bots write only to a loopback wiki unless the "
        f"host is listed in GMW_ALLOW_HOSTS (e.g. GMW_ALLOW_HOSTS={bare or 'wiki.example.org'})")


def check_write_target(api_url: str, allowed_hosts: Iterable[str] = ()) -> str:
    """Return the host of `api_url`, or raise WriteRefused if the bots may not write there."""
    host = url_host(api_url)
    if host is None:
        raise WriteRefused(f"refusing to write: {api_url!r} is not a plain http(s) URL (scheme://host[:port]/path; "
                           "userinfo, backslashes, percent-escapes and spaces are not accepted)")
    return check_host(host, allowed_hosts, api_url)
