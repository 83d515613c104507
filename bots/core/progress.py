"""Progress on long runs: done/total, rate and ETA, at most once a second (every 10 s off a terminal).
A short run (at most QUIET items, and no line shown yet) stays quiet, so that small runs print only
their result."""
from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress", "QUIET"]

QUIET = 500


class Progress:
    def __init__(self, label: str, total: int | None = None, out: TextIO = sys.stderr,
                 clock=time.monotonic, quiet: int = QUIET) -> None:
        """`quiet`: a run of at most this many items prints no closing line (pieces of a dump are few
        but each is long: 0)."""
        self.label, self.total, self.out, self.clock, self.quiet = label, total, out, clock, quiet
        self.done = 0
        self.start = clock()
        self._last = self.start
        self._every = 1.0 if getattr(out, "isatty", lambda: False)() else 10.0
        self._shown = False

    @property
    def rate(self) -> float:
        elapsed = self.clock() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        rate = self.rate
        # A total is often an estimate (the wiki's article count counts only pages with a link):
        # once passed, it says nothing, and a percent over 100 or a negative ETA would mislead.
        if self.total and self.done <= self.total:
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            eta_s = f", ETA {eta:.0f}s" if eta != float("inf") else ""
            return f"{self.label}: {self.done}/{self.total} ({100 * self.done / self.total:.0f}%), {rate:.1f}/s{eta_s}"
        return f"{self.label}: {self.done}, {rate:.1f}/s"

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if now - self._last >= self._every:
            self._last = now
            self._shown = True
            print(self.line(), file=self.out, flush=True)

    def finish(self) -> None:
        if self._shown or self.done > self.quiet:
            print(self.line(), file=self.out, flush=True)
