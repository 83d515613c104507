"""A bounded cost per page: parse wiki text in worker processes that are replaced when they overrun.

Anyone can edit a wiki, and mwparserfromhell tokenizes some text in quadratic time (its issue #364):
one vandal's page must not stall a scheduled check. Signals cannot interrupt the C tokenizer, so the
work runs in child processes, and a child that overruns its page's budget is killed and replaced:

- CPU: the parent's watchdog thread reads each busy worker's CPU clock (clock_getcpuclockid) every
  `POLL` seconds and kills it once the page in hand has used `cpu_seconds`; an RLIMIT_CPU set before
  each page is the backstop should the parent be unable to look (the kernel then sends SIGXCPU).
- Memory: RLIMIT_AS in the worker (its size at start plus `memory_mb`), so an allocation beyond the
  budget fails (MemoryError; the worker reports the page and is replaced); the watchdog also kills a
  worker whose resident size grew more than `memory_mb` during one page.
- Wall clock: a worker that makes no progress for `wall_seconds` (stopped, or starved for that long)
  is killed too; this is a guard against hangs, not the budget.

An overrun page gives an `OverBudget` in place of its result, with what was measured; the other
pages' results are those of a run without it (a worker killed mid-batch has the rest of its batch
done again by its replacement). Results come back in the order of the input.

Interface (what other code paths call):
    budget = Budget(cpu_seconds=2.0, memory_mb=512)
    with BudgetPool(func, budget, processes=2, chunksize=50) as pool:
        for result in pool.map(items):      # func(item), or an OverBudget/Failed for that item
            ...
        one = pool.run(item)                # a single item, same rules
    run_budgeted(func, item, budget)        # one item in a one-off pool

`func` runs in the forked worker, so it may be any callable (a closure, a bound method): it is
inherited, never pickled; items and results are pickled. Pure: standard library only.
"""
from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

__all__ = ["Budget", "OverBudget", "Failed", "BudgetPool", "run_budgeted", "DEFAULT"]

POLL = 0.05                     # seconds between two looks of the watchdog
FLUSH = 0.25                    # a worker sends what it has done at least this often (seconds)
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Budget:
    """What one page may cost. The defaults are the project's (check-config.yaml can change them)."""

    cpu_seconds: float = 2.0
    memory_mb: int = 512

    @property
    def wall_seconds(self) -> float:
        # Generous: the machine is shared, a worker may wait for a core. Only hangs get here.
        return 10 * self.cpu_seconds + 30

    def describe(self) -> str:
        return f"{self.cpu_seconds:g} s of CPU and {self.memory_mb} MB per page"


DEFAULT = Budget()


@dataclass(frozen=True)
class OverBudget:
    """An item whose work went over the budget (or was refused by a pre-scan); what was measured."""

    kind: str                        # "cpu", "memory", "wall", "shape" (pre-scan), "crashed"
    budget: Budget
    cpu_seconds: float | None = None
    memory_mb: float | None = None
    detail: str = ""

    def message(self) -> str:
        # Names the budget, never the time measured: the same page gives the same finding however busy
        # the machine (or whichever Dask worker ran it). The measured figures stay on the object.
        if self.kind == "cpu":
            what = "parsing was stopped after the CPU time the budget allows"
        elif self.kind == "memory":
            what = f"parsing needed more than {self.budget.memory_mb} MB of memory"
        elif self.kind == "wall":
            what = f"parsing made no progress for {self.budget.wall_seconds:g} s"
        elif self.kind == "shape":
            what = f"not parsed: {self.detail}"
        else:
            what = f"the worker parsing it died ({self.detail})"
        extra = f"; {self.detail}" if self.detail and self.kind in ("cpu", "memory") else ""
        return f"{what}{extra}; the budget is {self.budget.describe()}"


@dataclass(frozen=True)
class Failed:
    """`func` raised on an item (a bug, or input it cannot handle); the run goes on."""

    error: str


def run_budgeted(func: Callable[[Any], Any], item: Any, budget: Budget = DEFAULT,
                 precheck: Callable[[Any], OverBudget | None] | None = None):
    """func(item) in a one-off worker: its result, an OverBudget or a Failed."""
    with BudgetPool(func, budget, processes=1, chunksize=1, precheck=precheck) as pool:
        return pool.run(item)


# -- the worker ----------------------------------------------------------------------------------
def _vm_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _die_with_parent() -> None:
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _cpu() -> float:
    return time.clock_gettime(time.CLOCK_PROCESS_CPUTIME_ID)


def _limit_cpu(budget: Budget) -> None:
    """The kernel's backstop (whole seconds): a little over what the watchdog allows."""
    soft = math.ceil(_cpu() + 2 * budget.cpu_seconds + 2)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ValueError, OSError):
        pass


def _worker(conn, slot, func, precheck, budget: Budget, inherited: list) -> None:
    _die_with_parent()
    for other in inherited:         # the other workers' pipes: their EOF must not depend on us
        other.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))   # a killed worker leaves no core file
        size = _vm_bytes()
        if size is not None:
            limit = size + budget.memory_mb * 1024 * 1024
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard),
                                                    hard))
    except (ValueError, OSError):
        pass
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        if chunk is None:
            os._exit(0)
        out = []
        flushed = time.monotonic()
        for seq, item in chunk:
            slot[0] = -1.0
            slot[1], slot[2] = _cpu(), time.monotonic()
            slot[0] = float(seq)            # written last: the watchdog reads a consistent slot
            _limit_cpu(budget)
            try:
                refused = precheck(item) if precheck is not None else None
                out.append((seq, refused if refused is not None else func(item)))
            except MemoryError:
                used = _cpu() - slot[1]
                slot[0] = -1.0
                out.append((seq, OverBudget("memory", budget, round(used, 2))))
                _send(conn, out, True)
                os._exit(3)                  # the heap is in an unknown state: be replaced
            except Exception as exc:        # noqa: BLE001 - one item must not end the run
                out.append((seq, Failed(f"{type(exc).__name__}: {exc}")))
            if time.monotonic() - flushed > FLUSH:      # a slow chunk: what is done is not lost
                slot[0] = -1.0
                _send(conn, out, False)
                out, flushed = [], time.monotonic()
        slot[0] = -1.0
        _send(conn, out, True)


def _send(conn, out, final: bool) -> None:
    try:
        conn.send((out, final))
    except (OSError, EOFError):
        os._exit(0)
    except MemoryError:
        os._exit(3)


# -- the parent ----------------------------------------------------------------------------------
class _Worker:
    def __init__(self, pool: "BudgetPool") -> None:
        ctx = pool._ctx
        self.conn, child = ctx.Pipe(duplex=True)
        self.slot = ctx.RawArray("d", 3)           # seq in hand (-1: none), its CPU and wall start
        self.slot[0] = -1.0
        inherited = [w.conn for w in pool._workers] + [self.conn]
        self.proc = ctx.Process(target=_worker, args=(child, self.slot, pool.func, pool.precheck, pool.budget,
                                                      inherited), daemon=True)
        self.proc.start()
        child.close()
        self.chunk: list[tuple[int, Any]] = []
        self.killed: OverBudget | None = None      # set by the watchdog before it kills
        self.killed_seq: int | None = None
        self.rss0: int | None = None

    def cpu(self) -> float | None:
        """The worker's CPU time: schedstat's nanoseconds, else stat's clock ticks."""
        try:
            with open(f"/proc/{self.proc.pid}/schedstat") as f:
                return int(f.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            pass
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
            return (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, ValueError, IndexError):
            return None

    def rss(self) -> int | None:
        try:
            with open(f"/proc/{self.proc.pid}/statm") as f:
                return int(f.read().split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            return None

    def in_hand(self) -> tuple[int, float, float] | None:
        s = self.slot
        seq, cpu0, wall0, again = s[0], s[1], s[2], s[0]
        return (int(seq), cpu0, wall0) if seq >= 0 and seq == again else None


class BudgetPool:
    """Worker processes that run `func` on items within a budget each (see the module docstring)."""

    def __init__(self, func: Callable[[Any], Any], budget: Budget = DEFAULT, processes: int = 1,
                 chunksize: int = 1, precheck: Callable[[Any], OverBudget | None] | None = None) -> None:
        self.func, self.budget, self.precheck = func, budget, precheck
        self.processes, self.chunksize = max(1, processes), max(1, chunksize)
        self._ctx = multiprocessing.get_context("fork")
        self._workers: list[_Worker] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._seq = 0
        self.replaced = 0           # workers killed or lost and replaced (for tests and benchmarks)

    # -- lifetime --------------------------------------------------------------------------------
    def __enter__(self) -> "BudgetPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        if self._workers:
            return
        for _ in range(self.processes):
            self._workers.append(_Worker(self))
        self._watchdog = threading.Thread(target=self._watch, name="budget-watchdog", daemon=True)
        self._watchdog.start()

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            workers, self._workers = self._workers, []
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, EOFError):
                pass
        for w in workers:
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(timeout=5)
            w.conn.close()
        if self._watchdog is not None:
            self._watchdog.join(timeout=1)

    # -- the watchdog ----------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._closed.wait(POLL):
            with self._lock:
                workers = list(self._workers)
            for w in workers:
                if w.killed is not None:
                    continue
                hand = w.in_hand()
                if hand is None:
                    w.rss0 = None
                    continue
                seq, cpu0, wall0 = hand
                cpu, rss = w.cpu(), w.rss()
                used = None if cpu is None else cpu - cpu0
                if w.rss0 is None and rss is not None:
                    w.rss0 = rss
                over = None
                if used is not None and used > self.budget.cpu_seconds:
                    over = OverBudget("cpu", self.budget, round(used, 2))
                elif rss is not None and w.rss0 is not None and \
                        rss - w.rss0 > self.budget.memory_mb * 1024 * 1024:
                    over = OverBudget("memory", self.budget, round(used or 0, 2), round(rss / 2**20))
                elif time.monotonic() - wall0 > self.budget.wall_seconds:
                    over = OverBudget("wall", self.budget, None if used is None else round(used, 2))
                if over is not None and w.in_hand() == hand:
                    w.killed, w.killed_seq = over, seq
                    try:
                        os.kill(w.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    # -- the work --------------------------------------------------------------------------------
    def run(self, item: Any):
        """One item: its result, an OverBudget or a Failed."""
        return next(iter(self.map([item])))

    def map(self, items: Iterable[Any]) -> Iterator[Any]:
        """func(item) for each item, in order; an OverBudget or Failed in place of an item that
        overran or raised. An exception raised by `items` itself is raised after the results of
        the items read before it."""
        self._start()
        source = iter(items)
        todo: deque[tuple[int, Any]] = deque()         # read, not yet sent (or sent again)
        done: dict[int, Any] = {}
        tries: dict[int, int] = {}
        next_out = self._seq
        window = self.processes * self.chunksize * 4
        try:
            yield from self._drive(source, todo, done, tries, next_out, window)
        finally:
            self._abandon()

    def _drive(self, source, todo, done, tries, next_out, window) -> Iterator[Any]:
        exhausted, failure = False, None
        while True:
            while not exhausted and len(todo) < window and self._seq < next_out + window:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                except Exception as exc:     # noqa: BLE001 - raised once what was read is done
                    exhausted, failure = True, exc
                    break
                todo.append((self._seq, item))
                self._seq += 1
            self._feed(todo)
            busy = [w for w in self._workers if w.chunk]
            if not busy and not todo:
                if exhausted:
                    break
                continue
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=POLL * 4)
            for w in busy:
                if w.conn in ready or w.proc.sentinel in ready:
                    self._collect(w, todo, done, tries)
            # An idle worker gets the pages already read at once, before the caller handles the
            # results and before more are read: reading first left it waiting (~10 ms a chunk of
            # dump pages). The feed after reading is for the first chunks and for an empty queue.
            self._feed(todo)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
        if failure is not None:
            raise failure

    def _feed(self, todo: deque) -> None:
        for w in self._workers:
            if not w.chunk and todo:
                w.chunk = [todo.popleft() for _ in range(min(self.chunksize, len(todo)))]
                try:
                    w.conn.send(w.chunk)
                except (OSError, EOFError):
                    pass               # it died: found in _collect

    def _abandon(self) -> None:
        """The caller stopped reading (or raised): workers still busy are replaced, so that their
        late answers never reach the next map."""
        for w in [w for w in self._workers if w.chunk]:
            try:
                os.kill(w.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            w.proc.join(timeout=5)
            w.chunk = []
            with self._lock:
                w.conn.close()
                if not self._closed.is_set():
                    self._workers[self._workers.index(w)] = _Worker(self)

    def _collect(self, w: _Worker, todo: deque, done: dict, tries: dict) -> None:
        """Results from a worker; when it died, the page it died on and the rest of its chunk again."""
        final = False
        try:
            while w.conn.poll():
                results, final = w.conn.recv()
                for seq, result in results:
                    done[seq] = result
                if final:
                    break
        except (EOFError, OSError):
            final = False
        w.chunk = [(s, i) for s, i in w.chunk if s not in done]
        if final and not w.chunk:
            return
        if w.proc.is_alive() and w.killed is None and not final:
            if w.proc.sentinel not in wait([w.proc.sentinel], timeout=0):
                return                     # more to come (a partial answer, or half a message)
        w.proc.join(timeout=5)             # it died, or answered in part on its way out
        self._replace(w, w.chunk, todo, done, tries)

    def _replace(self, w: _Worker, rest: list, todo: deque, done: dict, tries: dict) -> None:
        culprit = w.killed_seq
        if culprit is None:
            hand = w.slot[0]
            culprit = int(hand) if hand >= 0 else None
        verdict = w.killed
        if verdict is None and culprit is not None:
            code = w.proc.exitcode
            why = (f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}")
            if code == -signal.SIGXCPU:
                verdict = OverBudget("cpu", self.budget, detail="stopped by the kernel's CPU limit")
            else:
                verdict = OverBudget("crashed", self.budget, detail=why)
        again = []
        for seq, item in rest:
            if seq == culprit:
                done[seq] = verdict
                continue
            if culprit is None:            # a death no page is known for: each may be the one
                tries[seq] = tries.get(seq, 0) + 1
                if tries[seq] > 2:
                    done[seq] = OverBudget("crashed", self.budget, detail="its worker died three times")
                    continue
            again.append((seq, item))
        todo.extendleft(reversed(again))
        with self._lock:
            index = self._workers.index(w)
            w.conn.close()
            self.replaced += 1
            if not self._closed.is_set():
                self._workers[index] = _Worker(self)
