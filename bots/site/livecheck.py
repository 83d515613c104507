"""`check` against the live wiki (site layer): pages through pywikibot's generators, the exceptions
page, rendering, the report pages, and safe fixes through the one save path."""
from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone

import pywikibot
from pywikibot.exceptions import NoUsernameError

from bots.cli import Options, UsageError, pass_to_pywikibot
from bots.core.check.config import CheckConfig, exception_entries
from bots.core.check.checker import CheckResult, Checker
from bots.core.check.run import drop_fixed, fixed_text, report_text, run_checks
from bots.core.publish.items import Item
from bots.core.check.report import (DEFAULT_REPORT, MAX_REPORT_BYTES, ReportMeta, render_index, report_title, scope_label,
                              without_time)
from bots.site.connection import open_site, state_dir
from bots.site.read import READ_ERRORS, has_generator_options, iter_wiki_pages, revision_text, unavailable

__all__ = ["run"]

DEFAULT_SUMMARY = "Consistency check"


def _exceptions_and_time(site, title: str) -> tuple[str | None, str]:
    """The exceptions page's text (None: no such page) and the wiki's time, in one request. The time
    is where the next -since run starts from: it is taken before any page to check is read."""
    query = site.simple_request(action="query", titles=title, prop="revisions", rvprop="content", rvslots="main",
                                meta="siteinfo", siprop="general").submit()["query"]
    started = pywikibot.Timestamp.fromISOformat(query["general"]["time"]).isoformat()
    pages = query.get("pages") or {}
    for page in pages.values() if isinstance(pages, dict) else pages:
        for rev in page.get("revisions") or ():
            return revision_text(rev), started
    return None, started


def run(opts: Options, config: CheckConfig, schemas: dict, diffs: list[dict]) -> CheckResult:
    """The live check. A read that fails for good raises SourceUnavailable when nothing was checked
    yet; later, the result holds the pages checked before it (`unavailable` says why), and neither
    the state for -since nor the report page nor the fixes are written from such a partial result."""
    write = bool(opts.get("report") or opts.flag("fix"))
    try:
        pass_to_pywikibot(opts, write=write, generators=True)     # may already contact the wiki
        return _run(opts, config, schemas, opts.rest, write, diffs)
    except NoUsernameError:
        raise               # no account or a wrong password: configuration, not an outage
    except READ_ERRORS as exc:
        raise unavailable(exc) from exc


def _run(opts: Options, config: CheckConfig, schemas: dict, gen_args: list[str], write: bool,
         diffs: list[dict]) -> CheckResult:
    site = open_site(write=write, login=True)
    text, started = _exceptions_and_time(site, config.exceptions_page)
    if text:
        config = config.with_exceptions(exception_entries(text))
    from bots.site.incremental import run_since, save_full_run
    result = run_since(site, gen_args, config, schemas, started, opts.get("processes")) if opts.get("since") else None
    checked: list[str] = []
    if result is None:
        # link-to-missing-page needs every content page's title. Checking them all, the pages read
        # give them, and only the redirects are listed; otherwise all titles, 500 a request.
        every_page = not has_generator_options(gen_args)
        existing = {p.title() for p in site.allpages(namespace=0, content=False,
                                                     filterredir=True if every_page else None)}
        checker = Checker(config, schemas, existing)

        def pages():
            for page in iter_wiki_pages(site, gen_args):
                checked.append(page.title)
                checker.note_revision(page.revid)
                if every_page:
                    existing.add(page.title)
                yield page

        try:
            result = run_checks(pages(), config, schemas, existing, checker=checker,
                                processes=opts.get("processes"), total=_expected_pages(site, gen_args))
        except ValueError as exc:       # an unknown generator option
            raise UsageError(str(exc)) from None
        if result.unavailable:
            return result
        save_full_run(site, gen_args, config, checker, started)
    if result.unavailable:
        return result
    if opts.flag("render"):
        from bots.site.render import render_findings
        extra = [f for f in (config.apply(f) for f in render_findings(site, checked)) if f is not None]
        result.findings = sorted(result.findings + extra, key=lambda f: (f.page, f.line, f.rule))
    report = opts.get("report")
    if report and result.pages == 0 and not opts.flag("force"):
        title = report if isinstance(report, str) else report_title(scope_label(gen_args))
        raise UsageError(f"the selection ({' '.join(gen_args) or 'all content pages'}) has no pages: the report "
                         f"[[{title}]] is left as it is (-force replaces it with an empty one)")
    if opts.flag("fix") or report:
        from bots.site.publisher import open_ledger
        simulate = bool(pywikibot.config.simulate)
        with open_ledger(site) as ledger:
            if opts.flag("fix"):
                fixed = fix_live(site, ledger, result, schemas, config,
                                 opts.get("summary") + ": safe fixes", simulate, diffs)
                if not simulate:
                    drop_fixed(result, fixed)
            if report and not result.stopped:
                meta = ReportMeta(" ".join(gen_args) or "all content pages", started, result.revisions,
                                  os.environ.get("GMW_JOB") or None, "python -m bots.check " + " ".join(
                                      sys.argv[1:]) if sys.argv[1:] else "python -m bots.check",
                                  config.exceptions_page, DEFAULT_REPORT if report is True else None)
                title = report if isinstance(report, str) else report_title(scope_label(gen_args))
                max_bytes = int(site.siteinfo.get("maxarticlesize") or MAX_REPORT_BYTES)
                saved = publish_report(site, ledger, title, report_text(result, max_bytes, meta),
                                       opts.get("summary") + " report", simulate, result)
                if report is True and saved is not None and not simulate:
                    _update_index(site, ledger, title, meta, result, opts.get("summary") + " report index", saved)
    return result


def _expected_pages(site, gen_args: list[str]) -> int | None:
    """How many pages the check will read, where the wiki says it cheaply (for progress with ETA)."""
    try:
        if not gen_args:
            return int(site.siteinfo.get("statistics", {}).get("articles") or 0) or None
        if len(gen_args) == 1 and gen_args[0].startswith("-cat:"):
            info = pywikibot.Category(site, gen_args[0][5:]).categoryinfo
            return int(info.get("pages", 0)) or None
        if all(a.startswith("-page:") for a in gen_args):
            return len(gen_args)
    except Exception:   # noqa: BLE001 - progress goes on without a total
        return None
    return None


def fix_live(site, ledger, result: CheckResult, schemas, config, summary: str, simulate: bool,
             diffs: list[dict]) -> set[str]:
    """The safe fixes go through the one save path: re-checked on the page's current text, saved with
    conflict detection, the stop page and {{nobots}} honoured, diffs under -simulate. The titles fixed."""
    from bots.site.publisher import PublishOptions, Publisher

    items = [Item(title, f"[[{title}]]", transform=_fixer(title, schemas, config))
             for title in sorted(result.edits)]
    if not items:
        return set()
    publisher = Publisher(site, ledger, PublishOptions(summary=summary, simulate=simulate, mode="edit"), out=None)
    done = publisher.run(items, total=len(items))
    diffs.extend(done.diffs)
    result.stopped = done.stopped
    counts = done.counts
    print(f"fix: {counts['updated']} {'would be ' if simulate else ''}fixed, {counts['unchanged']} already right, "
          f"{counts['skipped']} skipped, {counts['failed']} failed", file=sys.stderr)
    for entry in done.skipped + done.failed:
        print(f"fix: {entry['title']}: {entry['reason']}", file=sys.stderr)
    return set(done.updated)


def _fixer(title, schemas, config):
    def apply(current: str | None) -> str:
        if current is None:
            raise ValueError("the page no longer exists")
        return fixed_text(title, current, schemas, config)
    return apply


def publish_report(site, ledger, title: str, text: str, summary: str, simulate: bool,
                   result: CheckResult | None = None) -> bool | None:
    """A report page, through the one save path: edited only when its findings or revisions changed
    (a run that found the same keeps the time it was first found), a person's note on it merged like
    any page's. True when it was (or, simulating, would be) saved, False unchanged, None not saved."""
    from bots.site.publisher import publish_pages

    entry = ledger.get(title) if ledger else None
    if entry is not None and entry.generated and without_time(entry.generated) == without_time(text):
        text = entry.generated
    done = publish_pages(site, ledger, [Item(title, "the check report", text)], summary, simulate=simulate,
                         out=None)
    for skip in done.skipped + done.failed:
        print(f"report: [[{title}]] not saved: {skip['reason']}", file=sys.stderr)
    if done.stopped:
        print(f"report: [[{title}]] not saved: {done.stopped}", file=sys.stderr)
        if result is not None:
            result.stopped = done.stopped
        return None
    if done.skipped or done.failed:
        return None
    saved = bool(done.created or done.updated)
    print(f"[[{title}]] {'would be saved' if simulate and saved else 'saved' if saved else 'unchanged'}",
          file=sys.stderr)
    return saved


def _update_index(site, ledger, title: str, meta: ReportMeta, result: CheckResult, summary: str,
                  changed: bool) -> None:
    """The index page lists every scope's report (what it knows is kept in the state folder); it is
    saved when a report changed or a new scope appears."""
    path = state_dir(site) / "reports.json"
    try:
        reports = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        reports = {}
    if not changed and title in reports:
        return
    counts = result.counts()
    reports[title] = {"scope": meta.scope, "time": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                      "pages": result.pages, "error": counts["error"], "warning": counts["warning"],
                      "info": counts["info"], "job": meta.job}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(reports, indent=1, sort_keys=True), encoding="utf-8")
    tmp.replace(path)
    publish_report(site, ledger, DEFAULT_REPORT, render_index(reports), summary, False)
