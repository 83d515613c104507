"""Publish pages to the wiki in bulk: fast, resumable, and never over someone else's edit.

Usage: python -m bots.publish -source:PATH [options]        (or: pwb publish -source:PATH ...)

Sources (-source:PATH):
  a folder of .wikitext files      the file name is the title (underscores for spaces, %2F for /)
  a MediaWiki XML export           schema 0.3 to 0.11, plain, .bz2 or .gz
  a pywikibot pagefromfile file    {{-start-}} '''Title''' ... {{-stop-}} blocks
  records (.yaml/.yml/.json, or a folder of them)
                                   generated on the fly; on existing pages only the generator-owned
                                   regions (the infobox, generated sections) are rewritten

Options:
{options}

Never clobbering people: the ledger (one SQLite file per wiki) records, for each page, the text the
bot generated and the revision it saved. Every publish, from any source, merges three ways: the
bot's last generated text (base), the new one (ours) and the page as it is now (theirs). The
generator-owned regions (the infobox call, the sections between gmw-generated markers) take the new
text, unless only a person changed them; everything a person changed outside them is kept, and
stays theirs through every later publish. Where a person's change and the new text touch the same
lines, the page is skipped and reported with the lines, never overwritten. A page the bot never
published is not overwritten either: records write only their regions into it, plain pages are
skipped. The report and the edit summary say what a merge did, and when a person's edit inside a
generated region gave way to the new text.
Categories: a universe or a topic category that the published pages use and that has no page yet
gets one (from templates/skeletons/), through the same path, so a new universe shows no red links.
Moves and deletions: a page a person moved is followed to its new title (the redirect left behind is
never edited) and merged there as above; a page a person deleted is not re-created unless -recreate
is given, and the report says who deleted it and when.
Edit conflicts: a save that crosses someone else's edit is planned once more on the page as it is
then (never undone, never saved twice with the same text). Pages with {{bots}}/{{nobots}} excluding
this bot are skipped. Kill the run at any moment and run the same command again: it finishes the
job, edits nothing twice and loses nothing.

{stop}
pywikibot's global options apply (-simulate, -user:, -log, -maxlag: ...).
{exit}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import ALWAYS, FORMAT, simulate, ExitCode, Options, Spec, UsageError, choice, command, flag, number, path, \
    summary, run_as_command
from bots.core.stoppage import STOP_PAGE_HELP

DEFAULT_SUMMARY = "Publish from gmw-bots"
SPEC = Spec((
    path("source", "what to publish (see Sources above)"),
    summary(DEFAULT_SUMMARY),
    ALWAYS,
    flag("force", "publish pages that the pre-publish checks would block (error-level findings)"),
    number("workers", "concurrent edit requests (default: chosen from the wiki, read once: 1 on\n"
           "SQLite and on any wiki that is not on this machine (requests in series); 4 on a\n"
           "local wiki on MariaDB/MySQL or PostgreSQL when the account has noratelimit; in series\n"
           "while the wiki reports replication lag)"),
    choice("mode", ("auto", "edit", "import"), "auto (default): new pages through the import API when the "
           "account may import,\nthe rest by edits; edit: edits only; import: insist on the import API for "
           "new pages", "auto"),
    number("batch", "pages per import request (default 10; over 10, the stop page is read before every\n"
           "request and a stop is obeyed within one request instead of within 10 edits)", 10),
    flag("minor", "mark edits as minor"),
    flag("recreate", "re-create pages that a person deleted after the bot published them (by default\n"
         "they are skipped and reported with who deleted them and when)"),
    path("state", "where the ledger lives (default: $GMW_STATE_DIR; for a local wiki its instance\n"
         "folder's state/; else .state/ in the repository)", metavar="DIR"),
    simulate("show the diff of every page that would change, on stdout (with -format:json in\n"
             "the document's \"diffs\"); write nothing, not even the ledger"),
    FORMAT,
))


@command(SPEC, __doc__.replace("{stop}", STOP_PAGE_HELP))
def main(opts: Options) -> int:
    from bots.cli import pass_to_pywikibot

    pass_to_pywikibot(opts, write=True, generators=False)
    if not opts.get("source"):
        raise UsageError("-source:PATH is required")
    source = Path(opts.get("source"))
    if not source.exists():
        raise UsageError(f"no such file or folder: {source}")

    import pywikibot

    from bots.core.publish.items import iter_items
    from bots.core.wikitext.schema import load_schemas
    from bots.core.check.gate import make_gate
    from bots.site.publisher import PublishOptions, Publisher, open_ledger
    from bots.site.connection import open_site

    site = open_site(write=True)
    simulate = bool(pywikibot.config.simulate)
    workers = opts.get("workers") or None       # None: the publisher chooses from the wiki
    schemas = load_schemas()
    with open_ledger(site, Path(opts.get("state")) if opts.get("state") else None) as ledger:
        options = PublishOptions(summary=opts.get("summary"), simulate=simulate, force=opts.flag("force"),
                                 workers=workers, mode=opts.get("mode"), batch=opts.get("batch"),
                                 minor=opts.flag("minor"), gate=make_gate(schemas), recreate=opts.flag("recreate"),
                                 categories=True)
        try:
            publisher = Publisher(site, ledger, options, out=None if opts.as_json else sys.stdout)
        except PermissionError as exc:
            raise UsageError(str(exc)) from None
        items = list(iter_items(source, schemas))
        result = publisher.run(items, total=len(items))
    report(result.as_dict(simulate), opts.as_json)
    if result.stopped:
        return ExitCode.STOPPED
    return ExitCode.FAILED if result.failed else ExitCode.OK


def report(doc: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    verb = "would be " if doc["simulate"] else ""
    for entry in doc["notes"]:
        print(f"note: {entry['title']}: {entry['note']}")
    for entry in doc["skipped"]:
        print(f"skipped: {entry['title'] or entry['origin']}: {entry['reason']}")
    for entry in doc["failed"]:
        print(f"failed: {entry['origin']}{' [' + entry['title'] + ']' if entry['title'] else ''}: {entry['reason']}")
    if doc["stopped"]:
        print(f"stopped: {doc['stopped']}")
    c = doc["counts"]
    rate = f" in {doc['elapsed']:.1f}s ({doc['rate']} pages/s)" if doc.get("rate") else ""
    if doc.get("workers"):
        print(f"workers: {doc['workers']['count']} ({doc['workers']['why']})")
    print(f"publish: {c['created']} {verb}created, {c['updated']} {verb}updated, {c['unchanged']} unchanged, "
          f"{c['skipped']} skipped, {c['failed']} failed{rate}")


if __name__ == "__main__":
    run_as_command(main)
