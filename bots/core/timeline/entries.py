"""Timeline entries from the harvest's records (bots.core.wikitext.harvest): no page is scanned again.

Every valid dated fact of a universe's pages becomes an entry, sorted on its New Style (Gregorian)
day: an O.S./N.S. pair, an infobox's `date` with its `date_os`, or a lone O.S. date is one entry,
shown the way the wiki writes it ("2 November [O.S. 25 October] 1389"); a range (the scanner's
start/end roles, an infobox's `date` with `end_date`) is one span. A coarser date sorts before the days in
it (a year-only fact opens its year). Left out, and counted: invalid dates ("invalid") and dates that fail
the calendar check ("calendar": a pair whose sides are not one day, a `date_os` that is not `date`).
The same day stated twice on one page is one entry (the prose one, which has the better phrase).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from bots.core.dates.calendar import Calendar
from bots.core.dates.forms import MONTH_NAMES
from bots.core.dates.model import Date, Precision

__all__ = ["Entry", "Conflict", "Built", "build_entries", "date_of", "shown", "own_entries"]

_ISO = re.compile(r"(\d{1,5})(?:-(\d{2}))?(?:-(\d{2}))?")
_OWN = ("infobox:date", "infobox:date_os")
_END_PARAMS = {"infobox:end_date": "infobox:date"}


@dataclass(frozen=True)
class Conflict:
    """Another page of the universe dates this entry's event differently: both are shown."""

    event: str          # the event's page
    page: str           # the page that dates it
    theirs: str         # the date as that page gives it
    own: str            # the date the event's page gives


@dataclass(frozen=True)
class Entry:
    ns: Date                        # the New Style (or unstated) date it sorts on
    page: str
    phrase: str
    os: Date | None = None          # the Old Style side, where the wiki states one
    end: Date | None = None         # a span's end (New Style)
    end_os: Date | None = None
    section: str | None = None
    source: str = "prose"
    line: int = 0
    own: bool = False               # the page's own date (its infobox's `date`)
    conflicts: tuple[Conflict, ...] = ()

    def key(self) -> tuple:
        end = self.end.sort_key() if self.end else (0, 0, 0)
        return (*self.ns.sort_key(), *end, self.page, self.line, self.phrase)

    @property
    def year(self) -> int:
        return self.ns.sort_key()[0]

    def shown(self) -> str:
        start = shown(self.ns, self.os)
        return start if self.end is None else f"{start} – {shown(self.end, self.end_os)}"


@dataclass
class Built:
    entries: list[Entry] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)      # "invalid" | "calendar" -> count
    pages: set[str] = field(default_factory=set)             # the pages the entries come from


def date_of(iso: str, calendar: str = "unstated") -> Date | None:
    """The harvest's ISO date with its calendar, as a Date (None: not a date this reads)."""
    m = _ISO.fullmatch(iso or "")
    if m is None:
        return None
    try:
        cal = Calendar(calendar)
    except ValueError:
        cal = Calendar.UNSTATED
    y, mo, d = (int(g) if g else None for g in m.groups())
    return Date.of(y, mo, d, cal)


def _day_month(d: Date) -> str:
    return f"{d.day} {MONTH_NAMES[d.month - 1]}" if d.precision is Precision.DAY else MONTH_NAMES[d.month - 1]


def shown(ns: Date, os: Date | None = None) -> str:
    """"2 November [O.S. 25 October] 1389"; the O.S. year is written where it differs
    ("11 January 1390 [O.S. 31 December 1389]")."""
    if ns.precision is Precision.YEAR:
        return str(ns.year)
    if os is None or os.precision is not Precision.DAY:
        return f"{_day_month(ns)} {ns.year}"
    if os.year == ns.year:
        return f"{_day_month(ns)} [O.S. {_day_month(os)}] {ns.year}"
    return f"{_day_month(ns)} {ns.year} [O.S. {_day_month(os)} {os.year}]"


def _gregorian(d: Date) -> Date:
    return d.to_gregorian() if d.calendar in (Calendar.JULIAN, Calendar.SWEDISH) else d


def build_entries(records: list[dict]) -> Built:
    """The entries of a universe's pages (their records), in chronological order."""
    out = Built()
    for rec in records:
        title = rec.get("title") or ""
        for entry in _page_entries(rec, out.left_out):
            out.entries.append(replace(entry, page=title))
            out.pages.add(title)
    out.entries.sort(key=Entry.key)
    return out


def _page_entries(rec: dict, left_out: Counter) -> list[Entry]:
    facts = [f for f in rec.get("facts") or () if isinstance(f, dict)]
    dates: list[Date | None] = [date_of(f.get("date"), f.get("calendar")) for f in facts]
    used = [False] * len(facts)
    entries: list[Entry] = []

    def take(i: int) -> None:
        used[i] = True

    for i, (f, d) in enumerate(zip(facts, dates)):
        if d is None or not d.valid or not f.get("valid", True):
            left_out["invalid"] += 1
            take(i)

    # O.S./N.S. pairs of the prose: one entry, or left out when the sides are not one day.
    for pair in rec.get("pairs") or ():
        os_i = _find(facts, used, pair.get("old_style"), pair.get("line"), ("julian", "swedish"))
        ns_i = _find(facts, used, pair.get("new_style"), pair.get("line"), ("gregorian", "unstated"))
        for i in (os_i, ns_i):
            if i is not None:
                take(i)
        if not pair.get("consistent"):
            left_out["calendar"] += 1
            continue
        if ns_i is None or os_i is None:
            continue
        f = facts[ns_i]
        entries.append(Entry(dates[ns_i], "", f.get("phrase") or f.get("text", ""), os=dates[os_i],
                             section=f.get("section"), line=f.get("line") or 0))

    # The infobox: `date` with `date_os` is one day; `end_date` ends its span.
    box = {f.get("source"): i for i, f in enumerate(facts) if not used[i] and str(f.get("source")).startswith("infobox:")}
    ns_i, os_i = box.get("infobox:date"), box.get("infobox:date_os")
    if ns_i is not None or os_i is not None:
        for i in (ns_i, os_i):
            if i is not None:
                take(i)
        ns, os = (dates[ns_i] if ns_i is not None else None), (dates[os_i] if os_i is not None else None)
        if ns is not None and os is not None and os.precision is Precision.DAY and _gregorian(os) != replace(
                ns, calendar=Calendar.GREGORIAN):
            left_out["calendar"] += 1
        else:
            if ns is None:
                ns = _gregorian(os)
            end_i = box.get("infobox:end_date")
            end = None
            if end_i is not None:
                take(end_i)
                end = _gregorian(dates[end_i])
                if end.sort_key() < ns.sort_key():
                    end = None
            f = facts[ns_i if ns_i is not None else os_i]
            entries.append(Entry(ns, "", f.get("phrase") or f.get("text", ""), os=os, end=end,
                                 source=f.get("source"), line=f.get("line") or 0, own=True))

    # Everything else: prose ranges as spans, single dates (a lone O.S. date shown with its N.S. day).
    i = 0
    while i < len(facts):
        if used[i]:
            i += 1
            continue
        f, d = facts[i], dates[i]
        take(i)
        ns = _gregorian(d)
        os = d if ns is not d else None
        end = end_os = None
        j = i + 1
        if f.get("role") == "start" and j < len(facts) and not used[j] and facts[j].get("role") == "end":
            take(j)
            e = dates[j]
            end = _gregorian(e)
            end_os = e if end is not e else None
            if end.sort_key() < ns.sort_key():
                end = end_os = None
        entries.append(Entry(ns, "", f.get("phrase") or f.get("text", ""), os=os, end=end, end_os=end_os,
                             section=f.get("section"), source=f.get("source") or "prose",
                             line=f.get("line") or 0))
        i += 1
    return _dedupe(entries)


def _find(facts: list[dict], used: list[bool], iso, line, calendars: tuple[str, ...]) -> int | None:
    """The unused fact of a pair's side: that date, in one of its calendars, on the pair's line or next."""
    for i, f in enumerate(facts):
        if (not used[i] and f.get("date") == iso and f.get("calendar") in calendars
                and isinstance(line, int) and line <= (f.get("line") or 0) <= line + 1
                and f.get("source", "prose") == "prose"):
            return i
    return None


def _dedupe(entries: list[Entry]) -> list[Entry]:
    """One entry per day (and span) of a page; an infobox's date that the prose states too is merged
    into the prose entry (which has the better phrase), carrying its O.S. side, its span's end and
    the page-owns-it flag."""
    kept: dict[tuple, Entry] = {}
    starts: dict[tuple, tuple] = {}
    for e in sorted(entries, key=lambda e: (e.source != "prose", e.line)):
        start = (e.ns.sort_key(), e.ns.precision)
        k = (*start, e.end.sort_key() if e.end else None)
        have = kept.get(k)
        if have is None and e.source != "prose" and start in starts:
            k = starts[start]
            have = kept[k]
        if have is None:
            kept[k] = e
            starts.setdefault(start, k)
            continue
        end = (have.end, have.end_os) if have.end else (e.end, e.end_os)
        kept[k] = replace(have, os=have.os or e.os, own=have.own or e.own, end=end[0], end_os=end[1])
    return list(kept.values())


def own_entries(entries: list[Entry]) -> dict[str, Entry]:
    """Each page's own-date entry: its infobox's, else its first in the lead. One pass (a universe
    of 10,000 pages must not look its pages up one by one)."""
    out: dict[str, Entry] = {}
    for e in entries:
        have = out.get(e.page)
        if (have is None and (e.own or e.section is None)) or (e.own and have is not None and not have.own):
            out[e.page] = e
    return out
