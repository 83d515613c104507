"""Checking pages in worker processes: the page rules are CPU work, pages are independent, and each
page must stay within its budget (bots.core.budget).

The workers are forked from the caller, so each has the caller's Checker (configuration, schemas,
rule groups) and sends back a small PageOutcome per page; the caller's Checker records them in
order, so the result is the same with one worker or eight. A page over its budget comes back as
the Checker's `unchecked` outcome (one page-too-complex finding) and its worker is replaced.
Even with one process the pages are checked in a worker: only a child can be stopped inside the
C tokenizer.
"""
from __future__ import annotations

import os
from typing import Iterable, Iterator

from bots.core.budget import BudgetPool, Failed, OverBudget
from bots.core.check.checker import Checker, PageOutcome

__all__ = ["default_processes", "check_outcomes", "CHUNK"]

# 50 pages a message (a request's worth): with 4, sending pages and outcomes one small message at a
# time cost the parent process 1.5 s more CPU on 10,000 pages (benchmarks/check.py).
CHUNK = 50


def default_processes() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def check_outcomes(checker: Checker, pages: Iterable[tuple[str, str]], processes: int) -> Iterator[PageOutcome]:
    """PageOutcomes of `pages` (title, text), in order, each page within the checker's budget."""
    pages = iter(pages)
    titles: dict[int, str] = {}

    def numbered():
        for n, (title, text) in enumerate(pages):
            titles[n] = title
            yield title, text

    def check(page: tuple[str, str]) -> PageOutcome:
        return checker.check_page(*page)

    with BudgetPool(check, checker.config.budget, processes, CHUNK) as pool:
        for n, outcome in enumerate(pool.map(numbered())):
            title = titles.pop(n)
            if isinstance(outcome, (OverBudget, Failed)):
                outcome = checker.unchecked(title, outcome)
            yield outcome
