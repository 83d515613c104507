"""Cross-page rules: what one page says about another, compared within one universe.

Each page is read once into a small :class:`PageSummary` (its universe, its own date, the pages it
links to and the dates it gives them, its event name): no page text is kept. :class:`UniverseIndex`
then answers every rule with dictionary lookups, so a run costs time linear in the number of pages
and links, never a comparison of every pair of pages.

A link "dates" its target when a date follows it in the same sentence, joined only by a short
connector: "the [[October Revolution]] of 25 October 1389 (O.S.)", "[[X]] (1389–1394)",
"[[X]] on 12 November 1389", "[[X]], in 1394", "[[X]], which began in 1394". Anything else between
the link and the date (another link, a sentence end, template or table markup, a verb that is not
about the event, more than 40 characters) and the date is not taken for the target's: a checker
must not invent claims the text does not make.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Iterator

from bots.core.wikitext.article import Article
from bots.core.dates.calendar import Calendar, is_valid_day, julian_to_gregorian
from bots.core.dates.scanner import Date, DateScan, Precision, find_dates
from bots.core.wikitext.datedlinks import MAX_GAP, DatedLink, dated_links, is_interwiki
from bots.core.wikitext.harvest import infobox_dates
from bots.core.wikitext.titles import namespace_of, normalize_title
from bots.core.wikitext.universe import base_title, universe_from_title

from .base import RULES, Finding, PageView, Severity, declare_rule

__all__ = ["GROUP", "crosspage_rule", "DatedLink", "PageSummary", "summarize", "UniverseIndex",
           "dates_agree", "MAX_GAP"]

GROUP = "crosspage"
_REDIRECT_RE = re.compile(r"\s*#redirect\s*:?\s*\[\[([^\[\]|\n]+)", re.I)


def crosspage_rule(rule_id: str, severity: Severity, doc: str) -> str:
    """Register a rule the universe index answers (no page check): ``-listrules`` shows it."""
    return declare_rule(rule_id, severity, doc, GROUP)


DATE_CONFLICT = crosspage_rule(
    "cross-page-date-conflict", Severity.ERROR,
    "A page links to an event and dates it, and the date disagrees with the event's own page.")
CROSS_UNIVERSE = crosspage_rule(
    "cross-universe-link", Severity.WARNING,
    "A page links to a page of another universe.")
MISSING_PAGE = crosspage_rule(
    "link-to-missing-page", Severity.WARNING,
    "A link to a main-namespace page that does not exist.")
DUPLICATE = crosspage_rule(
    "duplicate-event", Severity.WARNING,
    "Two pages of one universe describe the same event (same name and date, or same base title).")
UNIVERSE_CONFLICT = crosspage_rule(
    "universe-conflict", Severity.WARNING,
    "The page names two different universes (marker, infobox, title suffix or category).")
UNIVERSE_MISSING = crosspage_rule(
    "universe-missing", Severity.INFO,
    "A content page names no universe, so no cross-page check can compare it.")



@dataclass(slots=True)
class PageSummary:
    """What the cross-page rules need from one page; small, and free of the page text."""

    title: str
    universe: str | None
    content: bool                                  # main namespace and not a redirect
    redirect: str | None = None
    conflict: tuple[int, str] | None = None        # (line, "marker says X, infobox says Y")
    own_dates: tuple[Date, ...] = ()               # one day in one or two calendars
    own_date_text: str = ""
    links: tuple[tuple[str, int], ...] = ()        # distinct main-namespace targets, first line
    dated_links: tuple[DatedLink, ...] = ()
    name_key: str | None = None                    # infobox name, for duplicate-event
    date_key: str | None = None
    box_line: int = 1

    def __reduce__(self):
        # Pickled for every page (worker to parent, and the -since state): a tuple of the fields is
        # several times faster than dataclasses' generic __getstate__ for slots classes.
        return PageSummary, (self.title, self.universe, self.content, self.redirect, self.conflict, self.own_dates,
                             self.own_date_text, self.links, self.dated_links, self.name_key, self.date_key,
                             self.box_line)


def summarize(view: PageView, schemas: dict | None = None, scan: DateScan | None = None) -> PageSummary:
    """Read one page into its summary (the page's single find_dates pass unless `scan` is given)."""
    article = view.article
    title = normalize_title(view.title, once=True) or view.title
    redirect_m = _REDIRECT_RE.match(view.text)
    redirect = normalize_title(redirect_m.group(1)) if redirect_m else None
    universe = article.universe
    summary = PageSummary(title, universe, namespace_of(title) == 0 and redirect is None, redirect)
    summary.conflict = _conflict(article)
    first: dict[str, int] = {}
    for link in article.links:
        if link.target not in first and namespace_of(link.target) == 0 and not is_interwiki(link.target):
            first[link.target] = link.line
    summary.links = tuple(first.items())
    if redirect is not None:
        return summary
    if scan is None:   # one find_dates pass per page, shared with the date rules (rules/dates.py)
        scan = view.extras.get("_date_scan") or view.extras.setdefault("_date_scan", find_dates(view.text))
    summary.dated_links = tuple(dated_links(article, scan))
    _own_date(summary, article, scan, schemas or {})
    box = article.infobox
    if box is not None:
        summary.box_line = box.line
        name = box.get("name")
        if name and summary.date_key:
            summary.name_key = " ".join(base_title(name).replace("'''", "").split()).casefold()
    return summary


def _conflict(article: Article) -> tuple[int, str] | None:
    claims = article.universe_claims
    if len({c.name for c in claims}) < 2:
        return None
    first = claims[0]
    other = next(c for c in claims if c.name != first.name)
    says = ", ".join(f"{c.source} says {c.name}" for c in claims)
    return (other.line or first.line or 1), says


def _own_date(summary: PageSummary, article: Article, scan: DateScan, schemas: dict) -> None:
    """The page's own date: the infobox's `date` (and `date_os`), else the first date of the lead."""
    if article.infobox is not None:
        found = {name: (value, date) for name, value, date in infobox_dates(article, schemas)
                 if name in ("date", "date_os") and date.valid}
        if found:
            summary.own_dates = tuple(d for _, d in found.values())
            parts = [found["date"][0]] if "date" in found else []
            if "date_os" in found:
                parts.append(f"{found['date_os'][0]} (O.S.)")
            summary.own_date_text = " / ".join(parts)
            summary.date_key = summary.own_dates[0].iso()          # `date`, else `date_os`
            return
    lead_end = article.lead_end
    boxes = [(b.start, b.end) for b in article.infoboxes]
    for m in scan.dates:
        if m.start >= lead_end:
            return
        if any(a <= m.start < b for a, b in boxes):
            continue
        if not m.date.valid or m.role == "end":
            return
        pair = next((p for p in scan.pairs if m is p.old_style or m is p.new_style), None)
        if pair is not None:
            summary.own_dates = (pair.old_style.date, pair.new_style.date)
            summary.own_date_text = f"{pair.old_style.text} (O.S.) / {pair.new_style.text}"
        else:
            summary.own_dates = (m.date,)
            summary.own_date_text = m.text
        return


# ------------------------------------------------------------------------ comparing dates

_RANK = {Precision.DAY: 3, Precision.MONTH: 2, Precision.YEAR: 1}


@lru_cache(maxsize=4096)          # a universe names few distinct dates; the conversion is the cost
def _readings(d: Date) -> frozenset[tuple]:
    """The Gregorian (year, month, day) a date may stand for: a date with no stated calendar may be
    either, so it is read both ways (a checker must not report a date that may well be right)."""
    if d.precision is not Precision.DAY:
        return frozenset({(d.year, d.month, d.day)})
    if d.calendar is Calendar.SWEDISH:         # stated Swedish: one reading, its Gregorian day
        g = d.to_gregorian()
        return frozenset({(g.year, g.month, g.day)})
    out = set()
    if d.calendar is not Calendar.JULIAN:
        out.add((d.year, d.month, d.day))
    if d.calendar is not Calendar.GREGORIAN and is_valid_day(d.year, d.month, d.day, Calendar.JULIAN):
        out.add(julian_to_gregorian(d.year, d.month, d.day))
    return frozenset(out)


def dates_agree(a: Date, b: Date) -> bool:
    """Whether two dates can name the same time, compared at the coarser precision of the two.

    Day against day is compared in the Gregorian calendar (Julian converted); a coarser comparison
    also accepts the dates as written, since a Julian date late in December is in the next
    Gregorian year."""
    rank = min(_RANK[a.precision], _RANK[b.precision])
    if rank == 3:
        return bool(_readings(a) & _readings(b))
    ra = {r[:rank] for r in _readings(a) | {(a.year, a.month, a.day)}}
    rb = {r[:rank] for r in _readings(b) | {(b.year, b.month, b.day)}}
    return bool(ra & rb)


# ------------------------------------------------------------------------ the index

class UniverseIndex:
    """Summaries of every page of a run; `findings()` answers the cross-page rules.

    `comparisons` counts the lookups and date comparisons made, to show that the cost is linear.
    """

    def __init__(self) -> None:
        self.pages: dict[str, PageSummary] = {}
        self.comparisons = 0

    def add(self, summary: PageSummary) -> None:
        self.pages[summary.title] = summary

    def __len__(self) -> int:
        return len(self.pages)

    def _resolve(self, target: str) -> PageSummary | None:
        page = self.pages.get(target)
        if page is not None and page.redirect is not None:
            page = self.pages.get(page.redirect, page)     # one hop, as MediaWiki follows them
        return page

    def findings(self, existing_titles: Iterable[str] | None = None,
                 rules: set[str] | None = None) -> Iterator[Finding]:
        """Cross-page findings. `existing_titles` adds to the indexed titles the pages known to exist
        (live: the wiki's); `rules` limits which rule ids run (default: all six)."""
        existing = set(existing_titles or ())
        for page in self.pages.values():
            yield from self.page_findings(page, existing, rules)
        if rules is None or DUPLICATE in rules:
            yield from self._duplicates(RULES[DUPLICATE].severity)

    def page_findings(self, page: PageSummary, existing: set[str] | frozenset = frozenset(),
                      rules: set[str] | None = None) -> Iterator[Finding]:
        """The cross-page findings on one page but duplicate-event, in the order `findings` gives them.
        Only lookups by title (a link's target, and a redirect's target): `pages` need hold only those
        (the Dask engine's pieces hold the lean summaries of what they link to, bots.core.check.crossindex)."""
        on = (lambda r: True) if rules is None else rules.__contains__
        sev = {rid: RULES[rid].severity for rid in (DATE_CONFLICT, CROSS_UNIVERSE, MISSING_PAGE,
                                                   UNIVERSE_CONFLICT, UNIVERSE_MISSING)}
        if on(UNIVERSE_CONFLICT) and page.conflict:
            yield Finding(page.title, UNIVERSE_CONFLICT, sev[UNIVERSE_CONFLICT], page.conflict[0],
                          f"the page's universe claims disagree: {page.conflict[1]}")
        if on(UNIVERSE_MISSING) and page.content and page.universe is None:
            yield Finding(page.title, UNIVERSE_MISSING, sev[UNIVERSE_MISSING], 1,
                          "no universe: add {{Universe|Earth-…}} or the infobox's universe parameter")
        for target, line in page.links:
            self.comparisons += 1
            if target not in self.pages and target not in existing:
                if on(MISSING_PAGE):
                    yield Finding(page.title, MISSING_PAGE, sev[MISSING_PAGE], line,
                                  f"[[{target}]] does not exist")
                continue
            if not on(CROSS_UNIVERSE) or page.universe is None:
                continue
            other = self._resolve(target)
            theirs = other.universe if other is not None else universe_from_title(target)
            if theirs is not None and theirs != page.universe:
                yield Finding(page.title, CROSS_UNIVERSE, sev[CROSS_UNIVERSE], line,
                              f"[[{target}]] belongs to {theirs}, this page to {page.universe}")
        if on(DATE_CONFLICT):
            yield from self._date_conflicts(page, sev[DATE_CONFLICT])

    def _date_conflicts(self, page: PageSummary, severity: Severity) -> Iterator[Finding]:
        if page.universe is None:
            return
        for link in page.dated_links:
            other = self._resolve(link.target)
            if other is None or other.universe != page.universe or not other.own_dates:
                continue
            self.comparisons += 1
            if not any(dates_agree(link.date, own) for own in other.own_dates):
                yield Finding(page.title, DATE_CONFLICT, severity, link.line,
                              f"[[{other.title}]] is dated {link.text} here, but its page gives "
                              f"{other.own_date_text}")

    def _duplicates(self, severity: Severity) -> Iterator[Finding]:
        """One finding per page in a group of more than one (same base title, or same infobox name
        and date, in one universe), naming the first five others of its groups in order. Linear:
        a group of 100,000 pages is never compared pair by pair (that took 23 GB at 27,000)."""
        groups: dict[tuple, list[str]] = defaultdict(list)
        both: dict[tuple, int] = defaultdict(int)
        for page in self.pages.values():
            if page.universe is None or not page.content:
                continue
            self.comparisons += 1
            groups[("title", page.universe, base_title(page.title))].append(page.title)
            if page.name_key:
                groups[("name", page.universe, page.name_key, page.date_key)].append(page.title)
                both[(page.universe, base_title(page.title), page.name_key, page.date_key)] += 1
        order = {key: n for n, key in enumerate(groups)}     # a page's groups, in the order they began
        name_of = lambda p: (p.name_key, p.date_key) if p.name_key else None  # noqa: E731
        for title, page in self.pages.items():
            if page.universe is None or not page.content:
                continue
            base, name = base_title(page.title), name_of(page)
            mine = [k for k in (("title", page.universe, base),
                                ("name", page.universe, *name) if name else None) if k and len(groups[k]) > 1]
            if not mine:
                continue
            mine.sort(key=order.__getitem__)
            first = groups[mine[0]]
            names = [t for t in first[:6] if t != page.title][:5]       # a page is once in its group
            total = len(first) - 1
            if len(mine) == 2:
                # the second group's pages that are not in the first: their other key differs from ours
                in_first = ((lambda t: base_title(t) == base) if mine[0][0] == "title"
                            else (lambda t: name_of(self.pages[t]) == name))
                second = groups[mine[1]]
                for t in second:
                    if len(names) >= 5:
                        break
                    if t != page.title and not in_first(t):
                        names.append(t)
                total += len(second) - both[(page.universe, base, *name)]
            listed = [f"[[{t}]]" for t in names] + ([f"{total - 5} more"] if total > 5 else [])
            by_name = any(k[0] == "name" for k in mine)
            yield Finding(page.title, DUPLICATE, severity, page.box_line if by_name else 1,
                          f"the same event as {', '.join(listed)} in {page.universe}")
