"""Harvest pages into JSON records: title, universe, infobox parameters, dated facts.

Usage: python -m bots.harvest -source:PATH -out:FILE.json
       python -m bots.harvest [page generator options] -out:FILE.json      (the live wiki)

Options:
  -source:PATH   a folder of .wikitext files (names are titles, underscores for spaces), a MediaWiki
                 XML export (schema 0.3 to 0.11, plain or .bz2/.gz), or a pagefromfile file
  -out:FILE      where the JSON goes (default: standard output)
  -help          this text
{generators}

Output: {"pages": N, "errors": [{"origin", "message"}], "records": [{"title", "universe",
"universe_source", "infoboxes", "facts", "pairs", "links", "categories"}]}.
Pages that cannot be read are reported with their file and line; the others are harvested.
Exit status: 0 all read, 3 some pages could not be read, 2 usage error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import ExitCode, UsageError, parse_options, print_help, usage_exit, wants_help
from bots.core.article import Article
from bots.core.harvest import harvest_article
from bots.core.schema import load_schemas
from bots.core.sources import SourceError, iter_pages

GENERATORS = "  page generators: pywikibot's -cat:, -page:, -start:, -ns:, -recentchanges: ... (the live wiki)"
__doc__ = __doc__.replace("{generators}", GENERATORS)


def harvest(items, schemas) -> dict:
    """Library entry point: SourcePage/SourceError items -> the output document."""
    records, errors = [], []
    for item in items:
        if isinstance(item, SourceError):
            errors.append({"origin": item.origin, "message": item.message})
            print(f"error: {item}", file=sys.stderr)
            continue
        records.append(harvest_article(Article(item.title, item.text), schemas))
    return {"pages": len(records), "errors": errors, "records": records}


def main(*args: str) -> int:
    if wants_help(args):
        print_help(__doc__)
        return ExitCode.OK
    try:
        opts = parse_options(args, values=("source", "out"), passthrough=True)
    except UsageError as exc:
        return usage_exit(str(exc))
    schemas = load_schemas()
    if opts.get("source"):
        if opts.rest:
            return usage_exit(f"-source: and page generator options exclude each other: {opts.rest}")
        items = iter_pages(Path(opts.get("source")))
    else:
        from bots.cli import pywikibot_args
        from bots.site import open_site
        from bots.wikipages import iter_wiki_pages
        rest = pywikibot_args(opts.rest, write=False)
        items = iter_wiki_pages(open_site(write=False, login=False), rest)
    try:
        doc = harvest(items, schemas)
    except ValueError as exc:
        return usage_exit(str(exc))
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    if opts.get("out"):
        Path(opts.get("out")).write_text(text + "\n", encoding="utf-8")
        print(f"harvested {doc['pages']} pages ({len(doc['errors'])} errors) into {opts.get('out')}",
              file=sys.stderr)
    else:
        print(text)
    return ExitCode.FAILED if doc["errors"] else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
