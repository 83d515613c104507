"""The check as a library: pages of a source in, a CheckResult out; fixes, the report, the rule list.

Pure (no pywikibot): the `check` bot (offline) and the live check (bots.site.livecheck) both call these,
so the library never lives in an entry point. Every page is checked within the configuration's
page budget (bots.core.budget), in worker processes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from bots.core.budget import run_budgeted
from bots.core.check.config import CheckConfig
from bots.core.check.checker import PAGE_GROUPS, CheckResult, Checker, PageOutcome, apply_edits
from bots.core.publish.generate import apply_record
from bots.core.check.parallel import check_outcomes, check_pieces, record
from bots.core.progress import Progress
from bots.core.publish.items import is_records_source
from bots.core.sources.records import RecordError, iter_records
from bots.core.check.report import MAX_REPORT_BYTES, ReportMeta, render_report
from bots.core.check.rules import all_rules
from bots.core.sources import SourceError, SourcePage, SourceUnavailable, iter_pages, same_page_message
from bots.core.sources.dumppieces import source_pieces, total_pages
from bots.core.wikitext.titles import normalize_title

__all__ = ["offline_pages", "source_pages", "run_checks", "check_source", "fixed_text", "drop_fixed", "report_text",
           "rule_list", "count_source"]


def offline_pages(path: Path, schemas: dict) -> Iterator[SourcePage | SourceError]:
    """Pages of a source; records are generated as new pages would be. A title given twice (in
    any spelling of the same page: "foo_bar" is "Foo bar") is checked once, from its first place,
    and the others are errors, as publish reports them."""
    return once_each(source_pages(path, schemas))


def once_each(items: Iterable[SourcePage | SourceError]) -> Iterator[SourcePage | SourceError]:
    """The items with a title already given (in any spelling of the same page) made an error that
    names its first place."""
    seen: dict[str, str] = {}
    for page in items:
        if isinstance(page, SourcePage):
            first = seen.setdefault(normalize_title(page.title, once=True) or page.title, page.origin)
            if first != page.origin:
                yield SourceError(page.origin, same_page_message(first, "checked"), page.title)
                continue
        yield page


def source_pages(path: Path, schemas: dict) -> Iterator[SourcePage | SourceError]:
    if is_records_source(path):
        for rec in iter_records(path, schemas):
            if isinstance(rec, RecordError):
                yield SourceError(rec.origin, rec.message, rec.title)
            else:
                yield SourcePage(rec.title, apply_record(rec, schemas[rec.template], None), rec.origin)
        return
    yield from iter_pages(path)


def count_source(path: Path) -> int | None:
    """How many pages a folder source holds (for progress with a total); None when it takes a read."""
    if path.is_dir() and not is_records_source(path):
        return sum(1 for p in path.rglob("*.wikitext") if p.is_file())
    return None


def run_checks(pages: Iterable, config: CheckConfig, schemas: dict, existing_titles=None,
               checker: Checker | None = None, processes: int = 1, total: int | None = None) -> CheckResult:
    """Stream pages through the checker (a given one keeps its state), the page rules in
    `processes` worker processes, each page within the configuration's page budget. When the source
    stops answering (SourceUnavailable), the result holds what was checked before, with
    `unavailable` saying why. Progress (done/total, rate, ETA) goes to stderr on long runs."""
    checker = checker or Checker(config, schemas, existing_titles)
    progress = Progress("check", total)

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
    progress.finish()
    result = checker.finish()
    result.unavailable = unavailable
    return result


def check_source(source: Path, config: CheckConfig, schemas: dict, processes: int = 1) -> CheckResult:
    """The check of a source on this machine (-engine:local). A dump of several pieces (multistream
    streams, split files) is read by the workers, a piece each (bots.core.check.parallel.check_pieces);
    any other source is read here and its pages sent to them (`run_checks`). The result is the same."""
    pieces, plan_errors = source_pieces(source, workers=processes)
    if len(pieces) < 2:
        return run_checks(offline_pages(source, schemas), config, schemas, processes=processes,
                          total=count_source(source))
    checker = Checker(config, schemas)
    for err in plan_errors:
        checker.add_error(str(err))
    progress = Progress("check", total_pages(pieces))
    first: dict[str, str] = {}
    for _, entries in check_pieces(checker, list(enumerate(pieces)), processes):
        for entry in entries:
            record(checker, entry, first)
        progress.advance(len(entries))
    progress.finish()
    return checker.finish()


def fixed_text(title: str, text: str, schemas: dict, config: CheckConfig) -> str:
    """The text with the safe fixes of the page rules applied (the page checked within the page
    budget; a page over it is left as it is). Accepted exceptions keep their findings' fixes out."""
    checker = Checker(config, schemas, groups=PAGE_GROUPS)
    outcome = run_budgeted(lambda page: checker.check_page(*page), (title, text), config.budget)
    if not isinstance(outcome, PageOutcome):
        return text
    edits = [e for e in outcome.edits if not config.excepted(e[3], outcome.title)]
    return apply_edits(text, edits)


def drop_fixed(result: CheckResult, fixed: set[str]) -> None:
    """After -fix: the findings that had a safe fix are gone from the pages that were fixed, so the
    exit status says what remains."""
    rules = {(title, e[3]) for title in fixed for e in result.edits.get(title, [])}
    result.findings = [f for f in result.findings if not (f.page in fixed and (f.page, f.rule) in rules and f.fix)]


def report_text(result: CheckResult, max_bytes: int = MAX_REPORT_BYTES, meta: ReportMeta | None = None) -> str:
    """The report page, at most `max_bytes` (the wiki's page size limit)."""
    return render_report(result.findings, result.pages, result.universes, {r.id: r.doc for r in all_rules()},
                         max_bytes, meta)


def rule_list() -> list[dict]:
    """Every rule: id, severity, group, what it finds (`check -listrules`)."""
    return [{"id": r.id, "severity": r.severity.value, "group": r.group, "doc": r.doc} for r in all_rules()]
