"""Checking pages in worker processes: the page rules are CPU work, pages are independent, and each
page must stay within its budget (bots.core.budget).

The workers are forked from the caller, so each has the caller's Checker (configuration, schemas,
rule groups) and sends back a small PageOutcome per page; the caller's Checker records them in
order, so the result is the same with one worker or eight. A page over its budget comes back as
the Checker's `unchecked` outcome (one page-too-complex finding) and its worker is replaced.
Even with one process the pages are checked in a worker: only a child can be stopped inside the
C tokenizer.

Two ways to feed them:
- `check_outcomes`: the caller reads the source and sends its pages (a folder, records, one XML
  stream, the live wiki);
- `check_pieces`: a source in pieces (a multistream dump's streams, split dump files): each worker
  reads its piece itself and checks its pages, so reading is shared by the workers as checking is.
  One reader in the parent read a dump at ~2,100 pages/s here (0.47 ms of CPU a page with its
  sending), which capped the check at ~2.4 workers' worth however many cores there were.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from bots.core.budget import BudgetPool, Failed, OverBudget
from bots.core.check.checker import Checker, PageOutcome
from bots.core.dates import pairs
from bots.core.sources import SourceError, SourcePage, same_page_message
from bots.core.sources.dumppieces import Piece, read_piece

__all__ = ["default_processes", "check_outcomes", "PageWorkers", "check_pieces", "record", "Entry", "CHUNK"]

# 50 pages a message (a request's worth): with 4, sending pages and outcomes one small message at a
# time cost the parent process 1.5 s more CPU on 10,000 pages (benchmarks/check.py).
CHUNK = 50

Seq = tuple[int, int]


def default_processes() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def check_outcomes(checker: Checker, pages: Iterable[tuple[str, str]], processes: int) -> Iterator[PageOutcome]:
    """PageOutcomes of `pages` (title, text), in order, each page within the checker's budget."""
    with PageWorkers(checker, processes) as workers:
        yield from workers.outcomes(pages)


class PageWorkers:
    """The workers of check_outcomes, for a caller that starts them before it has its pages. They fork
    at once and compile the date pair patterns (~50 ms, else the first page with a pair pays it)
    while the caller is still waiting for the wiki: an incremental check of 10 changed pages."""

    def __init__(self, checker: Checker, processes: int, warm: bool = False) -> None:
        self.checker = checker
        self.pool = BudgetPool(lambda page: checker.check_page(*page), checker.config.budget, processes, CHUNK,
                               warm=pairs.warm if warm else None)
        if warm:
            self.pool.start(1)      # more are forked if the pages need them

    def __enter__(self) -> "PageWorkers":
        return self

    def __exit__(self, *exc) -> None:
        self.pool.close()

    def outcomes(self, pages: Iterable[tuple[str, str]]) -> Iterator[PageOutcome]:
        pages = iter(pages)
        titles: dict[int, str] = {}

        def numbered():
            for n, (title, text) in enumerate(pages):
                titles[n] = title
                yield title, text

        for n, outcome in enumerate(self.pool.map(numbered())):
            title = titles.pop(n)
            if isinstance(outcome, (OverBudget, Failed)):
                outcome = self.checker.unchecked(title, outcome)
            yield outcome


@dataclass(frozen=True)
class Entry:
    """One item of a piece, checked: a page's outcome, or an error."""

    seq: Seq                        # (piece, position in the piece)
    key: str | None = None          # the title as one page ("foo_bar" is "Foo bar")
    title: str | None = None        # as the source gives it
    origin: str = ""
    outcome: PageOutcome | None = None
    error: str | None = None


def check_pieces(checker: Checker, pieces: list[tuple[int, Piece]], processes: int,
                 read: Callable[[Piece], Iterable[SourcePage | SourceError]] = read_piece
                 ) -> Iterator[tuple[int, list[Entry]]]:
    """(piece number, its entries in source order) for each numbered piece, in order: each piece read
    by a worker (`read`) and its pages checked there, each page within the checker's budget."""

    def check(item: SourcePage | SourceError):
        if isinstance(item, SourceError):
            return item
        return item.title, item.origin, checker.check_page(item.title, item.text)

    def label(item: SourcePage | SourceError):
        return (item.title, item.origin) if isinstance(item, SourcePage) else None

    with BudgetPool(check, checker.config.budget, processes, 1, expand=lambda numbered: read(numbered[1]),
                    label=label) as pool:
        for (n, piece), results in zip(pieces, pool.map(pieces)):
            yield n, [_entry(checker, (n, k), piece, r) for k, r in enumerate(results)]


def _entry(checker: Checker, seq: Seq, piece: Piece, result) -> Entry:
    if isinstance(result, SourceError):
        return Entry(seq, error=str(result))
    if isinstance(result, tuple):
        title, origin, outcome = result
        return Entry(seq, outcome.title, title, origin, outcome)
    if result.label is not None:                # a page over its budget, or its check crashed
        title, origin = result.label
        outcome = checker.unchecked(title, result)
        return Entry(seq, outcome.title, title, origin, outcome)
    why = result.message() if isinstance(result, OverBudget) else result.error
    return Entry(seq, error=str(SourceError(piece.label, f"reading stops here: {why}")))


def record(checker: Checker, entry: Entry, first: dict[str, str]) -> PageOutcome | None:
    """Record one entry in the checker, as the local check reads a source in order: an error, a page
    whose title came before (`first`: key -> origin) as the "same page" error, else its outcome."""
    if entry.error is not None:
        checker.add_error(entry.error)
        return None
    if entry.key in first:
        checker.add_error(str(SourceError(entry.origin, same_page_message(first[entry.key], "checked"), entry.title)))
        return None
    first[entry.key] = entry.origin
    checker.add_outcome(entry.outcome)
    return entry.outcome
