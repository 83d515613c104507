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

import json
import sys
from pathlib import Path

from bots.cli import (ENGINE, GENERATOR_HELP, PROCESSES, ExitCode, Options, Spec, UsageError, choice, command, path,
                      refuse_dask_without_source, run_as_command)
from bots.core.check.config import load_config
from bots.core.check.parallel import default_processes
from bots.core import harvesting
from bots.core.harvesting import harvest
from bots.core.wikitext.schema import load_schemas

__all__ = ["main", "harvest", "harvest_source", "SOURCE_HELP"]

ROOT = Path(__file__).resolve().parent.parent
SOURCE_HELP = ("a folder of .wikitext files (names are titles, underscores for spaces), a MediaWiki\n"
               "XML export or dump (schema 0.3 to 0.11, plain or .bz2/.gz; multistream with its index and\n"
               "split dump files read in pieces), a pagefromfile file, or records (.yaml/.json; harvested as\n"
               "the generator writes them, as check reads them)")
SPEC = Spec((
    path("source", SOURCE_HELP),
    path("out", "where the JSON goes (default: standard output)", metavar="FILE"),
    path("checkconfig", "the check configuration whose page_budget applies (default: check-config.yaml)",
         metavar="FILE"),
    choice("format", ("json", "text"), "json (default): the document on stdout (or in -out); text: a summary of "
           "what\nwas harvested, per universe", "json"),
    ENGINE,
    PROCESSES,
), generators=True)


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


def harvest_source(source: Path, schemas: dict, budget, engine, processes: int) -> dict:
    """The harvest document of a -source: on the chosen engine (timeline uses it too): one way to
    read a source for both bots."""
    if engine.kind == "dask":
        from bots.cluster.dask_engine import harvest_source as on_cluster, open_client
        with open_client(engine, processes) as client:
            return on_cluster(client, source, schemas, budget)
    return harvesting.harvest_source(source, schemas, budget, processes)


@command(SPEC, __doc__.replace("{generators}", GENERATOR_HELP))
def main(opts: Options) -> int:
    budget = load_config(Path(opts.get("checkconfig") or ROOT / "check-config.yaml")).budget
    schemas = load_schemas()
    processes = opts.get("processes") or default_processes()
    refuse_dask_without_source(opts, "harvests")
    if opts.get("source"):
        opts.offline("harvest -source:")
        doc = harvest_source(Path(opts.get("source")), schemas, budget, opts.get("engine"), processes)
    else:
        try:
            doc = harvest(wiki_items(opts), schemas, budget, processes)
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
    run_as_command(main)
