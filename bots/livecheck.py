"""`check` against the live wiki (site layer): pages through pywikibot's generators, the exceptions
page, rendering, the report page, and safe fixes through the publish path."""
from __future__ import annotations

import sys

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.cli import UsageError, pywikibot_args, refused
from bots.core.checkconfig import parse_exceptions
from bots.core.checker import CheckResult
from bots.core.pubsource import Item
from bots.core.report import MAX_REPORT_BYTES
from bots.site import WriteRefused, open_site
from bots.wikipages import READ_ERRORS, has_generator_options, iter_wiki_pages, unavailable

__all__ = ["run"]

DEFAULT_SUMMARY = "Consistency check"


def _page_text(site, title: str) -> str | None:
    try:
        return pywikibot.Page(site, title).get(force=True)
    except NoPageError:
        return None


def run(opts, config, schemas) -> CheckResult | int:
    """The live check. A read that fails for good raises SourceUnavailable when nothing was checked
    yet; later, the result holds the pages checked before it (`unavailable` says why), and neither
    the state for -since nor the report page nor the fixes are written from such a partial result."""
    write = bool(opts.get("report") or opts.flag("fix"))
    args = list(opts.rest) + (["-simulate"] if opts.flag("simulate") else [])
    try:
        gen_args = pywikibot_args(args, write=write)
    except WriteRefused as exc:
        return refused(exc)
    try:
        return _run(opts, config, schemas, gen_args, write)
    except READ_ERRORS as exc:
        raise unavailable(exc) from exc


def _run(opts, config, schemas, gen_args: list[str], write: bool) -> CheckResult:
    from bots.check import report_text, run_checks

    site = open_site(write=write, login=True)
    text = _page_text(site, config.exceptions_page)
    if text:
        config = config.with_exceptions(parse_exceptions(text))
    from bots.core.checker import Checker
    from bots.incremental import run_since, save_full_run

    result = run_since(site, gen_args, config, schemas, opts.get("processes")) if opts.get("since") else None
    checked: list[str] = []
    if result is None:
        started = site.server_time().isoformat()
        # link-to-missing-page needs every content page's title. Checking them all, the pages read
        # give them, and only the redirects are listed; otherwise all titles, 500 a request.
        every_page = not has_generator_options(gen_args)
        existing = {p.title() for p in site.allpages(namespace=0, content=False,
                                                     filterredir=True if every_page else None)}

        def pages():
            for page in iter_wiki_pages(site, gen_args):
                checked.append(page.title)
                if every_page:
                    existing.add(page.title)
                yield page

        checker = Checker(config, schemas, existing)
        try:
            result = run_checks(pages(), config, schemas, existing, checker=checker,
                                processes=opts.get("processes"))
        except ValueError as exc:       # an unknown generator option
            raise UsageError(str(exc)) from None
        if result.unavailable:
            return result
        save_full_run(site, gen_args, config, checker, started)
    if result.unavailable:
        return result
    if opts.flag("render"):
        from bots.render import render_findings
        extra = [f for f in (config.apply(f) for f in render_findings(site, checked)) if f is not None]
        result.findings = sorted(result.findings + extra, key=lambda f: (f.page, f.line, f.rule))
    if opts.flag("fix") or opts.get("report"):
        from bots.publisher import open_ledger
        ledger = open_ledger(site)
        try:
            if opts.flag("fix"):
                fix_live(site, ledger, result, schemas, config,
                         opts.get("summary") or DEFAULT_SUMMARY + ": safe fixes",
                         simulate=bool(pywikibot.config.simulate))
            if opts.get("report") and not result.stopped:
                max_bytes = int(site.siteinfo.get("maxarticlesize") or MAX_REPORT_BYTES)
                publish_report(site, ledger, opts.get("report"), report_text(result, max_bytes),
                               opts.get("summary") or DEFAULT_SUMMARY + " report", bool(pywikibot.config.simulate),
                               result)
        finally:
            ledger.close()
    return result


def fix_live(site, ledger, result: CheckResult, schemas, config, summary: str, simulate: bool) -> None:
    """The safe fixes go through the one save path: re-checked on the page's current text, saved with
    conflict detection, the stop page and {{nobots}} honoured, diffs under -simulate."""
    from bots.publisher import PublishOptions, Publisher

    items = [Item(title, f"[[{title}]]", transform=_fixer(title, schemas, config))
             for title in sorted(result.edits)]
    if not items:
        return
    publisher = Publisher(site, ledger, PublishOptions(summary=summary, simulate=simulate, mode="edit"),
                          out=sys.stderr)
    done = publisher.run(items, total=len(items))
    result.stopped = done.stopped
    counts = done.counts
    print(f"fix: {counts['updated']} {'would be ' if simulate else ''}fixed, {counts['unchanged']} already right, "
          f"{counts['skipped']} skipped, {counts['failed']} failed", file=sys.stderr)
    for entry in done.skipped + done.failed:
        print(f"fix: {entry['title']}: {entry['reason']}", file=sys.stderr)


def _fixer(title, schemas, config):
    from bots.check import fixed_text

    def apply(current: str | None) -> str:
        if current is None:
            raise ValueError("the page no longer exists")
        return fixed_text(title, current, schemas, config)
    return apply


def publish_report(site, ledger, title: str, text: str, summary: str, simulate: bool,
                   result: CheckResult | None = None) -> bool:
    """The report page, through the one save path: edited only when its content changed, a person's
    note on it merged like any page's. True when it was (or, simulating, would be) saved."""
    from bots.publisher import publish_pages

    done = publish_pages(site, ledger, [Item(title, "the check report", text)], summary, simulate=simulate,
                         out=sys.stderr)
    for entry in done.skipped + done.failed:
        print(f"report: [[{title}]] not saved: {entry['reason']}", file=sys.stderr)
    if done.stopped:
        print(f"report: [[{title}]] not saved: {done.stopped}", file=sys.stderr)
        if result is not None:
            result.stopped = done.stopped
    saved = bool(done.created or done.updated)
    if saved and not simulate:
        print(f"[[{title}]] saved", file=sys.stderr)
    elif done.unchanged:
        print(f"[[{title}]] unchanged", file=sys.stderr)
    return saved
