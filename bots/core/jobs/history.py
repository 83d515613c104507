"""The local run history: one SQLite row per job run (start, end, outcome, exit code, counts, log).

A row is opened when a run starts and closed when it ends. A row left open by a runner that was killed
(SIGKILL, power cut) is closed as "killed" by the next runner that holds the job's lock: only then is it
certain that nobody is still running it.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["History", "Run", "KILLED"]

KILLED = "killed"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    job TEXT NOT NULL,
    trigger TEXT NOT NULL,          -- run | due
    slot TEXT,                      -- the scheduled slot a `due` run was for
    started TEXT NOT NULL,          -- ISO 8601, UTC
    ended TEXT,
    outcome TEXT,                   -- ok findings usage failed stopped busy unavailable timeout killed
    exit_code INTEGER,
    pid INTEGER,
    log TEXT,
    counts TEXT                     -- JSON, from the bot's final -format:json object
);
CREATE INDEX IF NOT EXISTS runs_job ON runs (job, started);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _iso(t: datetime | None) -> str | None:
    return t.astimezone(timezone.utc).isoformat(timespec="seconds") if t else None


def _dt(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


@dataclass(frozen=True)
class Run:
    id: int
    job: str
    trigger: str
    slot: datetime | None
    started: datetime
    ended: datetime | None
    outcome: str | None
    exit_code: int | None
    pid: int | None
    log: str | None
    counts: dict | None

    def as_dict(self) -> dict:
        return {"id": self.id, "job": self.job, "trigger": self.trigger, "slot": _iso(self.slot),
                "started": _iso(self.started), "ended": _iso(self.ended), "outcome": self.outcome,
                "exit_code": self.exit_code, "log": self.log, "counts": self.counts}


class History:
    """The history database; each call is its own short transaction (several runners share it)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def start(self, job: str, started: datetime, trigger: str, pid: int, log: str | None,
              slot: datetime | None = None) -> int:
        cur = self.db.execute(
            "INSERT INTO runs (job, trigger, slot, started, pid, log) VALUES (?, ?, ?, ?, ?, ?)",
            (job, trigger, _iso(slot), _iso(started), pid, log))
        return int(cur.lastrowid)

    def finish(self, run_id: int, ended: datetime, outcome: str, exit_code: int | None,
               counts: dict | None = None) -> None:
        self.db.execute("UPDATE runs SET ended = ?, outcome = ?, exit_code = ?, counts = ? WHERE id = ?",
                        (_iso(ended), outcome, exit_code,
                         json.dumps(counts, sort_keys=True) if counts is not None else None, run_id))

    def close_open(self, job: str, now: datetime) -> list[int]:
        """Close the job's open rows as killed. Call only while holding the job's lock."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM runs WHERE job = ? AND ended IS NULL", (job,))]
        for run_id in ids:
            self.db.execute("UPDATE runs SET ended = ?, outcome = ? WHERE id = ?",
                            (_iso(now), KILLED, run_id))
        return ids

    def runs(self, job: str | None = None, limit: int = 100) -> list[Run]:
        sql, params = "SELECT * FROM runs", ()
        if job is not None:
            sql, params = sql + " WHERE job = ?", (job,)
        rows = self.db.execute(sql + " ORDER BY started DESC, id DESC LIMIT ?", (*params, limit))
        return [self._run(r) for r in rows]

    def last(self, job: str) -> Run | None:
        runs = self.runs(job, limit=1)
        return runs[0] if runs else None

    def last_done(self, job: str) -> datetime | None:
        """Start of the latest run that counts for scheduling: ended, and not killed."""
        row = self.db.execute(
            "SELECT MAX(started) FROM runs WHERE job = ? AND ended IS NOT NULL AND outcome != ?",
            (job, KILLED)).fetchone()
        return _dt(row[0])

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @staticmethod
    def _run(r: tuple) -> Run:
        return Run(r[0], r[1], r[2], _dt(r[3]), _dt(r[4]), _dt(r[5]), r[6], r[7], r[8], r[9],
                   json.loads(r[10]) if r[10] else None)
