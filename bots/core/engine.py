"""Where a bulk run's per-page work runs: `-engine:local` (this machine's process pool, -processes:N),
`-engine:dask` (a Dask LocalCluster of -processes:N workers), `-engine:dask:tcp://HOST:PORT` (an
existing Dask scheduler).

A scheduler runs whatever it is sent, and its workers read our dump and send back our findings: it
is a target like a wiki we write to, so the loopback guard of bots.core.writeguard applies: a
non-loopback scheduler only when its host is listed in GMW_ALLOW_HOSTS.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable

from bots.core.writeguard import WriteRefused, check_host, parse_allowed_hosts

__all__ = ["Engine", "parse_engine", "check_scheduler", "ENGINE_HELP"]

ENGINE_HELP = ("where pages are read and parsed: local (default: this machine's processes, -processes:N),\n"
               "dask (a Dask LocalCluster of -processes:N workers), or dask:tcp://HOST:PORT (a running\n"
               "Dask scheduler; a host other than loopback only if listed in GMW_ALLOW_HOSTS)")
# tcp://host:port, host a DNS name, an IPv4 address or a bracketed IPv6 address; nothing else.
_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})")


@dataclass(frozen=True)
class Engine:
    kind: str                       # "local" or "dask"
    address: str | None = None      # a scheduler's address; None: a LocalCluster

    def __str__(self) -> str:
        return self.kind + (f":{self.address}" if self.address else "")


def parse_engine(raw: str) -> Engine:
    """`local`, `dask` or `dask:tcp://HOST:PORT`; ValueError naming what is wrong."""
    if raw in ("local", "dask"):
        return Engine(raw)
    kind, sep, address = raw.partition(":")
    if kind == "dask" and sep:
        m = _ADDRESS.fullmatch(address)
        if m is None or not 0 < int(m.group(3)) < 65536:
            raise ValueError(f"-engine:dask: takes a scheduler address tcp://HOST:PORT, not {address!r}")
        return Engine("dask", address)
    raise ValueError(f"-engine takes local, dask or dask:tcp://HOST:PORT, not {raw!r}")


def check_scheduler(engine: Engine, allowed_hosts: Iterable[str] | None = None) -> None:
    """WriteRefused unless the scheduler is on loopback or its host is listed (GMW_ALLOW_HOSTS)."""
    if engine.address is None:
        return
    if allowed_hosts is None:
        allowed_hosts = parse_allowed_hosts(os.environ.get("GMW_ALLOW_HOSTS"))
    m = _ADDRESS.fullmatch(engine.address)
    if m is None:
        raise WriteRefused(f"refusing the Dask scheduler {engine.address!r}: not tcp://HOST:PORT")
    try:
        check_host(m.group(2), allowed_hosts, f"Dask scheduler {engine.address}")
    except WriteRefused:
        raise WriteRefused(f"refusing the Dask scheduler {engine.address}: pages and code go only to a loopback "
                           f"scheduler unless its host is listed in GMW_ALLOW_HOSTS (e.g. GMW_ALLOW_HOSTS="
                           f"{m.group(2).strip('[]')})") from None
