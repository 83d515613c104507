"""The bots' memory of a wiki: what they published where, one SQLite file per wiki.

For every page a bot published, the ledger keeps the text the bot *generated*
for it (compressed), the content hash and revision id of what it saved, and
the page id. The generated text is the base of the three-way merge on the next
publish (bots.core.wikitext.merge): it is what the bot wrote, never the merged revision,
so a person's edit that a publish kept stays theirs through every later one.
The revision makes runs resumable and idempotent (a rerun after kill -9 sees
its own save and finishes the rest) and says who edited since; the page id
finds a page a person moved.

Durability: WAL journal with ``synchronous=FULL``. In WAL mode ``NORMAL``
already survives a killed process; ``FULL`` also fsyncs the WAL on every
commit, so a power cut or OS crash cannot lose a recorded publish either. The
fsync costs milliseconds, and the bot commits at most once per wiki edit,
which takes far longer, so the stronger setting is free here.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so a second
process on the same file waits (``busy_timeout``) instead of failing.

A new file is made complete under a temporary name and renamed into place, so
a file that exists is a ledger; one that is empty, truncated or not SQLite is
refused with a LedgerError that names it and says how to recover, never taken
as an empty memory.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
import os
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

__all__ = ["content_hash", "stored_text", "same_content", "LedgerEntry", "Ledger", "LedgerError"]

_SCHEMA_VERSION = "2"
_CHUNK = 500  # titles per SQL IN (...): well under SQLite's variable limit
_PHP_WHITESPACE = " \t\n\r\0\x0b"  # what PHP's rtrim() strips; str.rstrip() would take more

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    title TEXT PRIMARY KEY,
    sha1 TEXT NOT NULL,
    revid INTEGER NOT NULL,
    timestamp TEXT NOT NULL,
    run_id TEXT,
    pageid INTEGER,
    generated BLOB,
    mode TEXT
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


def stored_text(text: str) -> str:
    """`text` as MediaWiki stores it when a bot saves it.

    The API normalises input to NFC, and saving normalises line endings to
    "\\n" and strips trailing whitespace (TextContent::normalizeLineEndings).
    """
    text = unicodedata.normalize("NFC", text).rstrip(_PHP_WHITESPACE)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """SHA-1 (hex) of `text` as stored: the ``sha1`` the API reports for the saved revision."""
    return hashlib.sha1(stored_text(text).encode("utf-8")).hexdigest()


def same_content(a: str, b: str) -> bool:
    """The one test of "unchanged": the two texts would be stored alike."""
    return a == b or stored_text(a) == stored_text(b)


class LedgerError(RuntimeError):
    """The ledger file cannot be used (corrupt, truncated, another program's); the message names it
    and says how to recover."""


@dataclass(frozen=True)
class LedgerEntry:
    """The bot's last publish of one page."""

    title: str
    sha1: str  # content_hash() of the published text
    revid: int  # revision the publish created (or found, for a null edit)
    timestamp: str  # of that revision, ISO 8601
    run_id: str | None = None
    pageid: int | None = None  # the page's id when the bot saved it (None: not known)
    generated: str | None = None  # the text the bot generated for it (None: not known)
    # "merge": the bot made the page, its generated text is the merge base; "regions": a page the
    # bot did not make, into which it writes only its generated regions. None: an older ledger.
    mode: str | None = None


def _pack(text: str | None) -> bytes | None:
    return None if text is None else zlib.compress(text.encode("utf-8"), 6)


def _entry(row) -> LedgerEntry:
    title, sha1, revid, timestamp, run_id, pageid, generated, mode = row
    return LedgerEntry(title, sha1, revid, timestamp, run_id, pageid,
                       None if generated is None else zlib.decompress(generated).decode("utf-8"), mode)


_COLUMNS = "title, sha1, revid, timestamp, run_id, pageid, generated, mode"
_RECOVER = ("move it aside (or restore a backup) and run again: without a ledger the bots treat every "
            "existing page as not published by them, so plain pages are skipped and records update only "
            "their generated regions; nothing a person wrote is overwritten")


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
        if not self.path.exists():
            self._create(wiki, busy_timeout)
        elif self.path.stat().st_size == 0:
            raise LedgerError(f"the ledger {self.path} is empty (0 bytes): it was truncated; {_RECOVER}")
        self._db = self._open(self.path, busy_timeout)
        try:
            self._claim(wiki)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise LedgerError(f"the ledger {self.path} is unreadable ({exc}); {_RECOVER}") from None
        except BaseException:
            self._db.close()
            raise

    @staticmethod
    def _open(path: Path, busy_timeout: float) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            Ledger._wal(db, busy_timeout)
            db.execute("PRAGMA synchronous = FULL")
        except sqlite3.DatabaseError as exc:
            db.close()
            raise LedgerError(f"the ledger {path} is not a ledger or is corrupt ({exc}); {_RECOVER}") from None
        return db

    def _create(self, wiki: str, busy_timeout: float) -> None:
        """A new ledger, complete before it appears under its name. Two processes may race to make
        it: the link never replaces a file, so the first one's ledger is the one both use."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        db = self._open(tmp, busy_timeout)
        try:
            self._db = db
            self._claim(wiki)
            db.execute("PRAGMA journal_mode = DELETE")   # no -wal file left beside the temporary name
        finally:
            db.close()
        try:
            os.link(tmp, self.path)      # never replaces a ledger another process made meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)

    @staticmethod
    def _wal(db: sqlite3.Connection, busy_timeout: float) -> None:
        """Switch a new file to WAL. Two processes opening a new file at once both try, and SQLite
        answers the second "database is locked" at once, without the busy timeout: retry it."""
        deadline = time.monotonic() + busy_timeout
        while True:
            try:
                db.execute("PRAGMA journal_mode = WAL")
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
            if stored["schema"] == "1":
                # Version 1 knew no generated text and no page id: those pages merge as before
                # (the bot's own revision is its text) until the next publish records them.
                columns = {row[1] for row in db.execute("PRAGMA table_info(pages)")}
                for column, kind in (("pageid", "INTEGER"), ("generated", "BLOB"), ("mode", "TEXT")):
                    if column not in columns:
                        db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")
                db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (_SCHEMA_VERSION,))
                stored["schema"] = _SCHEMA_VERSION
        if stored["wiki"] != wiki:
            raise ValueError(f"{self.path} is the ledger of {stored['wiki']!r}, not of {wiki!r}")
        if stored["schema"] != _SCHEMA_VERSION:
            raise ValueError(f"{self.path} has ledger schema {stored['schema']}, expected {_SCHEMA_VERSION}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """A file damaged under a running bot: a LedgerError, not a raw traceback. (A busy file is
        an OperationalError and stays one.)"""
        try:
            with self._lock:
                yield
        except sqlite3.DatabaseError as exc:
            if type(exc) is not sqlite3.DatabaseError:
                raise
            raise LedgerError(f"the ledger {self.path} is corrupt ({exc}); {_RECOVER}") from None

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._guard():
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
        with self._guard():
            row = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE title = ?", (title,)).fetchone()
        return _entry(row) if row else None

    def get_many(self, titles: Iterable[str]) -> dict[str, LedgerEntry]:
        """Recorded publishes of `titles` by title; titles never published are absent."""
        wanted = list(dict.fromkeys(titles))
        found: dict[str, LedgerEntry] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            with self._guard():
                rows = self._db.execute(f"SELECT {_COLUMNS} FROM pages WHERE title IN ({marks})",
                                        chunk).fetchall()
            for row in rows:
                found[row[0]] = _entry(row)
        return found

    def record(self, title: str, sha1: str, revid: int, timestamp: str, run_id: str | None = None, *,
               pageid: int | None = None, generated: str | None = None, mode: str | None = None) -> None:
        """Record one publish; committed (and fsynced) before this returns."""
        self.record_many([(title, sha1, revid, timestamp, pageid, generated, mode)], run_id)

    def record_many(self, rows: Iterable[tuple], run_id: str | None = None) -> None:
        """Record (title, sha1, revid, timestamp[, pageid, generated, mode]) rows in one transaction:
        all or none. A pageid, generated text or mode of None keeps the one recorded before."""
        def full(row: tuple) -> tuple:
            title, sha1, revid, timestamp, *rest = row
            pageid, generated, mode = (list(rest) + [None, None, None])[:3]
            return (title, sha1, int(revid), timestamp, run_id, pageid, _pack(generated), mode)

        with self._transaction() as db:
            db.executemany(
                f"INSERT INTO pages ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (title) DO UPDATE SET sha1 = excluded.sha1, revid = excluded.revid,"
                " timestamp = excluded.timestamp, run_id = excluded.run_id,"
                " pageid = coalesce(excluded.pageid, pages.pageid),"
                " generated = coalesce(excluded.generated, pages.generated),"
                " mode = coalesce(excluded.mode, pages.mode)",
                (full(row) for row in rows),
            )

    def forget(self, title: str) -> None:
        """Drop what is known of a page (it is to be made anew, e.g. re-created after a deletion)."""
        with self._transaction() as db:
            db.execute("DELETE FROM pages WHERE title = ?", (title,))

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
