"""Harvest pages into JSON records: title, universe, infobox parameters, dated facts.

Usage: python -m bots.harvest -source:PATH -out:FILE.json
       python -m bots.harvest [page generator options] -out:FILE.json      (the live wiki)

Options:
{options}
  page generators     {generators}

Output: {"pages": N, "errors": [{"origin", "message"}], "records": [{"title", "universe",
"universe_source", "infoboxes", "facts", "pairs", "links", "categories"}]}.
Pages that cannot be read are reported with their file and line; the others are harvested.
Each page is parsed within the page budget (page_budget in the check configuration: 2 s of CPU and
512 MB by default); a page over it is an error ("page-too-complex: ...") and is not harvested.
A wiki that stops answering: one line on stderr, the JSON holds what was read before, exit 6.
pywikibot's global options apply on the live wiki (-user:, -log ...), and are accepted offline.
{exit}
"""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

from bots.cli import GENERATOR_HELP, ExitCode, Options, Spec, UsageError, choice, command, path
from bots.core.wikitext.article import Article
from bots.core.budget import DEFAULT as DEFAULT_BUDGET, Budget, BudgetPool, Failed, OverBudget
from bots.core.check.config import load_config
from bots.core.wikitext.harvest import harvest_article
from bots.core.prescan import refuse
from bots.core.check.rules import PAGE_TOO_COMPLEX
from bots.core.wikitext.schema import load_schemas
from bots.core.check.run import count_source, offline_pages
from bots.core.progress import Progress
from bots.core.sources import SourceError, SourcePage, SourceUnavailable

ROOT = Path(__file__).resolve().parent.parent
SPEC = Spec((
    path("source", "a folder of .wikitext files (names are titles, underscores for spaces), a MediaWiki\n"
         "XML export (schema 0.3 to 0.11, plain or .bz2/.gz), a pagefromfile file, or records\n"
         "(.yaml/.json; harvested as the generator writes them, as check reads them)"),
    path("out", "where the JSON goes (default: standard output)", metavar="FILE"),
    path("checkconfig", "the check configuration whose page_budget applies (default: check-config.yaml)",
         metavar="FILE"),
    choice("format", ("json", "text"), "json (default): the document on stdout (or in -out); text: a summary of "
           "what\nwas harvested, per universe", "json"),
), generators=True)


def harvest(items, schemas, budget: Budget = DEFAULT_BUDGET, processes: int = 1, total: int | None = None) -> dict:
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
                print(f"error: {item}", file=sys.stderr)
                continue
            pages[next(numbers)] = item      # not len(pages): results pop their pages as they come
            yield item.title, item.text

    def one(page: tuple[str, str]):
        refused = refuse(page[1], budget)
        return refused if refused is not None else harvest_article(Article(*page), schemas)

    doc = {"pages": 0, "errors": errors, "records": records}
    progress = Progress("harvest", total)
    try:
        with BudgetPool(one, budget, processes, chunksize=50) as pool:
            for n, result in enumerate(pool.map(texts())):
                page = pages.pop(n)
                if isinstance(result, OverBudget):
                    _error(errors, page, f"{PAGE_TOO_COMPLEX}: page not harvested: {result.message()}")
                elif isinstance(result, Failed):
                    _error(errors, page, f"page not harvested: {result.error}")
                else:
                    records.append(result)
                progress.advance()
    except SourceUnavailable as exc:
        doc["unavailable"] = str(exc)
        errors.append({"origin": "(the wiki)", "message": f"reading stopped: {exc}"})
        print(f"error: {exc}", file=sys.stderr)
    progress.finish()
    doc["pages"] = len(records)
    return doc


def _error(errors: list, page: SourcePage, message: str) -> None:
    errors.append({"origin": page.origin, "title": page.title, "message": message})
    print(f"error: {page.origin} [{page.title}]: {message}", file=sys.stderr)


def wiki_items(opts: Options):
    """The live wiki's pages; a wiki that cannot be reached is SourceUnavailable, as a failed read."""
    from bots.cli import pass_to_pywikibot
    from bots.site.connection import open_site
    from bots.site.read import READ_ERRORS, iter_wiki_pages, unavailable
    try:
        pass_to_pywikibot(opts, write=False, generators=True)
        site = open_site(write=False, login=False)
    except READ_ERRORS as exc:
        raise unavailable(exc) from exc
    yield from iter_wiki_pages(site, opts.rest)


@command(SPEC, __doc__.replace("{generators}", GENERATOR_HELP))
def main(opts: Options) -> int:
    budget = load_config(Path(opts.get("checkconfig") or ROOT / "check-config.yaml")).budget
    schemas = load_schemas()
    if opts.get("source"):
        opts.offline("harvest -source:")
        items = offline_pages(Path(opts.get("source")), schemas)
        total = count_source(Path(opts.get("source")))
    else:
        items, total = wiki_items(opts), None
    try:
        doc = harvest(items, schemas, budget, total=total)
    except ValueError as exc:       # an unknown page generator option
        raise UsageError(str(exc)) from None
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if opts.get("out"):
        Path(opts.get("out")).write_text(text + "\n", encoding="utf-8")
        print(f"harvested {doc['pages']} pages ({len(doc['errors'])} errors) into {opts.get('out')}",
              file=sys.stderr)
    if opts.get("format") == "text":
        print(_summary(doc))
    elif not opts.get("out"):
        print(text)
    if doc.get("unavailable"):
        return ExitCode.UNAVAILABLE
    return ExitCode.FAILED if doc["errors"] else ExitCode.OK


def _summary(doc: dict) -> str:
    from collections import Counter

    universes = Counter(r.get("universe") or "(no universe)" for r in doc["records"])
    facts = Counter()
    for r in doc["records"]:
        facts[r.get("universe") or "(no universe)"] += len(r.get("facts", []))
    lines = [f"{name}: {n} pages, {facts[name]} dated facts" for name, n in sorted(universes.items())]
    lines.append(f"harvested {doc['pages']} pages, {len(doc['errors'])} errors")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
