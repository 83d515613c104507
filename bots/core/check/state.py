"""What a live check run leaves for the next `-since:last-run`: one row per page (its findings, fixes,
cross-page summary and cross-page findings) in an SQLite file, and when the run started (the
wiki's clock).

One file per wiki and scope (the page generator options): a nightly `-cat:Earth-1389` job and an
all-pages job keep separate states. A state made under another configuration (rules switched
off, severities, exceptions, the page budget) is not reused: the next run is a full one.

Why SQLite (the standard library's sqlite3) and not one pickle: an incremental run reads only the
rows of the pages it changed and of the pages whose cross-page findings they can affect (found
through the indexes by link target, redirect target and duplicate-event key), and writes only
those rows, in one transaction: its cost follows what changed, not the size of the wiki, and a run
killed while saving leaves the old state (SQLite's journal rolls the transaction back). A full run
writes a new file and renames it over the old one.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from pathlib import Path
from typing import Iterable, Iterator

from bots.core.check.config import CheckConfig

__all__ = ["Row", "StateStore", "state_path", "config_fingerprint", "open_state", "save_full", "dup_keys"]

_VERSION = "3"
_PICKLED = ("findings", "edits", "used", "summary", "cross", "cross_used", "dup", "dup_used")
_COLUMNS = ("title", "ord", "universe", *_PICKLED, "redirect", "key_title", "key_name", "flagged")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE page (
    title TEXT PRIMARY KEY,
    ord REAL NOT NULL,          -- the page's place in the order read (duplicate-event names in it)
    universe TEXT,              -- the universe the report gives the page's findings
    findings BLOB, edits BLOB, used BLOB,       -- page rules: findings, fixes, exceptions used
    summary BLOB,               -- the cross-page summary (rules.crosspage.PageSummary)
    cross BLOB, cross_used BLOB,                -- cross-page findings but duplicate-event
    dup BLOB, dup_used BLOB,                    -- duplicate-event
    redirect TEXT, key_title TEXT, key_name TEXT,
    flagged INTEGER NOT NULL    -- 1 when the page has anything the result reports
) WITHOUT ROWID;
CREATE TABLE link (target TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (target, source)) WITHOUT ROWID;
CREATE TABLE existing (title TEXT PRIMARY KEY) WITHOUT ROWID;
"""
_INDEXES = """
CREATE INDEX page_redirect ON page(redirect) WHERE redirect IS NOT NULL;
CREATE INDEX page_key_title ON page(key_title) WHERE key_title IS NOT NULL;
CREATE INDEX page_key_name ON page(key_name) WHERE key_name IS NOT NULL;
CREATE INDEX page_flagged ON page(title) WHERE flagged = 1;
"""
_CHUNK = 500          # titles per IN (...) query, well under SQLite's variable limit


class Row(dict):
    """One page's row, the pickled columns unpickled (None when empty)."""


def state_path(state_dir: Path, wiki: str, scope: str) -> Path:
    key = hashlib.sha1(f"{wiki}\n{scope}".encode()).hexdigest()[:16]
    return state_dir / f"check-{key}.sqlite"


def config_fingerprint(config: CheckConfig) -> str:
    parts = (sorted(config.disabled), sorted((k, v.value) for k, v in config.severities.items()),
             sorted(config.exceptions), config.budget)
    return hashlib.sha1(repr(parts).encode()).hexdigest()


def dup_keys(summary) -> tuple[str | None, str | None]:
    """The page's two duplicate-event group keys (as UniverseIndex._duplicates groups), as text."""
    if summary is None or summary.universe is None or not summary.content:
        return None, None
    from bots.core.wikitext.universe import base_title
    by_title = "\x1f".join(("title", summary.universe, base_title(summary.title)))
    by_name = ("\x1f".join(("name", summary.universe, summary.name_key, summary.date_key))
               if summary.name_key else None)
    return by_title, by_name


def _dump(value) -> bytes | None:
    return None if value is None or value == [] or value == set() else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _load(blob: bytes | None):
    return None if blob is None else pickle.loads(blob)   # noqa: S301 - our own file, in our state folder


def encode(row: dict) -> tuple:
    """A row's values in column order, the pickled columns pickled and `flagged` computed."""
    blobs = {k: _dump(row.get(k)) for k in _PICKLED}
    flagged = int(any(blobs[k] is not None for k in _PICKLED if k != "summary"))
    return (row["title"], row["ord"], row.get("universe"), *(blobs[k] for k in _PICKLED),
            row.get("redirect"), row.get("key_title"), row.get("key_name"), flagged)


class StateStore:
    """An open state file. `rows_read` and `rows_written` count the page rows read and written."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.meta = dict(db.execute("SELECT key, value FROM meta"))
        self.rows_read = 0
        self.rows_written = 0

    @property
    def started(self) -> str:
        return self.meta["started"]

    @property
    def revisions(self) -> tuple[int, int] | None:
        low, high = self.meta.get("rev_low"), self.meta.get("rev_high")
        return (int(low), int(high)) if low and high else None

    def close(self) -> None:
        self.db.close()

    def _in(self, sql: str, keys: Iterable) -> Iterator[tuple]:
        keys = list(keys)
        for i in range(0, len(keys), _CHUNK):
            part = keys[i:i + _CHUNK]
            yield from self.db.execute(sql.format(",".join("?" * len(part))), part)

    def rows(self, titles: Iterable[str]) -> dict[str, Row]:
        """The rows of these titles (those that have one)."""
        out = {}
        for values in self._in(f"SELECT {', '.join(_COLUMNS)} FROM page WHERE title IN ({{}})", set(titles)):
            out[values[0]] = self._row(values)
        return out

    def _row(self, values: tuple) -> Row:
        self.rows_read += 1
        row = Row(zip(_COLUMNS, values))
        for k in _PICKLED:
            row[k] = _load(row[k])
        return row

    def flagged(self) -> Iterator[Row]:
        """Every row with something to report (findings, fixes, exceptions used)."""
        for values in self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM page WHERE flagged = 1"):
            yield self._row(values)

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM page").fetchone()[0]

    def titles(self) -> set[str]:
        """Every checked title (a scoped run compares them with the scope's listing)."""
        return {t for (t,) in self.db.execute("SELECT title FROM page")}

    def has_page(self, title: str) -> bool:
        return self.db.execute("SELECT 1 FROM page WHERE title = ?", (title,)).fetchone() is not None

    def exists(self, title: str) -> bool:
        return self.db.execute("SELECT 1 FROM existing WHERE title = ?", (title,)).fetchone() is not None

    def linking_to(self, targets: Iterable[str]) -> set[str]:
        return {s for (s,) in self._in("SELECT DISTINCT source FROM link WHERE target IN ({})", set(targets))}

    def redirects_to(self, targets: Iterable[str]) -> set[str]:
        return {t for (t,) in self._in("SELECT title FROM page WHERE redirect IN ({})", set(targets))}

    def in_groups(self, keys: Iterable[str]) -> set[str]:
        keys = set(keys)
        return ({t for (t,) in self._in("SELECT title FROM page WHERE key_title IN ({})", keys)}
                | {t for (t,) in self._in("SELECT title FROM page WHERE key_name IN ({})", keys)})

    def ord_near(self, title: str) -> float:
        """A place in the order read for a new page: between its neighbours by title (the order of
        the wiki's page listing), after the last page when it sorts last."""
        before = self.db.execute("SELECT ord FROM page WHERE title < ? ORDER BY title DESC LIMIT 1",
                                 (title,)).fetchone()
        after = self.db.execute("SELECT ord FROM page WHERE title > ? ORDER BY title LIMIT 1", (title,)).fetchone()
        low, high = (before[0] if before else None), (after[0] if after else None)
        if low is not None and high is not None and high > low:
            return low + (high - low) / 2
        if low is None and high is not None:
            return high - 1.0
        top = self.db.execute("SELECT max(ord) FROM page").fetchone()[0]
        return (top or 0.0) + 1.0

    def write(self, rows: Iterable[dict], gone: Iterable[str],
              links: dict[str, tuple[Iterable[str], Iterable[str]]],
              existence: dict[str, bool], meta: dict[str, str], step=None) -> None:
        """One transaction: `rows` upserted, `gone` deleted, the link rows of `links`' sources
        replaced ({source: (targets before, targets now)}: rows are found by target, so the old
        ones are named), `existence` updated, `meta` set. `step` (tests) is called between statements."""
        step = step or (lambda: None)
        db = self.db
        with db:            # commits at the end, rolls back on an exception
            db.execute("BEGIN IMMEDIATE")
            for title in gone:
                db.execute("DELETE FROM page WHERE title = ?", (title,))
                self.rows_written += 1
                step()
            for row in rows:
                db.execute(f"INSERT OR REPLACE INTO page ({', '.join(_COLUMNS)}) VALUES "
                           f"({', '.join('?' * len(_COLUMNS))})", encode(row))
                self.rows_written += 1
                step()
            for source, (before, now) in links.items():
                db.executemany("DELETE FROM link WHERE target = ? AND source = ?", ((t, source) for t in before))
                db.executemany("INSERT OR IGNORE INTO link (target, source) VALUES (?, ?)",
                               ((t, source) for t in now))
                step()
            for title, exists in existence.items():
                if exists:
                    db.execute("INSERT OR IGNORE INTO existing (title) VALUES (?)", (title,))
                else:
                    db.execute("DELETE FROM existing WHERE title = ?", (title,))
            db.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
            step()
        self.meta.update(meta)


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun explicitly (StateStore.write), none implicitly.
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def open_state(path: Path, wiki: str, scope: str, config: CheckConfig) -> StateStore | None:
    """The saved state, or None when there is none usable (missing, damaged, other
    version/wiki/scope/config)."""
    if not path.is_file():
        return None
    try:
        store = StateStore(_connect(path))
    except sqlite3.Error:
        return None
    expect = {"version": _VERSION, "wiki": wiki, "scope": scope, "config": config_fingerprint(config)}
    if any(store.meta.get(k) != v for k, v in expect.items()) or "started" not in store.meta:
        store.close()
        return None
    return store


def save_full(path: Path, wiki: str, scope: str, config: CheckConfig, started: str, rows: Iterable[dict],
              links: dict[str, Iterable[str]], existing: Iterable[str], revisions: tuple[int, int] | None) -> None:
    """The state of a full run: written to a new file and renamed over the old one, so that a run
    killed while saving leaves the old state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    db = _connect(tmp)
    try:
        db.execute("PRAGMA journal_mode = OFF")       # a new file: nothing to roll back to
        db.execute("PRAGMA synchronous = OFF")        # one fsync, before the rename (below)
        db.execute("BEGIN")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.executemany(f"INSERT INTO page ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                       (encode(r) for r in rows))
        db.executemany("INSERT OR IGNORE INTO link (target, source) VALUES (?, ?)",
                       ((t, s) for s, targets in links.items() for t in targets))
        db.executemany("INSERT OR IGNORE INTO existing (title) VALUES (?)", ((t,) for t in existing))
        for s in _INDEXES.split(";"):
            if s.strip():
                db.execute(s)
        meta = {"version": _VERSION, "wiki": wiki, "scope": scope, "config": config_fingerprint(config),
                "started": started}
        if revisions:
            meta.update(rev_low=str(revisions[0]), rev_high=str(revisions[1]))
        db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
        db.execute("COMMIT")
    finally:
        db.close()
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    path.with_suffix(".pickle").unlink(missing_ok=True)    # the state format before version 3
