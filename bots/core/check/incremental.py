"""The incremental check's core: a full run's rows for the state, and a run that checks only what
changed and merges it into the state (bots.core.check.state), giving the result of the whole scope.

Pure: the site layer (bots/site/incremental.py) finds what changed on the wiki and checks those
pages; this module decides which other pages' cross-page findings they can affect and recomputes
only those:

- the pages linking to a changed page, or to a redirect to one (missing page, cross-universe link,
  date conflict: each looks up the page it links to, through one redirect);
- the pages in a duplicate-event group a changed page leaves or joins (their finding names the
  group's pages in the order read; every group of such a page is read whole to word it).

Everything else keeps its stored findings: a page's own findings depend on its text only, its
cross-page findings on its summary and on the summaries of the pages it links to.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Iterator

from bots.core.check.checker import Checker, CheckResult, PageOutcome
from bots.core.check.rules.base import RULES, Finding
from bots.core.check.rules.crosspage import DUPLICATE, PageSummary, UniverseIndex
from bots.core.check.rules.exceptions import audit
from bots.core.check.state import StateStore, dup_keys

__all__ = ["full_rows", "apply_changes"]


def _row(checker: Checker, title: str, ord_: float, summary: PageSummary | None,
         kept: list[Finding] | None, used: set[str] | None) -> dict:
    key_title, key_name = dup_keys(summary)
    kept, used = kept or [], used or set()
    universe = checker.universes[title] if title in checker.universes else (summary.universe if summary else None)
    return {"title": title, "ord": ord_, "universe": universe,
            "findings": checker.page_findings.get(title), "edits": checker.edits.get(title),
            "used": checker.used.get(title), "summary": summary,
            "cross": [f for f in kept if f.rule != DUPLICATE], "cross_used": used - {DUPLICATE},
            "dup": [f for f in kept if f.rule == DUPLICATE], "dup_used": used & {DUPLICATE},
            "redirect": summary.redirect if summary else None, "key_title": key_title, "key_name": key_name}


def _links(summary: PageSummary | None) -> list[str]:
    return [target for target, _line in summary.links] if summary is not None else []


def full_rows(checker: Checker) -> tuple[list[dict], dict[str, list[str]]]:
    """The state rows and link rows of a finished full run, in the order the pages were read."""
    order = {t: n for n, t in enumerate(checker.index.pages)}
    extra = len(order)
    rows = []
    for title in checker.titles:
        summary = checker.index.pages.get(title)
        if title not in order:          # not indexed (over its budget): its place is never used
            order[title] = extra
            extra += 1
        rows.append(_row(checker, title, float(order[title]), summary, checker.crosspage_kept.get(title),
                         checker.crosspage_used.get(title)))
    links = {r["title"]: _links(r["summary"]) for r in rows if r["summary"] is not None}
    return rows, links


class _Summaries(Mapping):
    """Title -> summary as the state would hold it after this run: the pages checked again (or
    gone, None) first, then the stored rows, read on demand and kept."""

    def __init__(self, store: StateStore, overlay: dict[str, PageSummary | None]) -> None:
        self.store, self.known = store, dict(overlay)
        self.rows: dict[str, dict] = {}       # the stored rows read so far (each read once)
        self.absent: set[str] = set()

    def load(self, titles: Iterable[str]) -> None:
        wanted = {t for t in titles if t not in self.rows and t not in self.absent}
        if wanted:
            rows = self.store.rows(wanted)
            self.rows.update(rows)
            self.absent |= wanted - set(rows)
            for t in wanted:
                if t not in self.known:
                    self.known[t] = rows[t]["summary"] if t in rows else None

    def __getitem__(self, title: str) -> PageSummary:
        self.load([title])
        summary = self.known[title]
        if summary is None:
            raise KeyError(title)
        return summary

    def __contains__(self, title: object) -> bool:
        return isinstance(title, str) and self.get(title) is not None

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the state's summaries are looked up by title, never listed")

    def __len__(self) -> int:
        raise TypeError("the state's summaries are looked up by title, never counted")


class _Existing:
    """The titles that exist now: the stored list, brought up to date by what changed."""

    def __init__(self, store: StateStore, existence: dict[str, bool]) -> None:
        self.store, self.existence = store, existence

    def __contains__(self, title: object) -> bool:
        if not isinstance(title, str):
            return False
        if title in self.existence:
            return self.existence[title]
        return self.store.exists(title)


class _Checked:
    def __init__(self, store: StateStore) -> None:
        self.store = store

    def __contains__(self, title: object) -> bool:
        return isinstance(title, str) and self.store.has_page(title)


def _settle(checker: Checker, found: Iterable[Finding]) -> tuple[dict[str, list[Finding]], dict[str, set[str]]]:
    """Cross-page findings as the configuration reports them, per page, and the exceptions used."""
    kept: dict[str, list[Finding]] = {}
    used: dict[str, set[str]] = {}
    config = checker.config
    for finding in found:
        if config.excepted(finding.rule, finding.page):
            used.setdefault(finding.page, set()).add(finding.rule)
            continue
        out = config.apply(finding)
        if out is not None:
            kept.setdefault(finding.page, []).append(out)
    return kept, used


def apply_changes(store: StateStore, checker: Checker, outcomes: Iterable[PageOutcome], gone: Iterable[str],
                  existence: dict[str, bool], started: str, step=None) -> CheckResult:
    """Merge the pages checked again (`outcomes`, from `checker.check_page`), drop the pages `gone`
    from the scope, bring the existing titles up to date (`existence`, for every changed title), and
    save it all in one transaction. The result is the whole scope's. `checker` is a fresh Checker of
    this run's configuration; its revisions are the pages read again."""
    for outcome in outcomes:
        checker.add_outcome(outcome)
    new = set(checker.titles)
    changed = new | set(gone) | set(existence)
    overlay: dict[str, PageSummary | None] = {t: checker.index.pages.get(t) for t in new}
    summaries = _Summaries(store, overlay)
    summaries.load(changed)
    old = {t: summaries.rows[t] for t in changed if t in summaries.rows}
    gone = {t for t in gone if t in old} - new
    summaries.known.update({t: None for t in gone})
    existing = _Existing(store, existence)
    rules = checker.crosspage_rules

    # The pages whose findings this run recomputes.
    cross_pages: set[str] = set(new)
    dup_pages: set[str] = set(new)
    if rules:
        targets = changed | store.redirects_to(changed)
        cross_pages |= store.linking_to(targets) - gone
        if DUPLICATE in rules:
            keys = {k for r in old.values() for k in (r["key_title"], r["key_name"]) if k}
            keys |= {k for s in overlay.values() for k in dup_keys(s) if k}
            members = _members(store, summaries, keys, new)
            dup_pages |= members - gone
    touched = (cross_pages | dup_pages) - new
    summaries.load(touched)
    rows = {t: summaries.rows[t] for t in touched | set(old) if t in summaries.rows}
    order = {t: r["ord"] for t, r in summaries.rows.items()}
    for title in sorted(new - set(order)):
        order[title] = store.ord_near(title)

    kept: dict[str, list[Finding]] = {}
    used: dict[str, set[str]] = {}
    if rules:
        index = UniverseIndex()
        index.pages = summaries        # lookups by title only (UniverseIndex.page_findings)
        found = []
        pages = [summaries.known.get(t) for t in sorted(cross_pages)]
        summaries.load({target for p in pages if p is not None for target, _line in p.links})
        summaries.load({summaries.known[t].redirect for p in pages if p is not None for t, _ in p.links
                        if summaries.known.get(t) is not None and summaries.known[t].redirect})
        for page in pages:
            if page is not None:
                found.extend(index.page_findings(page, existing, rules))
        if DUPLICATE in rules:
            found.extend(f for f in _duplicates(store, summaries, dup_pages, order) if f.page in dup_pages)
        kept, used = _settle(checker, found)

    writes = []
    for title in sorted(new | touched):
        before = rows.get(title)
        if title in new:
            row = _row(checker, title, order[title], overlay[title], kept.get(title), used.get(title))
        else:
            row = dict(before)
            both_kept, both_used = kept.get(title, []), used.get(title, set())
            if title in cross_pages:
                row["cross"] = [f for f in both_kept if f.rule != DUPLICATE]
                row["cross_used"] = both_used - {DUPLICATE}
            if title in dup_pages:
                row["dup"] = [f for f in both_kept if f.rule == DUPLICATE]
                row["dup_used"] = both_used & {DUPLICATE}
        if before is None or _differs(before, row):
            writes.append(row)
    revisions = _widen(store.revisions, checker.revisions)
    meta = {"started": started}
    if revisions:
        meta.update(rev_low=str(revisions[0]), rev_high=str(revisions[1]))
    links = {t: (_links(old[t]["summary"]) if t in old else [], _links(overlay.get(t))) for t in new | gone}
    store.write(writes, gone, links, existence, meta, step)
    return _result(store, checker, revisions)


def _differs(before: dict, after: dict) -> bool:
    empty = (None, [], set())
    return any((before.get(k) if before.get(k) not in empty else None)
               != (after.get(k) if after.get(k) not in empty else None) for k in after)


def _members(store: StateStore, summaries: _Summaries, keys: set[str], new: set[str]) -> set[str]:
    """The pages now in the duplicate-event groups `keys`."""
    found = store.in_groups(keys) | {t for t in new if set(dup_keys(summaries.known.get(t))) & keys}
    summaries.load(found)
    return {t for t in found if set(dup_keys(summaries.known.get(t))) & keys}


def _duplicates(store: StateStore, summaries: _Summaries, pages: set[str], order: dict[str, float]):
    """The duplicate-event findings of `pages`: over every group of each (read whole), in the order
    read, as UniverseIndex words them over the whole index."""
    keys = {k for t in pages for k in dup_keys(summaries.known.get(t)) if k}
    new = {t for t, s in summaries.known.items() if s is not None}
    members = _members(store, summaries, keys, new)
    order.update({t: r["ord"] for t, r in summaries.rows.items() if t not in order})
    sub = UniverseIndex()
    for title in sorted(members, key=lambda t: (order.get(t, 0.0), t)):
        sub.add(summaries.known[title])
    return sub._duplicates(RULES[DUPLICATE].severity)


def _widen(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
    if a is None or b is None:
        return a or b
    return min(a[0], b[0]), max(a[1], b[1])


def _result(store: StateStore, checker: Checker, revisions) -> CheckResult:
    """The whole scope's result, from the rows with something to report."""
    config = checker.config
    page_found: list[Finding] = []
    cross_found: list[Finding] = []
    edits: dict = {}
    universes: dict[str, str | None] = {}
    used: set[tuple[str, str]] = set()
    for row in store.flagged():
        title = row["title"]
        mine = (row["findings"] or [])
        theirs = (row["cross"] or []) + (row["dup"] or [])
        page_found.extend(mine)
        cross_found.extend(theirs)
        if mine or theirs:
            universes[title] = row["universe"]
        if row["edits"]:
            edits[title] = sorted(row["edits"])
        for k in ("used", "cross_used", "dup_used"):
            used |= {(rule, title) for rule in row[k] or ()}
    findings = page_found + cross_found
    if config.entries:
        enabled = {r.id for r in checker.page_rules} | checker.crosspage_rules
        for finding in audit(config.exceptions_page, config.entries, checked=_Checked(store), used=used,
                             existing=_Existing(store, {}), enabled=enabled):
            out = config.apply(finding)
            if out is not None:
                findings.append(out)
                if out.page not in universes:
                    row = store.rows([out.page]).get(out.page)
                    if row is not None and row["summary"] is not None:
                        universes[out.page] = row["summary"].universe
    findings.sort(key=lambda f: (f.page, f.line, f.rule))
    result = CheckResult(store.count(), findings, edits, list(checker.errors), universes)
    result.revisions = revisions
    return result
