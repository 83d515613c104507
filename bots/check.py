"""Check the wiki's content for consistency: markup, infobox schemas, dates and calendars,
chronology, and facts that disagree across the pages of one universe.

Usage: python -m bots.check -source:PATH [options]           (offline: files)
       python -m bots.check [page generator options] [options]  (the live wiki)
       python -m bots.check -listrules

Pages:
  -source:PATH       a folder of .wikitext files (names are titles), a MediaWiki XML export, a
                     pagefromfile file, or records (.yaml/.json; checked as the generator writes them)
  {generators}
  -since:last-run    (live) only the pages changed since this command's last successful run, plus the
                     pages that link to them; their findings are merged into that run's full result
Options:
  -listrules         list every rule: id, severity, group, what it finds
  -checkconfig:FILE  enable/disable rules, override severities, set the page budget (default:
                     check-config.yaml)
  -format:json       print {{"pages": N, "findings": [{{"page", "rule", "severity", "line", "message",
                     "fix"}}], "omitted": [{{"page", "rule", "severity", "count"}}], "counts": ...,
                     "errors": [...]}} instead of the table
  -report:PAGE       publish the report on the wiki (counts per rule, a sortable table per universe);
                     the page is edited only when its content changed
  -render            (live) also ask MediaWiki to parse each page: missing templates, template loops,
                     parser-function and Lua errors, error tracking categories
  -fix               apply the safe fixes (date-calendar-mismatch, duplicate categories, ...): on the
                     live wiki through the publish path (conflict-safe, stop page, {{{{nobots}}}}); on a
                     folder source, to its files. With -simulate: the diffs only
  -processes:N       check pages in N processes (default: one per core)
  -summary:TEXT      edit summary for -fix and -report
  -help              this text
Output is bounded: of one rule's findings on one page the first 20 are listed, the rest counted
("and N more"; in JSON under "omitted"); the counts cover every finding. The report page stays
within the wiki's page size limit: what does not fit is counted, not listed.
Page budget: each page is parsed in a worker process that may use 2 s of CPU and 512 MB (set
page_budget: {{cpu_seconds: N, memory_mb: N}} in the configuration). A page over it, or one whose
shape is known to take far longer (unclosed template openers repeated, mwparserfromhell issue
#364), gets one error finding, page-too-complex, with the measured cost; the run goes on.
Accepted findings: editors list (rule, page) pairs on the exceptions page named in the configuration
(default Project:Bot exceptions), one per line: `* rule-id: [[Page]]`.
Exit status: 0 no error-level finding, 1 error-level findings, 2 usage error, 3 some pages could not
be read (the others were checked), 4 the stop page said stop before the report or a fix was saved,
6 the wiki stopped answering (one line on stderr; -format:json still prints what was checked), 7 the
ledger is damaged.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterator

from bots.cli import (ExitCode, UsageError, broken_state, parse_options, print_diff, print_help, usage_exit,
                      wants_help)
from bots.core.checkconfig import ConfigError, load_config
from bots.core.budget import run_budgeted
from bots.core.checker import PAGE_GROUPS, CheckResult, Checker, PageOutcome, apply_edits
from bots.core.parallel import check_outcomes, default_processes
from bots.core.generate import apply_record
from bots.core.progress import Progress
from bots.core.pubsource import is_records_source
from bots.core.records import RecordError, iter_records
from bots.core.report import MAX_REPORT_BYTES, json_document, render_report, render_table
from bots.core.rules import all_rules
from bots.core.rules.base import Severity
from bots.core.schema import load_schemas
from bots.core.sources import SourceError, SourcePage, SourceUnavailable, iter_pages, same_page_message
from bots.core.titles import normalize_title

GENERATORS = ("-cat:, -page:, -start:, -ns:, -recentchanges: ...\n"
              "                     (live) pywikibot's page generators; all content pages by default")
__doc__ = __doc__.replace("{generators}", GENERATORS).replace("{{", "{").replace("}}", "}")
ROOT = Path(__file__).resolve().parent.parent
FLAGS = ("listrules", "render", "fix", "always", "simulate")
VALUES = ("source", "format", "report", "checkconfig", "summary", "since", "processes")


def offline_pages(path: Path, schemas: dict) -> Iterator[SourcePage | SourceError]:
    """Pages of a source; records are generated as new pages would be. A title given twice (in
    any spelling of the same page: "foo_bar" is "Foo bar") is checked once, from its first place,
    and the others are errors, as publish reports them."""
    seen: dict[str, str] = {}
    for page in _source_pages(path, schemas):
        if isinstance(page, SourcePage):
            first = seen.setdefault(normalize_title(page.title) or page.title, page.origin)
            if first != page.origin:
                yield SourceError(page.origin, same_page_message(first, "checked"), page.title)
                continue
        yield page


def _source_pages(path: Path, schemas: dict) -> Iterator[SourcePage | SourceError]:
    if is_records_source(path):
        for rec in iter_records(path, schemas):
            if isinstance(rec, RecordError):
                yield SourceError(rec.origin, rec.message, rec.title)
            else:
                yield SourcePage(rec.title, apply_record(rec, schemas[rec.template], None), rec.origin)
        return
    yield from iter_pages(path)


def run_checks(pages, config, schemas, existing_titles=None, checker: Checker | None = None,
               processes: int = 1) -> CheckResult:
    """Library entry point: stream pages through the checker (a given one keeps its state), the
    page rules in `processes` worker processes, each page within the configuration's page budget.
    When the source stops answering (SourceUnavailable), the result holds what was checked before,
    with `unavailable` saying why."""
    checker = checker or Checker(config, schemas, existing_titles)
    progress = Progress("check")

    def texts():
        for page in pages:
            if isinstance(page, SourceError):
                checker.add_error(str(page))
            else:
                yield page.title, page.text

    unavailable = None
    try:
        for outcome in check_outcomes(checker, texts(), processes):
            checker.add_outcome(outcome)
            progress.advance()
    except SourceUnavailable as exc:
        unavailable = str(exc)
        checker.add_error(f"reading stopped: {exc}")
    if progress.done > 500:
        progress.finish()
    result = checker.finish()
    result.unavailable = unavailable
    return result


def fixed_text(title: str, text: str, schemas: dict, config) -> str:
    """The text with the safe fixes of the page rules applied (the page checked within the page
    budget; a page over it is left as it is)."""
    checker = Checker(config, schemas, groups=PAGE_GROUPS)
    outcome = run_budgeted(lambda page: checker.check_page(*page), (title, text), config.budget)
    if not isinstance(outcome, PageOutcome):
        return text
    return apply_edits(text, outcome.edits)


def list_rules() -> str:
    rules = all_rules()
    w = max(len(r.id) for r in rules)
    return "\n".join(f"{r.id:<{w}}  {r.severity.value:<7}  {r.group:<9}  {r.doc}" for r in rules)


def main(*args: str) -> int:
    if wants_help(args):
        print_help(__doc__)
        return ExitCode.OK
    try:
        opts = parse_options(args, flags=FLAGS, values=VALUES, passthrough=True)
        if opts.flag("listrules"):
            print(list_rules())
            return ExitCode.OK
        if opts.get("format", "text") not in ("text", "json"):
            raise UsageError("-format takes text or json")
        if opts.get("since") not in (None, "last-run"):
            raise UsageError("-since takes last-run")
        processes = opts.get("processes", str(default_processes()))
        if not str(processes).isdigit() or int(processes) < 1:
            raise UsageError("-processes takes a positive number")
        opts.values["processes"] = int(processes)
        config = load_config(Path(opts.get("checkconfig") or ROOT / "check-config.yaml"))
    except (UsageError, ConfigError) as exc:
        return usage_exit(str(exc))
    schemas = load_schemas()
    if opts.get("source"):
        if opts.rest or opts.flag("render") or opts.get("since") or opts.get("report"):
            return usage_exit("-source: checks files; -render, -since, -report and page generator options "
                              "need the live wiki")
        source = Path(opts.get("source"))
        if not source.exists():
            return usage_exit(f"no such file or folder: {source}")
        result = run_checks(offline_pages(source, schemas), config, schemas, processes=opts.get("processes"))
        if opts.flag("fix"):
            _fix_files(source, result, schemas, config, simulate=opts.flag("simulate"))
    else:
        from bots import livecheck
        from bots.core.ledger import LedgerError
        try:
            result = livecheck.run(opts, config, schemas)
        except UsageError as exc:
            return usage_exit(str(exc))
        except LedgerError as exc:
            return broken_state(exc)
        except SourceUnavailable as exc:          # before any page was checked
            result = CheckResult(0, errors=[str(exc)], unavailable=str(exc))
        if isinstance(result, int):
            return result
    _print(result, opts.get("format") == "json")
    if result.stopped:
        print(f"stopped: {result.stopped}", file=sys.stderr)
        return ExitCode.STOPPED
    return exit_code(result)


def exit_code(result: CheckResult) -> int:
    """6 the wiki stopped answering, 3 some pages could not be read, 1 error-level findings, else 0."""
    if result.unavailable:
        return ExitCode.UNAVAILABLE
    if result.errors:
        return ExitCode.FAILED
    return ExitCode.FINDINGS if any(f.severity is Severity.ERROR for f in result.findings) else ExitCode.OK


def _print(result: CheckResult, as_json: bool) -> None:
    for err in result.errors:
        print(f"error: {err}", file=sys.stderr)
    if as_json:
        print(json.dumps(json_document(result.pages, result.findings, result.counts(), result.errors),
                         ensure_ascii=False, indent=1))
    else:
        print(render_table(result.findings, result.pages))


def _fix_files(source: Path, result: CheckResult, schemas: dict, config, simulate: bool) -> None:
    """-fix on a folder source: apply the safe fixes to the files (diffs only under -simulate)."""
    from bots.core.titles import title_to_filename
    if not source.is_dir() or is_records_source(source):
        print("note: -fix rewrites files of a folder of .wikitext files only; nothing written", file=sys.stderr)
        return
    for title in sorted(result.edits):
        path = source / (title_to_filename(title) + ".wikitext")
        if not path.exists():
            continue
        old = path.read_text(encoding="utf-8")
        new = fixed_text(title, old, schemas, config)
        if new == old:
            continue
        print_diff(old, new, title, sys.stderr)
        if not simulate:
            path.write_text(new, encoding="utf-8")


def report_text(result: CheckResult, max_bytes: int = MAX_REPORT_BYTES) -> str:
    """The report page, at most `max_bytes` (the wiki's page size limit)."""
    return render_report(result.findings, result.pages, result.universes, {r.id: r.doc for r in all_rules()},
                         max_bytes)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
