"""Harvest as a library: SourcePage/SourceError items in, the harvest document out (bots/harvest.py
prints it). Each page is parsed in a budget worker (bots.core.budget)."""
from __future__ import annotations

import itertools
import sys

from bots.core.wikitext.article import Article
from bots.core.budget import DEFAULT as DEFAULT_BUDGET, Budget, BudgetPool, Failed, OverBudget
from bots.core.wikitext.harvest import harvest_article
from bots.core.prescan import refuse
from bots.core.progress import Progress
from bots.core.check.rules import PAGE_TOO_COMPLEX
from bots.core.sources import SourceError, SourcePage, SourceUnavailable

__all__ = ["harvest", "merge_docs"]


def harvest(items, schemas, budget: Budget = DEFAULT_BUDGET, processes: int = 1, echo: bool = True,
            total: int | None = None) -> dict:
    """Library entry point: SourcePage/SourceError items -> the output document. Each page is
    parsed in a worker within `budget`; a page over it is an error (page-too-complex) and the others
    are harvested. A source that stops answering ends the document with what was read before
    (`unavailable` says why)."""
    records, errors = [], []
    pages: dict[int, SourcePage] = {}
    numbers = itertools.count()

    def texts():
        for item in items:
            if isinstance(item, SourceError):
                errors.append({"origin": item.origin, "message": item.message})
                if echo:
                    print(f"error: {item}", file=sys.stderr)
                continue
            # numbered by a counter: the pool pops results while reading ahead, so len(pages) repeats
            pages[next(numbers)] = item
            yield item.title, item.text

    def one(page: tuple[str, str]):
        refused = refuse(page[1], budget)
        return refused if refused is not None else harvest_article(Article(*page), schemas)

    doc = {"pages": 0, "errors": errors, "records": records}
    progress = Progress("harvest", total) if echo else None
    try:
        with BudgetPool(one, budget, processes, chunksize=50) as pool:
            for n, result in enumerate(pool.map(texts())):
                page = pages.pop(n)
                if isinstance(result, OverBudget):
                    _error(errors, echo, page, f"{PAGE_TOO_COMPLEX}: page not harvested: {result.message()}")
                elif isinstance(result, Failed):
                    _error(errors, echo, page, f"page not harvested: {result.error}")
                else:
                    records.append(result)
                if progress is not None:
                    progress.advance()
    except SourceUnavailable as exc:
        doc["unavailable"] = str(exc)
        errors.append({"origin": "(the wiki)", "message": f"reading stopped: {exc}"})
        print(f"error: {exc}", file=sys.stderr)
    if progress is not None:
        progress.finish()
    doc["pages"] = len(records)
    return doc


def _error(errors: list, echo: bool, page: SourcePage, message: str) -> None:
    errors.append({"origin": page.origin, "title": page.title, "message": message})
    if echo:
        print(f"error: {page.origin} [{page.title}]: {message}", file=sys.stderr)


def merge_docs(docs) -> dict:
    """The documents of a source's pieces, in order, as one: what `harvest` gives over the whole source.
    Each error is printed as `harvest` prints it."""
    records, errors = [], []
    for doc in docs:
        records.extend(doc["records"])
        for err in doc["errors"]:
            errors.append(err)
            where = f" [{err['title']}]" if err.get("title") else ""
            print(f"error: {err['origin']}{where}: {err['message']}", file=sys.stderr)
    return {"pages": len(records), "errors": errors, "records": records}
