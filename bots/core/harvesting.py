"""Harvest as a library: SourcePage/SourceError items in, the harvest document out (bots/harvest.py
prints it). Each page is parsed in a budget worker (bots.core.budget). A dump in pieces is read by the
workers themselves, a piece each (`harvest_pieces`, as bots.core.check.parallel.check_pieces), and
its pieces' documents joined by `merge_docs`."""
from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator

from bots.core.wikitext.article import Article
from bots.core.budget import DEFAULT as DEFAULT_BUDGET, Budget, BudgetPool, Failed, OverBudget
from bots.core.wikitext.harvest import harvest_article
from bots.core.prescan import refuse
from bots.core.progress import Progress
from bots.core.check.rules import PAGE_TOO_COMPLEX
from bots.core.check.run import count_source, offline_pages
from bots.core.sources import SourceError, SourcePage, SourceUnavailable, same_page_message
from bots.core.sources.dumppieces import Piece, read_piece, source_pieces, total_pages
from bots.core.wikitext.titles import normalize_title

__all__ = ["harvest", "harvest_source", "harvest_pieces", "merge_docs"]


def harvest(items, schemas, budget: Budget = DEFAULT_BUDGET, processes: int = 1, echo: bool = True,
            total: int | None = None) -> dict:
    """Library entry point: SourcePage/SourceError items -> the output document. Each page is
    parsed in a worker within `budget`; a page over it is an error (page-too-complex) and the others
    are harvested. A source that stops answering ends the document with what was read before
    (`unavailable` says why). The errors are in the source's order (a read error is known at once, a
    page's only when its worker answers)."""
    records, errors = [], []
    pages: dict[int, tuple[int, SourcePage]] = {}
    numbers = itertools.count()

    def texts():
        for place, item in enumerate(items):
            if isinstance(item, SourceError):
                errors.append((place, {"origin": item.origin, "message": item.message}))
                if echo:
                    print(f"error: {item}", file=sys.stderr)
                continue
            # numbered by a counter: the pool pops results while reading ahead, so len(pages) repeats
            pages[next(numbers)] = place, item
            yield item.title, item.text

    def one(page: tuple[str, str]):
        return _harvest_page(*page, schemas, budget)

    doc: dict = {"pages": 0, "errors": [], "records": records}
    progress = Progress("harvest", total) if echo else None
    try:
        with BudgetPool(one, budget, processes, chunksize=50) as pool:
            for n, result in enumerate(pool.map(texts())):
                place, page = pages.pop(n)
                if isinstance(result, (OverBudget, Failed)):
                    _error(errors, echo, place, page, _not_harvested(result))
                else:
                    records.append(result)
                if progress is not None:
                    progress.advance()
    except SourceUnavailable as exc:
        doc["unavailable"] = str(exc)
        errors.append((float("inf"), {"origin": "(the wiki)", "message": f"reading stopped: {exc}"}))
        print(f"error: {exc}", file=sys.stderr)
    if progress is not None:
        progress.finish()
    errors.sort(key=lambda e: e[0])
    doc["errors"] = [err for _, err in errors]
    doc["pages"] = len(records)
    return doc


def harvest_source(source: Path, schemas, budget: Budget = DEFAULT_BUDGET, processes: int = 1) -> dict:
    """The harvest of a source on this machine: a dump of several pieces is read by the workers, a
    piece each (`harvest_pieces`); any other source is read here and its pages sent to them. The
    document is the same."""
    pieces, plan_errors = source_pieces(source, workers=processes)
    if len(pieces) < 2:
        return harvest(offline_pages(source, schemas), schemas, budget, processes, total=count_source(source))
    first = {"pages": 0, "records": [], "errors": [{"origin": e.origin, "message": e.message} for e in plan_errors]}
    return merge_docs([first, *harvest_pieces(pieces, schemas, budget, processes)])


def harvest_pieces(pieces: list[Piece], schemas, budget: Budget = DEFAULT_BUDGET, processes: int = 1,
                   read: Callable[[Piece], Iterable[SourcePage | SourceError]] = read_piece,
                   echo: bool = True) -> Iterator[dict]:
    """The document of each piece, in order, with places (for `merge_docs`): each piece read by a
    worker (`read`) and its pages harvested there, each within `budget`."""

    def one(item: SourcePage | SourceError):
        if isinstance(item, SourceError):
            return item
        result = _harvest_page(item.title, item.text, schemas, budget)
        return result if isinstance(result, OverBudget) else {**result, "_origin": item.origin}

    def label(item: SourcePage | SourceError):
        return (item.title, item.origin) if isinstance(item, SourcePage) else None

    progress = Progress("harvest", total_pages(pieces)) if echo else None
    with BudgetPool(one, budget, processes, 1, expand=read, label=label) as pool:
        for piece, results in zip(pieces, pool.map(pieces)):
            records, errors = [], []
            for place, result in enumerate(results):
                if isinstance(result, SourceError):
                    errors.append({"origin": result.origin, "message": result.message, "_place": place})
                elif isinstance(result, dict):
                    records.append({**result, "_place": place})
                elif result.label is not None:
                    title, origin = result.label
                    errors.append({"origin": origin, "title": title, "message": _not_harvested(result),
                                   "_place": place})
                else:
                    why = result.message() if isinstance(result, OverBudget) else result.error
                    errors.append({"origin": piece.label, "message": f"reading stops here: {why}", "_place": place})
            if progress is not None:
                progress.advance(len(results))
            yield {"pages": len(records), "records": records, "errors": errors}
    if progress is not None:
        progress.finish()


def _harvest_page(title: str, text: str, schemas, budget: Budget) -> dict | OverBudget:
    """One page's record, in a budget worker; a page whose shape the pre-scan refuses, its OverBudget."""
    refused = refuse(text, budget)
    return refused if refused is not None else harvest_article(Article(title, text), schemas)


def _not_harvested(result: OverBudget | Failed) -> str:
    """The error message of a page that was not harvested."""
    if isinstance(result, OverBudget):
        return f"{PAGE_TOO_COMPLEX}: page not harvested: {result.message()}"
    return f"page not harvested: {result.error}"


def _error(errors: list, echo: bool, place: int, page: SourcePage, message: str) -> None:
    errors.append((place, {"origin": page.origin, "title": page.title, "message": message}))
    if echo:
        print(f"error: {page.origin} [{page.title}]: {message}", file=sys.stderr)


def merge_docs(docs, echo: bool = True) -> dict:
    """The documents of a source's pieces (harvested with `places`), in order, as one: what `harvest`
    gives over the whole source read through `offline_pages`. A title already given in an earlier
    place (of this piece or an earlier one) is the error offline_pages makes of it, in its place.
    Each error is printed as `harvest` prints it."""
    records, errors, seen = [], [], {}
    named: dict[int, str] = {}          # id of a "same page" error -> its title, printed as harvest prints it
    for piece, doc in enumerate(docs):
        events = [(e.pop("_place", -1), 1, e) for e in map(dict, doc["errors"])]
        events += [(r.pop("_place", -1), 0, r) for r in map(dict, doc["records"])]
        for place, is_error, item in sorted(events, key=lambda e: e[0]):
            if is_error:
                if item.get("title") is not None:        # a page that was read: its title is taken
                    seen.setdefault(normalize_title(item["title"], once=True) or item["title"], item["origin"])
                errors.append(item)
                continue
            origin = item.pop("_origin", None)
            first = seen.setdefault(normalize_title(item["title"], once=True) or item["title"], origin)
            if first != origin:
                errors.append({"origin": origin, "message": same_page_message(first, "checked")})
                named[id(errors[-1])] = item["title"]
                continue
            records.append(item)
    if echo:
        for err in errors:
            title = err.get("title") or named.get(id(err))
            where = f" [{title}]" if title else ""
            print(f"error: {err['origin']}{where}: {err['message']}", file=sys.stderr)
    return {"pages": len(records), "errors": errors, "records": records}
