"""The parent's side of the page budget (see bots.core.budget): worker processes, the watchdog that kills
one whose page overran, and the bookkeeping that puts every result back in order and sends the
rest of a dead worker's work to its replacement."""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait
from typing import Any, Callable, Iterable, Iterator

from bots.core.budget.limits import DEFAULT, Budget, OverBudget
from bots.core.budget.worker import TAG_BYTES, tagged, worker_main

__all__ = ["BudgetPool", "run_budgeted"]

POLL = 0.05                     # seconds between two looks of the watchdog
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")


def run_budgeted(func: Callable[[Any], Any], item: Any, budget: Budget = DEFAULT,
                 precheck: Callable[[Any], OverBudget | None] | None = None):
    """func(item) in a one-off worker: its result, an OverBudget or a Failed."""
    with BudgetPool(func, budget, processes=1, chunksize=1, precheck=precheck) as pool:
        return pool.run(item)


class _Worker:
    def __init__(self, pool: "BudgetPool") -> None:
        ctx = pool._ctx
        self.conn, child = ctx.Pipe(duplex=True)
        self.slot = ctx.RawArray("d", 4)       # seq in hand (-1: none), its CPU and wall start, its step
        self.slot[0] = -1.0
        self.tag = ctx.RawArray("B", TAG_BYTES)    # the label of the sub-item in hand (expand)
        inherited = [w.conn for w in pool._workers] + [self.conn]
        self.proc = ctx.Process(target=worker_main, args=(child, self.slot, self.tag, pool, inherited), daemon=True)
        self.proc.start()
        child.close()
        self.chunk: list[tuple[int, Any]] = []
        self.killed: OverBudget | None = None      # set by the watchdog before it kills
        self.killed_at: tuple[int, int] | None = None      # (seq, step) it was killed on
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

    def in_hand(self) -> tuple[int, int, float, float] | None:
        """(seq, step, CPU start, wall start) of the item in hand (step -1: not an expanded item)."""
        s = self.slot
        seq, step, cpu0, wall0, again = s[0], s[3], s[1], s[2], s[0]
        return (int(seq), int(step), cpu0, wall0) if seq >= 0 and seq == again else None


class BudgetPool:
    """Worker processes that run `func` on items within a budget each (see the module docstring)."""

    def __init__(self, func: Callable[[Any], Any], budget: Budget = DEFAULT, processes: int = 1,
                 chunksize: int = 1, precheck: Callable[[Any], OverBudget | None] | None = None,
                 expand: Callable[[Any], Iterable[Any]] | None = None,
                 label: Callable[[Any], Any] | None = None, warm: Callable[[], None] | None = None) -> None:
        self.func, self.budget, self.precheck, self.warm = func, budget, precheck, warm
        self.expand, self.label = expand, label
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

    def start(self, workers: int | None = None) -> None:
        """Fork `workers` workers now (all `processes` by default; map forks the rest as their work
        comes). With `warm`, each runs it at once: a caller that starts them before it has its
        items gets them ready while it waits."""
        while len(self._workers) < min(self.processes, workers or self.processes):
            self._fork()
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._watch, name="budget-watchdog", daemon=True)
            self._watchdog.start()

    def _fork(self) -> "_Worker":
        with self._lock:
            w = _Worker(self)
            self._workers.append(w)
        return w

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            workers, self._workers = self._workers, []
        # No worker holds work now (a map collects all it sent; an abandoned one killed the busy
        # workers), but one may still be warming up: it is killed, not awaited (an incremental check
        # that found nothing changed would wait ~50 ms for the date patterns to compile).
        for w in workers:
            w.proc.kill()
        for w in workers:
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
                seq, step, cpu0, wall0 = hand
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
                    w.killed, w.killed_at = over, (seq, step)
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
        overran or raised (with `expand`: the list of its sub-items' results). An exception raised
        by `items` itself is raised after the results of the items read before it."""
        self.start(1)
        run = _Run(next_out=self._seq)
        try:
            yield from self._drive(iter(items), run, self.processes * self.chunksize * 4)
        finally:
            self._abandon()

    def _drive(self, source, run: "_Run", window: int) -> Iterator[Any]:
        exhausted, failure = False, None
        todo, done = run.todo, run.done
        while True:
            while not exhausted and len(todo) < window and self._seq < run.next_out + window:
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
            self._feed(run)
            busy = [w for w in self._workers if w.chunk]
            if not busy and not todo:
                if exhausted:
                    break
                continue
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=POLL * 4)
            for w in busy:
                if w.conn in ready or w.proc.sentinel in ready:
                    self._collect(w, run)
            # An idle worker gets the pages already read at once, before the caller handles the
            # results and before more are read: reading first left it waiting (~10 ms a chunk of
            # dump pages). The feed after reading is for the first chunks and for an empty queue.
            self._feed(run)
            while run.next_out in done:
                yield done.pop(run.next_out)
                run.next_out += 1
        while run.next_out in done:
            yield done.pop(run.next_out)
            run.next_out += 1
        if failure is not None:
            raise failure

    def _feed(self, run: "_Run") -> None:
        todo = run.todo
        idle = [w for w in self._workers if not w.chunk]
        while todo:
            # A worker is forked when there is work for it: ten changed pages need one, not eight.
            w = idle.pop(0) if idle else self._fork() if len(self._workers) < self.processes else None
            if w is None:
                break
            w.chunk = [todo.popleft() for _ in range(min(self.chunksize, len(todo)))]
            chunk = w.chunk if self.expand is None else \
                [(seq, (item, frozenset(run.steps.get(seq, ())), seq in run.steps or seq in run.tries))
                 for seq, item in w.chunk]
            try:
                w.conn.send(chunk)
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

    def _collect(self, w: _Worker, run: "_Run") -> None:
        """Results from a worker; when it died, the page it died on and the rest of its chunk again."""
        final = False
        try:
            while w.conn.poll():
                results, final = w.conn.recv()
                for entry in results:
                    run.record(entry)
                if final:
                    break
        except (EOFError, OSError):
            final = False
        w.chunk = [(s, i) for s, i in w.chunk if s not in run.done]
        if final and not w.chunk:
            return
        if w.proc.is_alive() and w.killed is None and not final:
            if w.proc.sentinel not in wait([w.proc.sentinel], timeout=0):
                return                     # more to come (a partial answer, or half a message)
        w.proc.join(timeout=5)             # it died, or answered in part on its way out
        self._replace(w, run)

    def _replace(self, w: _Worker, run: "_Run") -> None:
        culprit = w.killed_at
        if culprit is None:
            hand = w.in_hand()
            culprit = hand[:2] if hand is not None else None
        verdict = w.killed
        if verdict is None and culprit is not None:
            code = w.proc.exitcode
            why = (f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit {code}")
            if code == -signal.SIGXCPU:
                verdict = OverBudget("cpu", self.budget, detail="stopped by the kernel's CPU limit")
            else:
                verdict = OverBudget("crashed", self.budget, detail=why)
        label = tagged(w.tag) if self.expand is not None and culprit is not None else None
        again = []
        for seq, item in w.chunk:
            if culprit is not None and seq == culprit[0]:
                if self.expand is None:
                    run.done[seq] = verdict
                    continue
                steps = run.steps.setdefault(seq, {})
                if label is not None and culprit[1] not in steps:     # a sub-item's work overran
                    steps[culprit[1]] = replace(verdict, label=label)
                    again.append((seq, item))
                    continue
                # Reading overran or died (no sub-item in hand): three tries, as an unknown death.
            elif culprit is not None:
                again.append((seq, item))      # not reached yet: sent again as it was
                continue
            run.tries[seq] = run.tries.get(seq, 0) + 1
            if run.tries[seq] > 2:
                end = verdict if verdict is not None and verdict.kind != "crashed" else \
                    OverBudget("crashed", self.budget, detail="its worker died three times")
                if self.expand is not None:
                    run.end(seq, end)
                else:
                    run.done[seq] = end
                continue
            again.append((seq, item))
        run.todo.extendleft(reversed(again))
        with self._lock:
            index = self._workers.index(w)
            w.conn.close()
            self.replaced += 1
            if not self._closed.is_set():
                self._workers[index] = _Worker(self)


@dataclass
class _Run:
    """One map's state: items read and not yet sent, results waiting for their turn, deaths counted
    per item, and the steps an expanded item has done so far."""

    next_out: int
    todo: deque = field(default_factory=deque)
    done: dict[int, Any] = field(default_factory=dict)
    tries: dict[int, int] = field(default_factory=dict)
    steps: dict[int, dict[int, Any]] = field(default_factory=dict)

    def record(self, entry: tuple) -> None:
        if len(entry) == 2:
            self.done[entry[0]] = entry[1]
        elif entry[1] is None:                 # an expanded item's end: its count, or why it stopped
            self.end(entry[0], None if isinstance(entry[2], int) else entry[2])
        else:
            self.steps.setdefault(entry[0], {})[entry[1]] = entry[2]

    def end(self, seq: int, stopped: Any) -> None:
        steps = self.steps.pop(seq, {})
        self.done[seq] = [steps[k] for k in sorted(steps)] + ([stopped] if stopped is not None else [])
        self.tries.pop(seq, None)
