"""The check in pieces, for an engine that runs them apart (bots.cluster.dask_engine): what a task does
with one piece of a source, and the keyed folds that build the cross-page index from the pieces.

Pure: plain functions and values, no Dask. The engine maps `check_piece` over the pieces, folds
`title_fact`s by title (the first place of each title, and its summary without its links) and
`group_facts` by duplicate-event key, then maps `page_results` over the pieces' entries with those
two tables. The result is the one `Checker.finish` gives over the same pages read in order, finding
for finding (tests/integration/test_dask.py holds that):

- Every entry carries its place in the source, `seq` = (piece, position): the first place of a title
  wins (a later one is the "same page" error, as offline_pages says), and errors and findings come
  out in that order.
- Each fold's value is bounded, whatever the key: a title has one first place; a duplicate-event
  group (a universe with 100,000 pages of one base title) keeps its count and its first six members,
  enough to name, for any page of the group, the first five others the local check names (see
  `_reduce`). No key's pages are ever gathered in one list.
- The link lookups need the summaries of the pages linked to: the title table (every title's
  summary without its links, ~100 bytes a page) is broadcast to the tasks, not a hub's pages.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from bots.core.check.checker import Checker, PageOutcome
from bots.core.check.parallel import check_outcomes
from bots.core.check.rules.base import RULES, Finding
from bots.core.check.rules.crosspage import DUPLICATE, PageSummary, UniverseIndex
from bots.core.sources import SourceError, SourcePage, same_page_message
from bots.core.wikitext.titles import normalize_title
from bots.core.wikitext.universe import base_title

__all__ = ["Entry", "check_piece", "title_fact", "earlier", "group_facts", "group_add", "group_merge",
           "TitleTable", "title_table", "page_results", "Out"]

Seq = tuple[int, int]
_KEEP = 6           # five others to name, and the page itself


@dataclass(frozen=True)
class Entry:
    """One item of a piece, checked: a page's outcome (with its summary), or an error."""

    seq: Seq
    key: str | None = None          # the title as one page ("foo_bar" is "Foo bar")
    title: str | None = None        # as the source gives it
    origin: str = ""
    outcome: PageOutcome | None = None
    error: str | None = None


def check_piece(piece_no: int, items: Iterable[SourcePage | SourceError], checker: Checker) -> list[Entry]:
    """Check the pages of one piece in one budget worker (bots.core.check.parallel), in order."""
    entries: list[Entry] = []
    waiting: dict[int, tuple[int, SourcePage]] = {}

    def texts() -> Iterator[tuple[str, str]]:
        n = 0
        for pos, item in enumerate(items):
            if isinstance(item, SourceError):
                entries.append(Entry((piece_no, pos), error=str(item)))
                continue
            waiting[n] = (pos, SourcePage(item.title, "", item.origin))     # not its text: done with it
            n += 1
            yield item.title, item.text

    for n, outcome in enumerate(check_outcomes(checker, texts(), processes=1)):
        pos, page = waiting.pop(n)
        entries.append(Entry((piece_no, pos), normalize_title(page.title) or page.title, page.title, page.origin,
                             outcome))
    entries.sort(key=lambda e: e.seq)
    return entries


# -- the first place of each title, and its summary ------------------------------------------------
def title_fact(entry: Entry) -> tuple[Seq, str, PageSummary | None]:
    """What the title fold keeps of a page: where it is, and its summary without links (what a page
    linking to it looks up)."""
    summary = entry.outcome.summary if entry.outcome is not None else None
    if summary is not None:
        summary = replace(summary, links=(), dated_links=())
    return entry.seq, entry.origin, summary


def earlier(a, b):
    """The fold of title facts: the first place wins (None is the fold's start)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if a[0] <= b[0] else b


@dataclass
class TitleTable:
    """Every title's first place, and the index (title -> summary without links) for lookups."""

    first: dict[str, tuple[Seq, str]]
    index: UniverseIndex


def title_table(folded: Iterable[tuple[str, tuple[Seq, str, PageSummary | None]]]) -> TitleTable:
    first, index = {}, UniverseIndex()
    for key, (seq, origin, summary) in folded:
        first[key] = (seq, origin)
        if summary is not None:
            index.pages[key] = summary
    return TitleTable(first, index)


def _is_first(entry: Entry, table: TitleTable) -> bool:
    return table.first.get(entry.key, (entry.seq,))[0] == entry.seq


# -- duplicate-event groups: a count and a bounded set of members ----------------------------------
Member = tuple[Seq, str, object]      # (place, title, the page's key in the other kind of group)
Group = tuple[int, tuple[Member, ...]]


def _name_key(s: PageSummary) -> tuple | None:
    return (s.name_key, s.date_key) if s.name_key else None


def group_facts(entries: Iterable[Entry], table: TitleTable) -> Iterator[tuple[tuple, Member]]:
    """(group key, member) for every page in a duplicate-event group: by base title, by infobox name
    and date, and by both (only counted: how much the two overlap)."""
    for e in entries:
        s = e.outcome.summary if e.outcome is not None else None
        if s is None or s.universe is None or not s.content or not _is_first(e, table):
            continue
        base, name = base_title(s.title), _name_key(s)
        yield ("title", s.universe, base), (e.seq, s.title, name)
        if name is not None:
            yield ("name", s.universe, name), (e.seq, s.title, base)
            yield ("both", s.universe, base, name), (e.seq, s.title, None)


def _reduce(members: list[Member]) -> tuple[Member, ...]:
    """What a group keeps: its first `_KEEP` members (exact under merging: the first six of a union
    are among the first six of its parts). That is all a page needs: the first five others of its
    first group A, then, if A has fewer, the first 6 - |A| of its second group B not in A; B's first
    six hold at most |A| pages of A (the page itself among them), so at least 6 - |A| others."""
    return tuple(sorted(set(members))[:_KEEP])


def group_add(acc: Group | None, item: tuple[tuple, Member]) -> Group:
    count, members = acc or (0, ())
    return count + 1, _reduce([*members, item[1]])


def group_merge(a: Group | None, b: Group | None) -> Group:
    if a is None or b is None:
        return a or b
    return a[0] + b[0], _reduce([*a[1], *b[1]])


def _duplicate(s: PageSummary, groups: dict[tuple, Group]) -> Finding | None:
    """The duplicate-event finding on one page, as UniverseIndex._duplicates words it."""
    if s.universe is None or not s.content:
        return None
    base, name = base_title(s.title), _name_key(s)
    found = []
    title_group = groups.get(("title", s.universe, base))
    if title_group and title_group[0] > 1:
        found.append((title_group[1][0][0], 0, title_group, name))      # others named by their name key
    name_group = groups.get(("name", s.universe, name)) if name else None
    if name_group and name_group[0] > 1:
        found.append((name_group[1][0][0], 1, name_group, base))
    if not found:
        return None
    found.sort(key=lambda g: (g[0], g[1]))
    first = found[0][2]
    names = [m[1] for m in first[1] if m[1] != s.title][:5]
    total = first[0] - 1
    if len(found) == 2:
        second, own = found[1][2], found[1][3]      # in the first group too: other-key equal to ours
        names += [m[1] for m in second[1] if m[2] != own and m[1] != s.title][:5 - len(names)]
        both = groups.get(("both", s.universe, base, name), (1, ()))[0]
        total += second[0] - both
    listed = [f"[[{t}]]" for t in names[:5]] + ([f"{total - 5} more"] if total > 5 else [])
    line = s.box_line if name_group and name_group[0] > 1 else 1
    return Finding(s.title, DUPLICATE, RULES[DUPLICATE].severity, line,
                   f"the same event as {', '.join(listed)} in {s.universe}")


# -- what the parent gets --------------------------------------------------------------------------
@dataclass(frozen=True)
class Out:
    """One entry as the parent records it: an error line, or a page outcome (without its summary) and
    its cross-page findings (with the page's universe)."""

    error: str | None = None
    outcome: PageOutcome | None = None
    crosspage: tuple[Finding, ...] = ()
    universe: str | None = None


def page_results(entries: Iterable[Entry], table: TitleTable, groups: dict[tuple, Group],
                 rules: set[str]) -> list[Out]:
    """The entries of one piece with their cross-page findings, and a title given twice made the
    same error the local check makes."""
    out = []
    for e in entries:
        if e.error is not None:
            out.append(Out(error=e.error))
            continue
        if not _is_first(e, table):
            first_origin = table.first[e.key][1]
            out.append(Out(error=str(SourceError(e.origin, same_page_message(first_origin, "checked"), e.title))))
            continue
        s = e.outcome.summary
        found: list[Finding] = []
        if s is not None and rules:
            found = list(table.index.page_findings(s, frozenset(), rules))
            if DUPLICATE in rules:
                dup = _duplicate(s, groups)
                if dup is not None:
                    found.append(dup)
        out.append(Out(outcome=replace(e.outcome, summary=None), crosspage=tuple(found),
                       universe=s.universe if s is not None else None))
    return out


def assemble(checker: Checker, outs: Iterable[Out], first_errors: Iterable[str] = ()):
    """The CheckResult of the outs of every piece, in order: what Checker.finish gives locally."""
    for err in first_errors:
        checker.add_error(err)
    crosspage: list[Finding] = []
    universes: dict[str, str | None] = {}
    for o in outs:
        if o.error is not None:
            checker.add_error(o.error)
            continue
        checker.add_outcome(o.outcome)
        if o.crosspage:
            crosspage.extend(o.crosspage)
            universes[o.outcome.title] = o.universe
    return checker.finish(crosspage=crosspage, crosspage_universes=universes)
