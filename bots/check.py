"""Check the wiki's content for consistency: markup, infobox schemas, dates and calendars,
chronology, and facts that disagree across the pages of one universe.

Usage: python -m bots.check -source:PATH [options]           (offline: files)
       python -m bots.check [page generator options] [options]  (the live wiki)
       python -m bots.check -listrules [-format:json]

Options:
{options}
  page generators     {generators}

-format:json prints {"pages": N, "findings": [{"page", "rule", "severity", "line", "message", "fix"}],
"omitted": [{"page", "rule", "severity", "count"}], "counts": ..., "errors": [...]} (with -fix
-simulate also "diffs"). Output is bounded: of one rule's findings on one page the first 20 are
listed, the rest counted ("and N more"; in JSON under "omitted"); the counts cover every finding.
Report pages: -report alone writes the scope's own page, Project:Consistency report/SCOPE (the
scope named from the page generator options: -cat:Earth-1389 gives .../Earth-1389), and keeps the
index Project:Consistency report listing every scope's report; -report:PAGE writes PAGE. A report
states its scope, when it was checked, the revisions it saw and who ran it (the job, or by hand); it
is edited only when the findings or the revisions changed, and a note a person adds outside its
tables is kept. A selection of no pages (a typo in -cat:, a -page: that does not exist) never
replaces a report: exit 2, unless -force.
Page budget: each page is parsed in a worker process that may use 2 s of CPU and 512 MB (set
page_budget: {cpu_seconds: N, memory_mb: N} in the configuration). A page over it, or one whose
shape is known to take far longer (unclosed template openers repeated, mwparserfromhell issue
#364), gets one error finding, page-too-complex, with the measured cost; the run goes on.
Accepted findings: editors list (rule, page) pairs on the exceptions page named in the configuration
(default Project:Bot exceptions), one per line: `* rule-id: [[Page]]`. The lines are checked too: an
unknown rule id, a page that does not exist, or an exception whose finding no longer occurs is a
finding on the exceptions page (exception-unknown-rule, exception-missing-page, exception-stale).
-fix exits on the findings that remain after the fixes.
pywikibot's global options apply on the live wiki (-user:, -log ...), and are accepted offline.
{exit}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import (ALWAYS, ENGINE, FORMAT, GENERATOR_HELP, PROCESSES, ExitCode, Options, Spec, UsageError, choice,
                      command, diff_text, flag, optional, path, refuse_dask_without_source, run_as_command, simulate,
                      summary)
from bots.core.check.config import load_config
from bots.core.check.checker import CheckResult
from bots.core.check.rules.base import Severity
from bots.core.check.run import check_source, drop_fixed, fixed_text, rule_list
from bots.core.check.parallel import default_processes
from bots.core.publish.items import is_records_source
from bots.core.check.report import json_document, render_table
from bots.core.wikitext.schema import load_schemas
from bots.core.sources import SourceUnavailable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUMMARY = "Consistency check"
SPEC = Spec((
    path("source", "a folder of .wikitext files (names are titles), a MediaWiki XML export, a\n"
         "pagefromfile file, or records (.yaml/.json; checked as the generator writes them)"),
    choice("since", ("last-run",), "(live) only the pages changed since this command's last successful run;\n"
           "the cross-page findings they can affect (pages linking to them, their duplicate-event\n"
           "groups) are recomputed and merged into that run's result (the whole scope's findings)"),
    flag("listrules", "list every rule: id, severity, group, what it finds"),
    path("checkconfig", "enable/disable rules, override severities, set the page budget (default:\n"
         "check-config.yaml)", metavar="FILE"),
    optional("report", "publish the report on the wiki: -report alone, the scope's own page\n"
             "(see Report pages below); -report:PAGE, that page", metavar="PAGE"),
    flag("force", "with -report: replace the report even when the selection has no pages"),
    flag("render", "(live) also ask MediaWiki to parse each page: missing templates, template loops,\n"
         "parser-function and Lua errors, error tracking categories, red links, raw template code"),
    flag("fix", "apply the safe fixes (date-calendar-mismatch, duplicate categories, ...): on the\n"
         "live wiki through the one save path (conflict-safe, stop page, {{nobots}}); on a\n"
         "folder source, to its files"),
    ENGINE,
    PROCESSES,
    summary(DEFAULT_SUMMARY),
    ALWAYS,
    simulate("with -fix: the diffs only, on stdout (with -format:json in \"diffs\"); nothing written"),
    FORMAT,
), generators=True)


@command(SPEC, __doc__.replace("{generators}", GENERATOR_HELP))
def main(opts: Options) -> int:
    if opts.flag("listrules"):
        rules = rule_list()
        if opts.as_json:
            print(json.dumps({"rules": rules}, indent=1))
        else:
            width = max(len(r["id"]) for r in rules)
            print("\n".join(f"{r['id']:<{width}}  {r['severity']:<7}  {r['group']:<10}  {r['doc']}" for r in rules))
        return ExitCode.OK
    opts.values["processes"] = opts.get("processes") or default_processes()
    config = load_config(Path(opts.get("checkconfig") or ROOT / "check-config.yaml"))
    schemas = load_schemas()
    diffs: list[dict] = []
    if opts.get("source"):
        opts.offline("check -source:")
        if opts.flag("render") or opts.get("since") or opts.get("report"):
            raise UsageError("-source: checks files; -render, -since, -report and page generator options "
                             "need the live wiki")
        source = Path(opts.get("source"))
        if not source.exists():
            raise UsageError(f"no such file or folder: {source}")
        if opts.get("engine").kind == "dask":
            from bots.cluster import dask_engine
            with dask_engine.open_client(opts.get("engine"), opts.get("processes")) as client:
                result = dask_engine.check_source(client, source, config, schemas)
        else:
            result = check_source(source, config, schemas, opts.get("processes"))
        if opts.flag("fix"):
            fixed = _fix_files(source, result, schemas, config, opts.simulate, diffs)
            if not opts.simulate:
                drop_fixed(result, fixed)
    else:
        refuse_dask_without_source(opts, "checks")
        from bots.site import livecheck
        try:
            result = livecheck.run(opts, config, schemas, diffs)
        except SourceUnavailable as exc:          # before any page was checked
            result = CheckResult(0, errors=[str(exc)], unavailable=str(exc))
        if isinstance(result, int):
            return result
    _print(result, opts.as_json, diffs)
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


def _print(result: CheckResult, as_json: bool, diffs: list[dict]) -> None:
    for err in result.errors:
        print(f"error: {err}", file=sys.stderr)
    if as_json:
        doc = json_document(result.pages, result.findings, result.counts(), result.errors)
        if diffs:
            doc["diffs"] = diffs
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        for d in diffs:
            print(d["diff"])
        print(render_table(result.findings, result.pages))


def _fix_files(source: Path, result: CheckResult, schemas: dict, config, simulate: bool,
               diffs: list[dict]) -> set[str]:
    """-fix on a folder source: apply the safe fixes to the files (diffs only under -simulate);
    the titles fixed."""
    from bots.core.wikitext.titles import title_to_filename
    if not source.is_dir() or is_records_source(source):
        print("note: -fix rewrites files of a folder of .wikitext files only; nothing written", file=sys.stderr)
        return set()
    fixed = set()
    for title in sorted(result.edits):
        file = source / (title_to_filename(title) + ".wikitext")
        if not file.exists():
            continue
        old = file.read_text(encoding="utf-8")
        new = fixed_text(title, old, schemas, config)
        if new == old:
            continue
        diffs.append({"title": title, "action": "would fix" if simulate else "fixed", "diff": diff_text(old, new, title)})
        if not simulate:
            file.write_text(new, encoding="utf-8")
        fixed.add(title)
    return fixed


if __name__ == "__main__":
    run_as_command(main)
