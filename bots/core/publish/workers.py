"""How hard a publish may push a wiki: its edit workers, and its pause when the wiki reports lag.

Pure: the site layer reads the facts once (siteinfo `dbtype`, the account's userinfo `rights`, whether
the wiki runs on this machine) and asks here.

- A wiki we don't run gets requests in series (the API etiquette: one request at a time, the
  server's maxlag obeyed), unless the operator configured more.
- SQLite takes one write at a time for the whole database: a second worker only waits for the lock.
- Our own wiki on a database server (MariaDB/MySQL, PostgreSQL) takes concurrent writes: several
  workers keep PHP and the database busy while one request is on the wire.
- An account without `noratelimit` would run into MediaWiki's edit rate limit with several workers.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["LOCAL_SERVER_DB_WORKERS", "MAX_WORKERS", "WorkerChoice", "edit_workers", "lag_pause"]

LOCAL_SERVER_DB_WORKERS = 4     # measured on the 2-core test machine: 4 beat 2 and 8 on MariaDB
MAX_WORKERS = 16
_SERVER_DBS = {"mysql", "postgres"}   # MediaWiki says "mysql" for MariaDB too


@dataclass(frozen=True)
class WorkerChoice:
    count: int
    why: str


def edit_workers(dbtype: str | None, *, local: bool, rights: frozenset[str] | set[str],
                 configured: int | None = None) -> WorkerChoice:
    """The number of concurrent edit requests for this wiki and account, and why."""
    if configured:
        n = max(1, min(int(configured), MAX_WORKERS))
        return WorkerChoice(n, f"configured (-workers:{configured})")
    if not local:
        return WorkerChoice(1, "a wiki we don't run: requests in series (API etiquette)")
    if (dbtype or "").lower() not in _SERVER_DBS:
        return WorkerChoice(1, f"our own wiki on {'SQLite' if dbtype == 'sqlite' else repr(dbtype or 'an unknown database')}"
                               ", which writes one at a time")
    if "noratelimit" not in rights:
        return WorkerChoice(1, "the account has no noratelimit right: several workers would hit the rate limit")
    return WorkerChoice(LOCAL_SERVER_DB_WORKERS, f"our own wiki on a database server ({dbtype}), which takes "
                                                 "concurrent writes")


def lag_pause(lag: float | None, attempt: int, retry_after: float | None = None, cap: float = 120.0,
              floor: float = 0.5) -> float:
    """Seconds to hold every request after a maxlag answer.

    In proportion to the replication lag the wiki reported (the replicas need about that long to
    catch up), growing with each further maxlag answer to the same request; the server's
    Retry-After only where no lag was reported (MediaWiki sends at least 5 s there, whatever the lag:
    a fixed pause that makes a 1-second lag cost 5). Bounded by `cap`, never zero."""
    attempt = max(1, int(attempt))
    if lag is None or not math.isfinite(lag):
        base = retry_after if retry_after and math.isfinite(retry_after) and retry_after > 0 else 5.0
        return min(max(base, floor), cap)
    return min(max(lag * attempt, floor), cap)
