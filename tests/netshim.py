"""A socket shim for tests: nothing leaves the machine.

Name lookups of anything but a loopback literal or "localhost" fail, connections to anything but a
loopback address fail, and every attempt is recorded, so a test can assert that no request ever
tried to reach another host. Connections to the loopback ports in `allow_ports` really happen (a test
server); others to loopback are refused.
"""
from __future__ import annotations

import ipaddress
import json
import socket
from contextlib import contextmanager

__all__ = ["Shim", "shimmed", "install"]


def _loopback(host) -> bool:
    host = str(host).strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class Shim:
    def __init__(self, allow_ports=(), record: str | None = None) -> None:
        self.allow_ports = set(allow_ports)
        self.lookups: list[str] = []
        self.connects: list[tuple] = []
        self.record = record
        self._saved = None

    @property
    def escaped(self) -> list[str]:
        """Every host or address outside this machine that something tried to reach."""
        return [h for h in self.lookups if not _loopback(h)] + [str(a[0]) for a in self.connects if not _loopback(a[0])]

    def _write(self) -> None:
        if self.record:
            with open(self.record, "w") as f:
                json.dump({"lookups": self.lookups, "connects": [list(map(str, a)) for a in self.connects]}, f)

    def install(self) -> "Shim":
        real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
        shim = self

        def getaddrinfo(host, port, *args, **kwargs):
            shim.lookups.append(str(host))
            shim._write()
            if not _loopback(host):
                raise socket.gaierror(socket.EAI_NONAME, f"netshim: no lookups of {host!r} in tests")
            return real_getaddrinfo(host, port, *args, **kwargs)

        def connect(sock, address):
            shim.connects.append(tuple(address[:2]))
            shim._write()
            if _loopback(address[0]) and address[1] in shim.allow_ports:
                return real_connect(sock, address)
            raise ConnectionRefusedError(f"netshim: no connection to {address!r} in tests")

        self._saved = (real_getaddrinfo, real_connect)
        socket.getaddrinfo = getaddrinfo
        socket.socket.connect = connect
        return self

    def uninstall(self) -> None:
        if self._saved:
            socket.getaddrinfo, socket.socket.connect = self._saved
            self._saved = None


@contextmanager
def shimmed(allow_ports=()):
    shim = Shim(allow_ports).install()
    try:
        yield shim
    finally:
        shim.uninstall()


def install(record: str, allow_ports=()) -> Shim:
    """For a child process: `python -c "import tests.netshim as n; n.install(FILE, [PORT]); ..."`."""
    return Shim(allow_ports, record).install()
