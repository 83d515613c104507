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
  -summary:TEXT    the edit summary (default: "Publish from gmw-bots")
  -simulate        show the diff of every page that would change; write nothing (not even the ledger)
  -always          accepted for pywikibot compatibility: this bot never asks (cron has no keyboard)
  -force           publish pages that the pre-publish checks would block (error-level findings)
  -workers:N       concurrent edit requests (default: 2 on a loopback wiki, 1 elsewhere)
  -mode:MODE       auto (default): new pages through the import API when the account may import,
                   the rest by edits; edit: edits only; import: insist on the import API for new pages
  -batch:N         pages per import request (default 10)
  -minor           mark edits as minor
  -state:DIR       where the ledger lives (default: $GMW_STATE_DIR; for a local wiki its instance
                   folder's state/; else .state/ in the repository)
  -format:json     print the summary as JSON
  -help            this text

Never clobbering people: the ledger (one SQLite file per wiki) records the revision the bot saved
for each page. A page someone else edited since then, or that the bot never published, is not
overwritten: records are applied to its current text (generated regions only); plain pages are
skipped and reported. An edit conflict during the save is handled the same way. Pages with
{{bots}}/{{nobots}} excluding this bot are skipped. Kill the run at any moment and run the same
command again: it finishes the job, edits nothing twice and loses nothing.

{stop}
Exit status: 0 done, 3 some pages failed (bad input or refused by the wiki), 4 stopped by the stop
page, 2 usage error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import (ExitCode, UsageError, parse_options, print_help, pywikibot_args, refused, stopped,
                      usage_exit, wants_help)
from bots.core.stoppage import STOP_PAGE_HELP

__doc__ = __doc__.replace("{stop}", STOP_PAGE_HELP)
DEFAULT_SUMMARY = "Publish from gmw-bots"
FLAGS = ("always", "force", "minor")
VALUES = ("source", "summary", "workers", "mode", "batch", "state", "format")


def _int_option(opts, name: str, default: int) -> int:
    value = opts.get(name)
    if value is None:
        return default
    if not str(value).isdigit() or int(value) < 1:
        raise UsageError(f"-{name} takes a positive number, not {value!r}")
    return int(value)


def main(*args: str) -> int:
    if wants_help(args):
        print_help(__doc__)
        return ExitCode.OK
    from bots.site import WriteRefused
    try:
        args = pywikibot_args(args, write=True)
        opts = parse_options(args, flags=FLAGS, values=VALUES)
        if not opts.get("source"):
            raise UsageError("-source:PATH is required")
        mode = opts.get("mode", "auto")
        if mode not in ("auto", "edit", "import"):
            raise UsageError("-mode takes auto, edit or import")
        if opts.get("format", "text") not in ("text", "json"):
            raise UsageError("-format takes text or json")
        source = Path(opts.get("source"))
        if not source.exists():
            raise UsageError(f"no such file or folder: {source}")
        batch = _int_option(opts, "batch", 10)
        workers = _int_option(opts, "workers", 0)
    except WriteRefused as exc:
        return refused(exc)
    except UsageError as exc:
        return usage_exit(str(exc))

    import pywikibot

    from bots.core.ledger import Ledger
    from bots.core.pubsource import iter_items
    from bots.core.schema import load_schemas
    from bots.gate import make_gate
    from bots.publisher import PublishOptions, Publisher, ledger_path
    from bots.runtime import StopRequested
    from bots.site import is_local, open_site, state_dir

    site = open_site(write=True)
    simulate = bool(pywikibot.config.simulate)
    if not workers:
        workers = 2 if is_local(site) else 1
    schemas = load_schemas()
    state = Path(opts.get("state")) if opts.get("state") else state_dir(site)
    state.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(ledger_path(site, state), site.base_url(site.apipath()))
    options = PublishOptions(summary=opts.get("summary") or DEFAULT_SUMMARY, simulate=simulate,
                             force=opts.flag("force"), workers=workers, mode=mode, batch=batch,
                             minor=opts.flag("minor"), gate=make_gate(schemas))
    try:
        publisher = Publisher(site, ledger, options,
                              out=sys.stderr if opts.get("format") == "json" else sys.stdout)
    except PermissionError as exc:
        return usage_exit(str(exc))
    items = list(iter_items(source, schemas))
    try:
        result = publisher.run(items, total=len(items))
    except StopRequested as exc:      # raised before the first batch
        return stopped(exc)
    finally:
        ledger.close()
    report(result.as_dict(simulate), opts.get("format") == "json")
    if result.stopped:
        return ExitCode.STOPPED
    return ExitCode.FAILED if result.failed else ExitCode.OK


def report(doc: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return
    verb = "would be " if doc["simulate"] else ""
    for entry in doc["skipped"]:
        print(f"skipped: {entry['title'] or entry['origin']}: {entry['reason']}")
    for entry in doc["failed"]:
        print(f"failed: {entry['origin']}{' [' + entry['title'] + ']' if entry['title'] else ''}: {entry['reason']}")
    if doc["stopped"]:
        print(f"stopped: {doc['stopped']}")
    c = doc["counts"]
    rate = f" in {doc['elapsed']:.1f}s ({doc['rate']} pages/s)" if doc.get("rate") else ""
    print(f"publish: {c['created']} {verb}created, {c['updated']} {verb}updated, {c['unchanged']} unchanged, "
          f"{c['skipped']} skipped, {c['failed']} failed{rate}")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
