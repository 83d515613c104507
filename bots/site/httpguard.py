"""The write guard at the HTTP layer (site layer): every request a writing bot sends, redirects
included, is checked on the host the client is about to connect to, before any connection opens.

requests picks the urllib3 connection pool for a request in `HTTPAdapter.get_connection_with_tls_context`
(requests >= 2.32); the pool's `host` is what urllib3 connects to, from the same parse of the URL
that chooses the pool, so no second parse can disagree with it. Creating a pool opens nothing.
Through a proxy the pool is the proxy's: then the request's own target (the same parse) is checked,
and a loopback target is refused (the proxy would carry it to another machine's loopback).

pywikibot sends everything through one requests.Session (pywikibot.comms.http.session): mounting
the guarded adapter on it covers login, reads and writes alike. The site layer raises a subclass of
RequestRefused that is also a pywikibot FatalServerError, so that pywikibot does not retry it (this
module does not import pywikibot: importing it reads the configuration).
"""
from __future__ import annotations

from typing import Iterable

import requests
from requests.adapters import HTTPAdapter
from requests.utils import select_proxy

from bots.core.writeguard import WriteRefused, check_host, is_loopback_host

__all__ = ["GuardedAdapter", "guard_session", "RequestRefused"]

class RequestRefused(WriteRefused):
    """A request to a host the bots may not write to, stopped before it was sent."""


class GuardedAdapter(HTTPAdapter):
    def __init__(self, allowed_hosts: Iterable[str] = (), refusal: type[RequestRefused] = RequestRefused,
                 **kwargs) -> None:
        self.allowed_hosts = tuple(allowed_hosts)
        self.refusal = refusal
        super().__init__(**kwargs)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
        if select_proxy(request.url, proxies):
            target = self.build_connection_pool_key_attributes(request, verify, cert)[0]["host"]
            if is_loopback_host(target):
                raise self.refusal(f"refusing to send {request.method} {request.url} through a proxy: a "
                                     "loopback wiki is on this machine (set NO_PROXY=127.0.0.1,localhost)")
        else:
            target = pool.host
        try:
            check_host(target, self.allowed_hosts, f"{request.method} {request.url}")
        except WriteRefused as exc:
            raise self.refusal(str(exc)) from None
        return pool


def guard_session(session: requests.Session, allowed_hosts: Iterable[str] = (),
                  refusal: type[RequestRefused] = RequestRefused) -> None:
    """Mount the guarded adapter for http:// and https:// on `session` (again: new allowed hosts)."""
    for prefix in ("http://", "https://"):
        session.mount(prefix, GuardedAdapter(allowed_hosts, refusal))
