"""The check engine: page rules on each page as it comes, cross-page rules over the universe index.

Pure: no pywikibot, no network. A caller feeds pages one at a time (``add_page``), from a folder, an
XML export or the wiki, and calls ``finish`` once. Pages are streamed: ``add_page`` keeps only the
page's small cross-page summary and its findings, never its text, so a run over 10,000+ pages holds
summaries, not pages.

A rule that raises does not stop the run: it becomes an error-level ``rule-crashed`` finding on that
page naming the rule and the exception, and that rule's hits on that page (fixes included) are
dropped. A page over the page budget (bots.core.budget; known shapes refused at once by
bots.core.prescan) gives one ``page-too-complex`` finding and nothing else: it is not summarised
for the cross-page rules, so the other pages' findings are those of a run without it. The
configuration is applied to everything reported: disabled rules are not run, severities
are overridden, accepted exceptions (rule, page) are removed with their fixes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from bots.core.budget import Failed, OverBudget
from bots.core.check.config import CheckConfig
from bots.core.prescan import refuse
from bots.core.check.rules import PAGE_TOO_COMPLEX, RULE_CRASHED, load_rules
from bots.core.check.rules.base import Finding, PageView, Rule, Severity
from bots.core.check.rules.crosspage import GROUP as CROSSPAGE, UniverseIndex, summarize
from bots.core.check.rules.exceptions import audit
from bots.core.gcpause import settle
from bots.core.wikitext.titles import normalize_title

__all__ = ["CheckResult", "Checker", "PageOutcome", "check_pages", "apply_edits", "Edit", "PAGE_GROUPS"]

Edit = tuple[int, int, str, str]      # (start, end, replacement, rule id) on the page text

SETTLE_EVERY = 2000     # pages recorded between two settles (bots.core.gcpause.settle)


@dataclass(frozen=True)
class PageOutcome:
    """What checking one page gives: small, picklable, free of the page text."""

    title: str
    findings: list[Finding]
    edits: list[Edit]
    summary: object | None          # the page's cross-page summary (rules.crosspage.PageSummary)
    universe: str | None


@dataclass
class CheckResult:
    pages: int
    findings: list[Finding] = field(default_factory=list)
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)      # pages that could not be read, with origin
    universes: dict[str, str | None] = field(default_factory=dict)   # page -> universe, pages with findings
    stopped: str | None = None     # the stop page said stop before a page (report, fix) was saved
    unavailable: str | None = None    # why the source stopped answering mid-run (the result is partial)
    revisions: tuple[int, int] | None = None    # lowest and highest revision id of the pages checked

    def counts(self) -> dict[str, int]:
        """Findings per severity, plus pages and errors: the summary `-format:json` ends with."""
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return {"pages": self.pages, **out, "errors": len(self.errors)}


class Checker:
    """One check run. `groups` limits the rule groups run ("markup", "dates", "crosspage", …)."""

    def __init__(self, config: CheckConfig, schemas: dict, existing_titles: set[str] | None = None,
                 groups: set[str] | None = None) -> None:
        self.config = config
        self.schemas = schemas
        self.existing_titles = existing_titles
        registry = load_rules()
        wanted = lambda r: (groups is None or r.group in groups) and config.enabled(r.id)  # noqa: E731
        self.page_rules: list[Rule] = [r for r in registry.values() if r.check is not None and wanted(r)]
        self.crosspage_rules = {r.id for r in registry.values() if r.group == CROSSPAGE and wanted(r)}
        self.index = UniverseIndex()
        self.page_findings: dict[str, list[Finding]] = {}    # page rules' findings, per page
        self.edits: dict[str, list[Edit]] = {}
        self.errors: list[str] = []
        self.universes: dict[str, str | None] = {}
        self.titles: set[str] = set()
        self.used: dict[str, set[str]] = {}      # page -> rule ids whose accepted exception removed a finding
        self.revisions: tuple[int, int] | None = None   # lowest and highest revision id of the pages seen
        self.crosspage_kept: dict[str, list[Finding]] = {}    # set by finish
        self.crosspage_used: dict[str, set[str]] = {}
        self._recorded = 0

    def note_revision(self, revid: int | None) -> None:
        """A page was read at revision `revid` (the report states the range it saw)."""
        if revid:
            low, high = self.revisions or (revid, revid)
            self.revisions = (min(low, revid), max(high, revid))

    @property
    def pages(self) -> int:
        return len(self.titles)

    def forget(self, title: str) -> None:
        """Drop everything known about a page (it was deleted, or is about to be checked again)."""
        self.titles.discard(title)
        self.index.pages.pop(title, None)
        for table in (self.page_findings, self.edits, self.universes, self.used):
            table.pop(title, None)

    def check_page(self, title: str, text: str) -> PageOutcome:
        """Run the page rules on one page and summarise it for the index; changes no state, so
        worker processes can do it (bots.core.check.parallel)."""
        title = normalize_title(title, once=True) or title
        refused = refuse(text, self.config.budget)
        if refused is not None:
            return self.unchecked(title, refused)
        view = PageView(title, text, {"schemas": self.schemas})
        found: list[Finding] = []
        edits: list[Edit] = []
        for r in self.page_rules:
            try:
                hits = list(r.check(view))
            except Exception as exc:   # noqa: BLE001 - one broken rule must not stop the run
                found.append(self._crashed(title, r.id, exc))
                continue
            for hit in hits:
                finding = self.config.apply(Finding(title, r.id, r.severity, hit.line, hit.message, hit.fix),
                                            exceptions=False)
                if finding is None:
                    continue
                found.append(finding)
                if hit.edit is not None:
                    start, end, replacement = hit.edit
                    edits.append((start, end, replacement, r.id))
        summary = None
        if self.crosspage_rules:
            try:
                summary = summarize(view, self.schemas)
            except Exception as exc:   # noqa: BLE001
                found.append(self._crashed(title, "crosspage index", exc))
        found = [f for f in found if f is not None]
        return PageOutcome(title, found, edits, summary, view.article.universe if found else None)

    def unchecked(self, title: str, why: OverBudget | Failed) -> PageOutcome:
        """The outcome of a page that could not be checked: one error finding saying why."""
        title = normalize_title(title, once=True) or title
        if isinstance(why, OverBudget):
            finding = Finding(title, PAGE_TOO_COMPLEX, Severity.ERROR, 1, f"page not checked: {why.message()}")
        else:
            finding = Finding(title, RULE_CRASHED, Severity.ERROR, 1, f"the check crashed: {why.error}")
        kept = self.config.apply(finding, exceptions=False)
        return PageOutcome(title, [kept] if kept else [], [], None, None)

    def add_outcome(self, outcome: PageOutcome) -> list[Finding]:
        """Record a checked page: its findings, fixes and place in the universe index. Accepted
        exceptions are applied here, in the one process that sees every page, so that their use is
        counted (an exception that removes nothing is reported as stale)."""
        title = outcome.title
        self.forget(title)
        self.titles.add(title)
        findings, edits = list(outcome.findings), list(outcome.edits)
        if self.config.exceptions:
            excepted = {f.rule for f in findings if self.config.excepted(f.rule, title)}
            if excepted:
                self.used[title] = excepted
                findings = [f for f in findings if f.rule not in excepted]
                edits = [e for e in edits if e[3] not in excepted]
        if edits:
            self.edits[title] = edits
        if outcome.summary is not None:
            self.index.add(outcome.summary)
        if findings:
            self.universes[title] = outcome.universe
            self.page_findings[title] = findings
        self._recorded += 1
        if self._recorded % SETTLE_EVERY == 0:
            # What is recorded stays to the end of the run: the collector's full passes over it took
            # 4.5 s of the parent's CPU in a local check of 104,215 pages, 0.9 s so (wall 64.5 and 62.2 s
            # -> 58.5 and 59.0 s, alternated runs).
            settle()
        return findings

    def add_page(self, title: str, text: str) -> list[Finding]:
        """Check one page and record it; the page's findings (config applied)."""
        return self.add_outcome(self.check_page(title, text))

    def add_error(self, message: str) -> None:
        """A page the source could not read ("origin: why"); reported, not checked."""
        self.errors.append(message)

    def _crashed(self, title: str, rule_id: str, exc: Exception) -> Finding | None:
        return self.config.apply(Finding(title, RULE_CRASHED, Severity.ERROR, 1,
                                         f"rule {rule_id} crashed: {type(exc).__name__}: {exc}"), exceptions=False)

    def finish(self, crosspage: Iterable[Finding] | None = None,
               crosspage_universes: dict[str, str | None] | None = None) -> CheckResult:
        """Run the cross-page rules over the index; every finding sorted by page, line, rule.
        Cheap (linear in the index) and repeatable: an incremental run calls it on the whole index.
        `crosspage`: the cross-page findings computed elsewhere (the Dask engine aggregates the index
        on the cluster, bots.core.check.crossindex), with the universe of each page they are on."""
        existing = self.existing_titles
        findings = [f for found in self.page_findings.values() for f in found]
        used = {(rule, title) for title, rules in self.used.items() for rule in rules}
        # Per page, what the cross-page rules reported and which of their exceptions were used: the
        # state an incremental run starts from (bots.core.check.incremental).
        self.crosspage_kept = {}
        self.crosspage_used = {}
        if self.crosspage_rules:
            found = self.index.findings(existing, self.crosspage_rules) if crosspage is None else crosspage
            for finding in found:
                page = normalize_title(finding.page) or finding.page
                if self.config.excepted(finding.rule, finding.page):
                    used.add((finding.rule, page))
                    self.crosspage_used.setdefault(page, set()).add(finding.rule)
                    continue
                kept = self.config.apply(finding)
                if kept is not None:
                    findings.append(kept)
                    self.crosspage_kept.setdefault(page, []).append(kept)
        if self.config.entries:
            enabled = {r.id for r in self.page_rules} | self.crosspage_rules
            for finding in audit(self.config.exceptions_page, self.config.entries, checked=self.titles, used=used,
                                 existing=existing, enabled=enabled):
                kept = self.config.apply(finding)
                if kept is not None:
                    findings.append(kept)
        findings.sort(key=lambda f: (f.page, f.line, f.rule))
        edits = {t: sorted(e) for t, e in self.edits.items()}
        universes = dict(self.universes)
        for f in findings:
            if f.page not in universes and f.page in self.index.pages:
                universes[f.page] = self.index.pages[f.page].universe
            elif f.page not in universes and crosspage_universes and f.page in crosspage_universes:
                universes[f.page] = crosspage_universes[f.page]
        result = CheckResult(self.pages, findings, edits, list(self.errors), universes)
        result.revisions = self.revisions
        return result


PAGE_GROUPS = {"markup", "dates", "schema"}


def check_pages(pages: Iterable, config: CheckConfig, schemas: dict,
                existing_titles: set[str] | None = None, groups: set[str] | None = None) -> CheckResult:
    """Check (title, text) pairs in this process; sources' SourcePage/SourceError values are accepted
    too. For trusted text (tests, the project's own files): the bots check pages through
    bots.core.check.parallel, each within the page budget."""
    checker = Checker(config, schemas, existing_titles, groups)
    for page in pages:
        if isinstance(page, tuple):
            checker.add_page(*page)
        elif hasattr(page, "text"):
            checker.add_page(page.title, page.text)
        else:
            checker.add_error(str(page))
    return checker.finish()


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits from the end of the text; of overlapping ones the first (in text
    order) is kept and the others skipped. Out-of-range edits are skipped."""
    chosen: list[Edit] = []
    last_end = -1
    for edit in sorted(edits, key=lambda e: (e[0], e[1])):
        start, end = edit[0], edit[1]
        if start < last_end or not 0 <= start <= end <= len(text):
            continue
        chosen.append(edit)
        last_end = max(end, start + 1) if start == end else end
    for start, end, replacement, _rule in reversed(chosen):
        text = text[:start] + replacement + text[end:]
    return text
