"""Checking pages in several processes: the page rules are CPU work and pages are independent.

Each worker process builds its own Checker (same configuration, schemas and rule groups) and sends
back a small PageOutcome per page; the caller's Checker records them in order, so the result is the
same as checking in one process. Workers are forked before the caller starts any thread.
"""
from __future__ import annotations

import multiprocessing
import os
from typing import Iterable, Iterator

from bots.core.checker import Checker, PageOutcome

__all__ = ["default_processes", "check_outcomes"]

_worker: Checker | None = None


def default_processes() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _init(config, schemas, groups) -> None:
    global _worker
    _worker = Checker(config, schemas, groups=groups)


def _check(page: tuple[str, str]) -> PageOutcome:
    return _worker.check_page(*page)


def check_outcomes(checker: Checker, pages: Iterable[tuple[str, str]], processes: int,
                   groups: set[str] | None = None) -> Iterator[PageOutcome]:
    """PageOutcomes of `pages`, in order; with processes > 1 computed by a pool of workers."""
    if processes <= 1:
        for title, text in pages:
            yield checker.check_page(title, text)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes, initializer=_init, initargs=(checker.config, checker.schemas, groups)) as pool:
        # 50 pages a message (a request's worth): with 4, sending pages and outcomes one small
        # message at a time cost the parent process 1.5 s more CPU on 10,000 pages (benchmarks/check.py).
        yield from pool.imap(_check, pages, chunksize=50)
