"""Install the wiki pages the bots rely on (templates/pages/): infoboxes with their TemplateData,
the universe marker, {{OldStyleDate}}, their categories.

Usage: python -m bots.install_templates [options]      (or: pwb install_templates [options])

Options:
{options}

Pages whose text is already the same are skipped (no edit). Saving goes through the one save path,
as publish's does: an edit a person made to an installed page since the bot installed it is merged
and kept, or, where it touches the same lines as the repository's change, the page is skipped and
reported. A file whose name is not a valid title, or that is not UTF-8, is reported by its path; the
others are still installed.

{stop}
pywikibot's global options apply (-simulate, -user:, -log ...). A page skipped (a person's edit on
the same lines, {{nobots}}) counts as failed: exit 3.
{exit}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import (ALWAYS, FORMAT, ExitCode, Options, Spec, UsageError, command, path, run_as_command, simulate,
                      summary)
from bots.core.wikitext.template_pages import TEMPLATE_PAGES, iter_page_files
from bots.core.sources import SourceError, SourcePage
from bots.core.stoppage import STOP_PAGE_HELP

DEFAULT_SUMMARY = "Install bot templates from the gmw-bots repository"
SPEC = Spec((
    summary(DEFAULT_SUMMARY),
    path("folder", "install the page files of another folder (layout: NAMESPACE/Title.wikitext)"),
    ALWAYS,
    simulate("show the diff of every page that would change, on stdout (with -format:json in\n"
             "the document's \"diffs\"); write nothing, not even the ledger"),
    FORMAT,
))


def install(pages: list[SourcePage], summary: str, simulate: bool, out=sys.stdout) -> dict:
    """Create or update `pages` through the one save path; returns the titles per outcome and the
    failures. Library entry point for tests."""
    from bots.core.publish.items import Item
    from bots.site.publisher import PublishOptions, Publisher, open_ledger
    from bots.site.connection import open_site

    site = open_site(write=True)
    items = [Item(p.title, p.origin, p.text) for p in pages]
    with open_ledger(site) as ledger:
        # Edits, not imports: a handful of pages, each with one revision and no import log entry.
        done = Publisher(site, ledger, PublishOptions(summary=summary, simulate=simulate, mode="edit"),
                         out=out).run(
            items, total=len(items))
    result = {"created": done.created, "updated": done.updated, "unchanged": done.unchanged,
              "skipped": done.skipped, "failed": done.failed, "notes": done.notes}
    if simulate:
        result["diffs"] = done.diffs
    if done.stopped:
        result["stopped"] = done.stopped
    return result


@command(SPEC, __doc__.replace("{stop}", STOP_PAGE_HELP))
def main(opts: Options) -> int:
    import pywikibot

    from bots.cli import pass_to_pywikibot

    pass_to_pywikibot(opts, write=True, generators=False)
    root = Path(opts.get("folder") or TEMPLATE_PAGES)
    if not root.is_dir():
        raise UsageError(f"no such folder: {root}")
    pages, bad = [], []
    for item in iter_page_files(root):
        if isinstance(item, SourceError):
            bad.append({"origin": item.origin, "reason": item.message})
            print(f"error: {item.origin}: {item.message}", file=sys.stderr)
        else:
            pages.append(item)
    result = install(pages, opts.get("summary"), pywikibot.config.simulate,
                     out=None if opts.as_json else sys.stdout)
    result["failed"] = bad + result["failed"]
    _report(result, opts.as_json, pywikibot.config.simulate)
    if result.get("stopped"):
        return ExitCode.STOPPED
    return ExitCode.FAILED if result["failed"] or result["skipped"] else ExitCode.OK


def _report(result: dict, as_json: bool, simulate: bool) -> None:
    if as_json:
        counts = {k: len(v) for k, v in result.items() if isinstance(v, list) and k not in ("notes", "diffs")}
        print(json.dumps({"simulate": simulate, "counts": counts, **result}, indent=1))
        return
    verb = "would be " if simulate else ""
    for key in ("created", "updated"):
        for title in result[key]:
            print(f"{verb}{key}: {title}")
    for note in result["notes"]:
        print(f"note: {note['title']}: {note['note']}")
    for skip in result["skipped"]:
        print(f"skipped: {skip['title']}: {skip['reason']}")
    for fail in result["failed"]:
        print(f"failed: {fail.get('title') or fail['origin']}: {fail['reason']}")
    if result.get("stopped"):
        print(f"stopped: {result['stopped']}")
    print(f"templates: {len(result['created'])} {verb}created, {len(result['updated'])} {verb}updated, "
          f"{len(result['unchanged'])} unchanged, {len(result['skipped'])} skipped, {len(result['failed'])} failed")


if __name__ == "__main__":
    run_as_command(main)
