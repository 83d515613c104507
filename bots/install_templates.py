"""Install the wiki pages the bots rely on (templates/pages/): infoboxes with their TemplateData,
the universe marker, {{OldStyleDate}}, their categories.

Usage: python -m bots.install_templates [options]      (or: pwb install_templates [options])

Options:
  -simulate        show the diff of every page that would change, and write nothing
  -summary:TEXT    the edit summary (default: "Install bot templates from the gmw-bots repository")
  -folder:PATH     install the page files of another folder (layout: NAMESPACE/Title.wikitext)
  -format:json     print the summary as JSON
  -help            this text

Pages whose text is already the same are skipped (no edit). A file whose name is not a valid title,
or that is not UTF-8, is reported by its path; the others are still installed.

{stop}
Exit status: 0 all done, 3 some files or pages failed, 4 stopped by the stop page, 2 usage error.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import (ExitCode, UsageError, parse_options, print_diff, print_help, pywikibot_args, refused,
                      stopped, usage_exit, wants_help)
from bots.core.template_pages import TEMPLATE_PAGES, iter_page_files
from bots.core.sources import SourceError, SourcePage
from bots.core.stoppage import STOP_PAGE_HELP

__doc__ = __doc__.replace("{stop}", STOP_PAGE_HELP)
DEFAULT_SUMMARY = "Install bot templates from the gmw-bots repository"


def install(pages: list[SourcePage], summary: str, simulate: bool, out=sys.stdout) -> dict:
    """Create or update `pages`; returns counts and the failures. Library entry point for tests."""
    import pywikibot
    from pywikibot import pagegenerators
    from pywikibot.exceptions import Error as PywikibotError

    from bots.runtime import StopPage, StopRequested
    from bots.site import open_site

    site = open_site(write=True)
    stop = StopPage(site)
    stop.check()
    result = {"created": [], "updated": [], "unchanged": [], "failed": []}
    wanted = {p.title: p for p in pages}
    gen = pagegenerators.PreloadingGenerator(
        (pywikibot.Page(site, p.title) for p in pages), groupsize=50, quiet=True)
    try:
        for page in gen:
            src = wanted[page.title()]
            old = page.text if page.exists() else None
            # MediaWiki strips trailing whitespace on save: compare as it will store it.
            if old is not None and old.rstrip() == src.text.rstrip():
                result["unchanged"].append(src.title)
                continue
            action = "created" if old is None else "updated"
            if simulate:
                print(f"=== {src.title} ({'would create' if old is None else 'would update'}, {src.origin})",
                      file=out)
                print_diff(old or "", src.text, src.title, out)
                result[action].append(src.title)
                continue
            stop.before_edit()
            page.text = src.text
            try:
                page.save(summary=summary, minor=False, bot=True, quiet=True)
            except PywikibotError as exc:
                result["failed"].append({"title": src.title, "origin": src.origin, "reason": str(exc)})
                continue
            result[action].append(src.title)
    except StopRequested as exc:
        result["stopped"] = str(exc)
    return result


def main(*args: str) -> int:
    import pywikibot

    if wants_help(args):
        print_help(__doc__)
        return ExitCode.OK
    from bots.site import WriteRefused
    try:
        args = pywikibot_args(args, write=True)
    except WriteRefused as exc:
        return refused(exc)
    try:
        opts = parse_options(args, values=("summary", "folder", "format"))
    except UsageError as exc:
        return usage_exit(str(exc))
    if opts.get("format", "text") not in ("text", "json"):
        return usage_exit("-format takes text or json")
    root = Path(opts.get("folder") or TEMPLATE_PAGES)
    if not root.is_dir():
        return usage_exit(f"no such folder: {root}")

    pages, bad = [], []
    for item in iter_page_files(root):
        if isinstance(item, SourceError):
            bad.append({"origin": item.origin, "reason": item.message})
            print(f"error: {item.origin}: {item.message}", file=sys.stderr)
        else:
            pages.append(item)
    from bots.runtime import StopRequested
    try:
        result = install(pages, opts.get("summary") or DEFAULT_SUMMARY, pywikibot.config.simulate,
                         out=sys.stderr if opts.get("format") == "json" else sys.stdout)
    except WriteRefused as exc:
        return refused(exc)
    except StopRequested as exc:
        return stopped(exc)
    result["failed"] = bad + result["failed"]
    _report(result, opts.get("format") == "json", pywikibot.config.simulate)
    if result.get("stopped"):
        return ExitCode.STOPPED
    return ExitCode.FAILED if result["failed"] else ExitCode.OK


def _report(result: dict, as_json: bool, simulate: bool) -> None:
    if as_json:
        counts = {k: len(v) for k, v in result.items() if isinstance(v, list)}
        print(json.dumps({"simulate": simulate, "counts": counts, **result}, indent=1))
        return
    verb = "would be " if simulate else ""
    for key in ("created", "updated"):
        for title in result[key]:
            print(f"{verb}{key}: {title}")
    for fail in result["failed"]:
        print(f"failed: {fail.get('title') or fail['origin']}: {fail['reason']}")
    if result.get("stopped"):
        print(f"stopped: {result['stopped']}")
    print(f"templates: {len(result['created'])} {verb}created, {len(result['updated'])} {verb}updated, "
          f"{len(result['unchanged'])} unchanged, {len(result['failed'])} failed")


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
