"""Running jobs: one lock per job, a subprocess per run, a log file per run, a history row per run.

No pywikibot and no network here: a job is `python -m bots.<bot> ...` in a child process.

The lock is `fcntl.flock` on `<state>/locks/<job>.lock`: the kernel drops it when its holders die, so a
killed runner never leaves a lock that blocks the next run. The child inherits the lock too, and is
asked to die with its runner (Linux PR_SET_PDEATHSIG): a bot whose runner was killed cannot go on
running next to the next run of the same job.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from bots.core.exitcodes import OUTCOMES as _OUTCOMES
from bots.core.jobs.history import KILLED, History
from bots.core.jobs.jobsfile import Job, is_due, job_command

__all__ = ["State", "JobLock", "RunResult", "execute", "run_now", "run_due", "status_rows",
           "final_json", "OUTCOMES", "exit_code_for"]

# What a run's outcome is called for each of the bots' exit codes (the one table, bots.core.exitcodes).
OUTCOMES = {int(code): name for code, name in _OUTCOMES.items()}
TIMEOUT = "timeout"
KILL_GRACE = 5.0   # seconds between SIGTERM and SIGKILL of a job's process group
LAST_DUE = "last_due"


@dataclass(frozen=True)
class State:
    """The state folder: history.sqlite3, locks/, logs/."""

    root: Path

    @property
    def history_path(self) -> Path:
        return self.root / "history.sqlite3"

    def lock_path(self, job: str) -> Path:
        return self.root / "locks" / f"{job}.lock"

    def log_dir(self, job: str) -> Path:
        return self.root / "logs" / job

    def history(self) -> History:
        return History(self.history_path)


class JobLock:
    """A non-blocking exclusive flock on the job's lock file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return False
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)   # closing our descriptor drops our hold on the flock
            self.fd = None

    def held_elsewhere(self) -> bool:
        """True when another process holds the lock (a probe; takes and drops it otherwise)."""
        if self.acquire():
            self.release()
            return False
        return True


@dataclass
class RunResult:
    job: str
    outcome: str
    exit_code: int | None
    started: datetime
    ended: datetime
    log: str | None = None
    counts: dict | None = None
    run_id: int | None = None
    reaped: list[int] = field(default_factory=list)   # open rows closed as killed before this run

    def as_dict(self) -> dict:
        return {"job": self.job, "outcome": self.outcome, "exit_code": self.exit_code,
                "started": self.started.isoformat(timespec="seconds"),
                "ended": self.ended.isoformat(timespec="seconds"), "log": self.log, "counts": self.counts,
                "run_id": self.run_id, "reaped": self.reaped}


def exit_code_for(outcome: str, exit_code: int | None) -> int:
    """The runner's own exit status for a run: the bot's when it is one of ours, else 3 (failed)."""
    if outcome in OUTCOMES.values() and exit_code is not None and exit_code in OUTCOMES:
        return exit_code
    return 3


def final_json(text: str) -> dict | None:
    """The JSON object a bot printed last (-format:json), if its output ends with one."""
    decoder = json.JSONDecoder()
    pos = len(text)
    while True:
        pos = text.rfind("\n{", 0, pos)
        start = pos + 1 if pos >= 0 else (0 if text.startswith("{") else -1)
        if start < 0:
            return None
        try:
            obj, end = decoder.raw_decode(text, start)
        except ValueError:
            obj, end = None, -1
        if isinstance(obj, dict) and not text[end:].strip():
            return obj
        if pos < 0:
            return None


def _counts(obj: dict | None) -> dict | None:
    if not obj:
        return None
    for key in ("counts", "summary"):
        if isinstance(obj.get(key), dict):
            return obj[key]
    return None


class _Interrupted(Exception):
    pass


def _child_setup(parent: int, libc) -> Callable[[], None]:
    def setup() -> None:
        if libc is not None:
            libc.prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG: die with the runner
        if os.getppid() != parent:          # the runner died before prctl took effect
            os._exit(1)
    return setup


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _kill_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def execute(job: Job, lock: JobLock, state: State, history: History, cwd: Path, started: datetime,
            trigger: str = "run", slot: datetime | None = None, python: str = sys.executable) -> RunResult:
    """Run the job once, now, while the caller holds its lock; record it from start to end."""
    log_dir = state.log_dir(job.name)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{started.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log"
    cmd = job_command(job, python)
    clock0 = time.monotonic()
    outcome, code = "failed", None
    with open(log_path, "a", encoding="utf-8") as log:   # O_APPEND: the child shares it
        log.write(f"# job {job.name} ({trigger}) started {started.isoformat(timespec='seconds')}\n"
                  f"# $ {shlex.join(cmd)}\n")
        log.flush()
        run_id = history.start(job.name, started, trigger, os.getpid(), str(log_path), slot)
        old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}

        def interrupted(signum, frame):
            raise _Interrupted(signal.Signals(signum).name)

        proc = None
        try:
            for s in old:
                signal.signal(s, interrupted)
            # GMW_JOB: a bot says which job ran it (the check's report page does).
            proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log,
                                    env={**os.environ, "GMW_JOB": job.name},
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    pass_fds=(lock.fd,) if lock.fd is not None else (),
                                    preexec_fn=_child_setup(os.getpid(), _libc()))
            try:
                code = proc.wait(timeout=job.timeout)
                outcome = OUTCOMES.get(code, "failed")
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                outcome, code = TIMEOUT, proc.returncode
                log.write(f"\n# killed: the timeout of {job.timeout:g} s was exceeded\n")
        except _Interrupted as exc:
            if proc is not None:
                _kill_group(proc)
                code = proc.returncode
            outcome = KILLED
            log.write(f"\n# killed: the runner got {exc}\n")
        except OSError as exc:
            log.write(f"\n# could not start the job: {exc}\n")
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)
    ended = started + timedelta(seconds=time.monotonic() - clock0)
    counts = None
    if outcome not in (TIMEOUT, KILLED):
        counts = _counts(final_json(log_path.read_text(encoding="utf-8", errors="replace")))
    history.finish(run_id, ended, outcome, code, counts)
    return RunResult(job.name, outcome, code, started, ended, str(log_path), counts, run_id)


def run_now(job: Job, state: State, cwd: Path, now: datetime | None = None,
            python: str = sys.executable) -> RunResult | None:
    """`run NAME`: None when another run holds the lock (BUSY)."""
    lock = JobLock(state.lock_path(job.name))
    if not lock.acquire():
        return None
    history = state.history()
    try:
        started = now or datetime.now().astimezone()
        reaped = history.close_open(job.name, started)
        result = execute(job, lock, state, history, cwd, started, "run", None, python)
        result.reaped = reaped
        return result
    finally:
        history.close()
        lock.release()


def run_due(jobs: list[Job], state: State, cwd: Path, now: datetime | None = None,
            window: timedelta = timedelta(minutes=5), python: str = sys.executable,
            report: Callable[[str], None] = lambda s: None) -> list[RunResult]:
    """`due`: run, one after the other, every job whose last slot <= now has no completed run.

    With `now` (a controlled clock) every run is stamped with it; otherwise with the real time.
    """
    fixed = now
    now = now or datetime.now().astimezone()
    history = state.history()
    results = []
    try:
        previous = history.get_meta(LAST_DUE)
        first_since = datetime.fromisoformat(previous) if previous else now - window
        history.set_meta(LAST_DUE, now.isoformat())
        for job in jobs:
            lock = JobLock(state.lock_path(job.name))
            if not lock.acquire():
                report(f"{job.name}: busy (another run holds the lock), skipped")
                continue
            try:
                started = fixed or datetime.now().astimezone()
                reaped = history.close_open(job.name, started)
                if reaped:
                    report(f"{job.name}: run {', '.join(map(str, reaped))} was killed mid-way; recorded")
                # Checked under the lock: a parallel `due` may have just run it.
                slot = is_due(job, now, history.last_done(job.name), first_since,
                              ran_before=history.last(job.name) is not None)
                if slot is None:
                    continue
                report(f"{job.name}: due (slot {slot.isoformat(timespec='minutes')}), running")
                result = execute(job, lock, state, history, cwd, started, "due", slot, python)
                result.reaped = reaped
                results.append(result)
                report(f"{job.name}: {result.outcome}")
            finally:
                lock.release()
    finally:
        history.close()
    return results


RECENT = 10     # runs of each job the status shows


def status_rows(jobs: list[Job], state: State, now: datetime | None = None) -> list[dict]:
    """Per job: its last run, that run's outcome and counts, its next slot (in the future), a slot
    missed since its last completed run (what `due` would run now), and its last RECENT runs.
    Reads only."""
    now = now or datetime.now().astimezone()
    history = state.history()
    try:
        previous = history.get_meta(LAST_DUE)
        first_since = datetime.fromisoformat(previous) if previous else now - timedelta(minutes=5)
        rows = []
        for job in jobs:
            last = history.last(job.name)
            outcome = last.outcome if last else None
            if last and last.ended is None:
                held = JobLock(state.lock_path(job.name)).held_elsewhere()
                outcome = "running" if held else f"{KILLED} (not yet recorded)"
            pending = is_due(job, now, history.last_done(job.name), first_since, last is not None)
            recent = [{"started": r.started.astimezone().isoformat(timespec="seconds"),
                       "outcome": r.outcome or ("running" if r.ended is None else None),
                       "seconds": round((r.ended - r.started).total_seconds(), 1) if r.ended else None,
                       "counts": r.counts} for r in history.runs(job.name, limit=RECENT)]
            rows.append({
                "name": job.name, "bot": job.bot, "schedule": job.schedule.text,
                "last_started": last.started.astimezone().isoformat(timespec="seconds") if last else None,
                "last_ended": last.ended.astimezone().isoformat(timespec="seconds")
                if last and last.ended else None,
                "outcome": outcome, "exit_code": last.exit_code if last else None,
                "counts": last.counts if last else None,
                "due_now": pending is not None,
                "missed": pending.isoformat(timespec="minutes") if pending else None,
                "next_due": job.schedule.next_slot(now).isoformat(timespec="minutes"),
                "recent": recent,
            })
        return rows
    finally:
        history.close()
