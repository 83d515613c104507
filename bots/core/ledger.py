"""The publish bot's memory: what it published where, one SQLite file per wiki.

For every page the bot published, the ledger keeps the content hash and the
revision id it made. That makes runs resumable and idempotent (a rerun after
kill -9 skips what is already recorded and finishes the rest) and tells the
bot when someone else edited a page since (the page's current revid is not
the recorded one).

Durability: WAL journal with ``synchronous=FULL``. In WAL mode ``NORMAL``
already survives a killed process; ``FULL`` also fsyncs the WAL on every
commit, so a power cut or OS crash cannot lose a recorded publish either. The
fsync costs milliseconds, and the bot commits at most once per wiki edit,
which takes far longer, so the stronger setting is free here.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so a second
process on the same file waits (``busy_timeout``) instead of failing.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

__all__ = ["content_hash", "LedgerEntry", "Ledger"]

_SCHEMA_VERSION = "1"
_CHUNK = 500  # titles per SQL IN (...): well under SQLite's variable limit
_PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's rtrim() strips; str.rstrip() would take more

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    title TEXT PRIMARY KEY,
    sha1 TEXT NOT NULL,
    revid INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    run_id TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    command TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    status TEXT NOT NULL,
    counts TEXT
);
"""


def content_hash(text: str) -> str:
    """SHA-1 (hex) of `text` as MediaWiki stores it when the bot saves it.

    The API normalises input to NFC, and saving normalises line endings to
    "\\n" and strips trailing whitespace (TextContent::normalizeLineEndings),
    so the hash matches the ``sha1`` the API reports for the saved revision.
    """
    text = unicodedata.normalize("NFC", text).rstrip(_PHP_WHITESPACE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerEntry:
    """The bot's last publish of one page."""

    title: str
    sha1: str  # content_hash() of the published text
    revid: int  # revision the publish created (or found, for a null edit)
    timestamp: str  # of that revision, ISO 8601
    run_id: str | None = None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Ledger:
    """One wiki's ledger file; safe to open from several processes at once."""

    def __init__(self, path: str | Path, wiki: str, *, busy_timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.wiki = wiki
        # Autocommit mode: we issue BEGIN IMMEDIATE ourselves, so a write
        # never starts as a reader and then fails to upgrade its lock.
        # One connection shared by the publish bot's reader and writer threads, one call at a time.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            self._wal(busy_timeout)
            self._db.execute("PRAGMA synchronous = FULL")
            self._claim(wiki)
        except BaseException:
            self._db.close()
            raise

    def _wal(self, busy_timeout: float) -> None:
        """Switch a new file to WAL. Two processes opening a new file at once both try, and SQLite
        answers the second "database is locked" at once, without the busy timeout: retry it."""
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _claim(self, wiki: str) -> None:
        """Create the tables and tie a new file to `wiki`; refuse another wiki's file."""
        with self._transaction() as db:
            # One statement at a time: executescript() would COMMIT our transaction.
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('wiki', ?)", (wiki,))
            db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (_SCHEMA_VERSION,))
            stored = dict(db.execute("SELECT key, value FROM meta"))
        if stored["wiki"] != wiki:
            raise ValueError(f"{self.path} is the ledger of {stored['wiki']!r}, not of {wiki!r}")
        if stored["schema"] != _SCHEMA_VERSION:
            raise ValueError(f"{self.path} has ledger schema {stored['schema']}, expected {_SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- pages ----------------------------------------------------------------

    def get(self, title: str) -> LedgerEntry | None:
        """The recorded publish of `title`, or None if the bot never published it."""
        with self._lock:
            row = self._db.execute("SELECT * FROM pages WHERE title = ?", (title,)).fetchone()
        return LedgerEntry(*row) if row else None

    def get_many(self, titles: Iterable[str]) -> dict[str, LedgerEntry]:
        """Recorded publishes of `titles` by title; titles never published are absent."""
        wanted = list(dict.fromkeys(titles))
        found: dict[str, LedgerEntry] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                rows = self._db.execute(f"SELECT * FROM pages WHERE title IN ({marks})", chunk).fetchall()
            for row in rows:
                found[row[0]] = LedgerEntry(*row)
        return found

    def record(self, title: str, sha1: str, revid: int, timestamp: str, run_id: str | None = None) -> None:
        """Record one publish; committed (and fsynced) before this returns."""
        self.record_many([(title, sha1, revid, timestamp)], run_id)

    def record_many(self, rows: Iterable[tuple[str, str, int, str]], run_id: str | None = None) -> None:
        """Record (title, sha1, revid, timestamp) rows in one transaction: all or none."""
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO pages (title, sha1, revid, timestamp, run_id) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (title) DO UPDATE SET sha1 = excluded.sha1, revid = excluded.revid,"
                " timestamp = excluded.timestamp, run_id = excluded.run_id",
                ((title, sha1, int(revid), timestamp, run_id) for title, sha1, revid, timestamp in rows),
            )

    # --- runs -----------------------------------------------------------------

    def start_run(self, command: str) -> str:
        """Open a run (status "running") and return its id; ids sort by start time."""
        started = _now()
        run_id = f"{started.replace('-', '').replace(':', '')}-{secrets.token_hex(4)}"
        with self._transaction() as db:
            db.execute(
                "INSERT INTO runs (id, command, started, status) VALUES (?, ?, ?, 'running')",
                (run_id, command, started),
            )
        return run_id

    def finish_run(self, run_id: str, status: str, counts: dict) -> None:
        """Close a run with its final status and counts; ValueError for an unknown id."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET finished = ?, status = ?, counts = ? WHERE id = ?",
                (_now(), status, json.dumps(counts, sort_keys=True), run_id),
            )
            if cursor.rowcount != 1:
                raise ValueError(f"no run {run_id!r} in {self.path}")

    def last_run(self) -> dict | None:
        """The most recently started run as a dict (counts decoded), or None."""
        row = self._db.execute(
            "SELECT id, command, started, finished, status, counts FROM runs ORDER BY rowid DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        keys = ("id", "command", "started", "finished", "status", "counts")
        run = dict(zip(keys, row))
        run["counts"] = json.loads(run["counts"]) if run["counts"] is not None else None
        return run

    # --- lifetime -------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
