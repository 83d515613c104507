"""Every date in a page's raw wikitext, with its line, calendar and validity.

:func:`find_dates` runs a handful of compiled regexes over the raw text in passes, most
specific first (date templates, O.S./N.S. pairs, full dates, month-year, year ranges,
bare years). Each pass blanks what it found so a later, looser pass cannot read it again.
Blanking keeps offsets, so every mention points at its exact source substring.
The surface patterns and the re-rendering (:func:`format_like`) live in ``forms``; date
templates in ``templates``; the O.S./N.S. pair forms in ``pairs`` (brackets, slashes) and
``neighbours`` (dates side by side, labels); the judging of a pair (gap, 25 March years,
Swedish calendar) in ``judge``.
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterator

from . import judge as datejudge, neighbours as dateneighbours, pairs as datepairs, templates as datetemplates
from .calendar import Calendar, is_valid_day
from .forms import (
    FULL_FORMS, LINKED_YEAR_RE, MONTH_NAMES, MONTH_YEAR_RE, RANGE_DASH_RE, RANGE_GAP_RE, RANGE_WORD_RE, TEMPLATE_RE,
    TRIGGER_YEAR_RE, WHOLE_YEAR_RE, format_like, matches_at, month_number, resolve_year, template_groups,
)
from .masks import mask_hard, mask_soft, quantity_context
from .model import Date, DateMention, DatePair, DateScan, PairVerdict, Precision
from bots.core.wikitext.lines import Lines

__all__ = [
    "Precision", "Date", "DateMention", "DatePair", "DateScan", "PairVerdict",
    "find_dates", "parse_date", "format_like",
]


# ---------------------------------------------------------------- the scanner

class _Scan:
    """State of one find_dates call: the original text, the blanked copy, what was found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = Lines(text)
        self.work = mask_hard(text)
        self.found: list[DateMention] = []
        self.pairs: list[DatePair] = []
        self.taken: list[tuple[int, int]] = []
        self.pending: list[tuple] = []        # pairs without a year, waiting for the dates around them
        self.primary: dict[int, DateMention] = {}   # the other date of a two-date template -> its main one
        self._marked: bool | None = None
        self._digits: list[int] | None = None
        self._months: list[int] | None = None

    @property
    def page_marked(self) -> bool:
        """Whether the page names a calendar anywhere (asked only for a pair with no marker: the search
        costs more than the rest of a page's scan)."""
        if self._marked is None:
            self._marked = _ANY_MARKER.search(self.text) is not None
        return self._marked

    # Where a date can start. Blanking only turns characters into NULs and never ends inside a run
    # of digits (every match ends before a non-word character), so the positions found once, after
    # the soft mask, stay a superset of the starts in every later pass.
    def digit_starts(self) -> list[int]:
        """Starts of digit runs, and of a "[[" right before one."""
        if self._digits is None:
            self._find_starts()
        return self._digits

    def month_starts(self) -> list[int]:
        """Starts of capitalised month names (any text starting with one), and of a "[[" before one."""
        if self._months is None:
            self._find_starts()
        return self._months

    def _find_starts(self) -> None:
        # One pass for both kinds: each pass over a page costs about as much as the next, whatever
        # it looks for (the regex engine's scan from one candidate character to the next).
        work, digits, months = self.work, [], []
        for m in _START_AT.finditer(work):
            start = m.start()
            (digits if work[start] <= "9" else months).append(start)
        self._digits, self._months = _with_links(work, digits), _with_links(work, months)

    def mention(self, start: int, end: int, date: Date, form: str, role: str | None = None) -> DateMention:
        while self.text.endswith("]]", start, end) and self.text.count("]]", start, end) > self.text.count("[[", start, end):
            end -= 2  # the optional closing brackets of a linked date that was not linked
        m = DateMention(self.text[start:end], start, end, self.lines.at(start), date, role, form)
        self.found.append(m)
        return m

    def restate(self, m: DateMention, cal: Calendar) -> DateMention:
        """Give a found mention the calendar its neighbour implies (validity re-checked in it)."""
        d = m.date
        new = replace(m, date=replace(d, calendar=cal, valid=d.valid and is_valid_day(d.year, d.month, d.day, cal)))
        self.found[self.found.index(m)] = new
        return new

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))

    def blank(self) -> None:
        if self.taken:
            parts, last = [], 0
            for start, end in sorted(self.taken):
                start = max(start, last)
                parts += [self.work[last:start], "\0" * (end - start)]
                last = max(last, end)
            parts.append(self.work[last:])
            self.work = "".join(parts)
            self.taken = []

    def pair(self, a: DateMention, b: DateMention, start: int, end: int) -> None:
        old, new = (a, b) if a.date.calendar in (Calendar.JULIAN, Calendar.SWEDISH) else (b, a)
        self.pairs.append(DatePair(old, new, start, end, self.lines.at(start),
                                   datejudge.judge_dates(old.date, new.date, old.text)))


# A digit run, or the start of a capitalised month name (Jan, Feb, ... Dec). Written as one class
# of first characters, each checked after it is read: the engine then jumps from one candidate
# character to the next (as "Jan|Feb|..." alone does; "[0-9]+|Jan|..." tries every position, 3x slower).
_START_AT = re.compile(r"[0-9JFMASOND](?:(?<=[0-9])[0-9]*|(?<=J)(?:an|u[nl])|(?<=F)eb|(?<=M)a[ry]|(?<=A)(?:pr|ug)"
                       r"|(?<=S)ep|(?<=O)ct|(?<=N)ov|(?<=D)ec)")
_YEAR_RUN = re.compile(r"[1-9]\d{3}(?!\d)")


def _with_links(work: str, starts: list[int]) -> list[int]:
    out = []
    for p in starts:
        if p >= 2 and work.startswith("[[", p - 2):
            out.append(p - 2)
        out.append(p)
    return out


def find_dates(text: str) -> DateScan:
    """Every date in ``text`` in text order, and the O.S./N.S. pairs among them."""
    scan = _Scan(text)
    datetemplates.scan_templates(scan)
    scan.work = mask_soft(scan.work)
    datepairs.scan_pairs(scan)
    _scan_full(scan)
    dateneighbours.pair_nearby(scan)
    _scan_years(scan)
    if scan.pending:
        scan.found.sort(key=lambda m: (m.start, m.end))
        datepairs.resolve_pending(scan)
    scan.found.sort(key=lambda m: (m.start, m.end))
    _mark_ranges(scan)
    scan.pairs.sort(key=lambda p: p.start)
    return DateScan(scan.found, scan.pairs)


# A calendar named anywhere on the page (O.S., N.S., Old/New Style, Julian, Gregorian, S.S., Swedish):
# a pair with no marker of its own is read only on such a page, or in a year before the last change.
_ANY_MARKER = re.compile(r"O\.[ ]?S|N\.[ ]?S|[Oo]ld[ ][Ss]tyle|[Nn]ew[ ][Ss]tyle|Julian|Gregorian|S\.[ ]?S\.|Swedish")


def _scan_full(scan: _Scan) -> None:
    candidates = []
    for form, pattern in FULL_FORMS:
        starts = scan.month_starts() if form == "mdy" else scan.digit_starts()
        candidates += [(m.start(), -m.end(), form, m) for m in matches_at(pattern, scan.work, starts)]
    last = -1
    for start, neg_end, form, m in sorted(candidates, key=lambda c: c[:2]):
        if start < last:
            continue
        last = -neg_end
        cal = dateneighbours.marker_before(scan.work, m.start())
        if cal is Calendar.UNSTATED:
            cal = dateneighbours.marker_after(scan.work, m.end())
        mon, day = month_number(m.group("mon")) or int(m.group("mon")), int(m.group("day"))
        year = resolve_year(m.group("year"), m.groupdict().get("dual"), mon, day)
        if cal is Calendar.SWEDISH and not is_valid_day(year, mon, day, Calendar.SWEDISH):
            cal = Calendar.UNSTATED         # "S.S." outside 1700-1712 is something else
        scan.mention(m.start(), m.end(), Date.of(year, mon, day, cal), form)
        scan.take(m.start(), m.end())
    scan.blank()
    for m in matches_at(MONTH_YEAR_RE, scan.work, scan.month_starts()):
        date = Date.of(int(m.group("year")), month_number(m.group("mon")), None, dateneighbours.marker_after(scan.work, m.end()))
        scan.mention(m.start(), m.end(), date, "my")
        scan.take(m.start(), m.end())
    scan.blank()


def _scan_years(scan: _Scan) -> None:
    work = scan.work
    for pattern in (RANGE_WORD_RE, RANGE_DASH_RE):
        found = pattern.finditer(work) if pattern is RANGE_WORD_RE else matches_at(pattern, work, scan.digit_starts())
        for m in found:
            if pattern is RANGE_WORD_RE and (m.group("kw").lower() == "between") != (m.group("conj") == "and"):
                continue
            y1, raw2 = int(m.group("y1")), m.group("y2")
            if len(raw2) == 2:  # "1389–94": en dash only, a hyphen may be an ISO month
                if "-" in m.group("dash"):
                    continue
                y2 = y1 // 100 * 100 + int(raw2)
            else:
                y2 = int(raw2)
            if y2 <= y1 or quantity_context(work, m.start(), m.end()):
                continue
            scan.mention(m.start("y1"), m.end("y1"), Date.of(y1), "range", "start")
            scan.mention(m.start("y2"), m.end("y2"), Date.of(y2), "range", "end")
            scan.take(m.start(), m.end())
        scan.blank()
        work = scan.work
    for m in LINKED_YEAR_RE.finditer(work):
        scan.mention(m.start(), m.end(), Date.of(int(m.group("year"))), "year")
        scan.take(m.start(), m.end())
    scan.blank()
    for m in _trigger_years(scan.work, scan.digit_starts()):
        if not quantity_context(scan.work, m.start(), m.end()):
            scan.mention(m.start("year"), m.end("year"), Date.of(int(m.group("year"))), "year")


_TRIGGER_LENGTHS = (2, 3, 4, 5, 6)      # of the words before a year in TRIGGER_YEAR_RE ("c.", "in", "during")


def _trigger_years(work: str, starts: list[int]) -> Iterator[re.Match]:
    """TRIGGER_YEAR_RE.finditer(work), found from the years: skip back over the spaces before each
    four-digit number and try the pattern where one of its words would start. `starts`: the digit
    runs' starts (a year the pattern reads follows a space, so it starts a run)."""
    for year in starts:
        if _YEAR_RUN.match(work, year) is None:
            continue
        q = year
        while q:
            if work[q - 1] in " \t":
                q -= 1
            elif work.endswith("&nbsp;", 0, q):
                q -= 6
            else:
                break
        if q == year:
            continue
        for length in _TRIGGER_LENGTHS:
            m = TRIGGER_YEAR_RE.match(work, q - length) if q >= length else None
            if m is not None and m.start("year") == year:
                yield m
                break


def _mark_ranges(scan: _Scan) -> None:
    """Give roles to two dates joined by a dash or "to" ("25 October 1389 – 5 January 1390")."""
    paired = {id(p.old_style) for p in scan.pairs} | {id(p.new_style) for p in scan.pairs}
    found = scan.found
    for i in range(len(found) - 1):
        a, b = found[i], found[i + 1]
        if a.role or b.role or id(a) in paired or id(b) in paired or a.form == "range":
            continue
        gap = scan.text[a.end:b.start]
        if not gap or not RANGE_GAP_RE.fullmatch(gap):
            continue
        if gap.strip() == "and" and not scan.text[max(0, a.start - 9):a.start].rstrip().lower().endswith("between"):
            continue
        found[i], found[i + 1] = replace(a, role="start"), replace(b, role="end")


@lru_cache(maxsize=4096)     # infobox values repeat; several rules read the same one; Date is frozen
def parse_date(value: str) -> Date | None:
    """The date in one field value ("25 October 1389", "{{Start date|1389|10|25}}", "1389").

    A value that is only a year is that year; a date template gives the date the field
    means (the death date of {{Death date and age}}); otherwise the first date found, or
    the New Style side of a pair. None when the value holds no date.
    """
    value = value.strip()
    whole = WHOLE_YEAR_RE.fullmatch(value)
    if whole and value.startswith("[[") == value.endswith("]]"):
        return Date.of(int(whole.group("year")))
    plain = plain_date(value)
    return plain if plain is not None else scanned_date(value)


# A value that is one plain date and nothing else, the commonest infobox date ("25 October 1389",
# "October 25, 1389"): what the whole scan would read from it, without its passes (about 40 us a
# value, and most infobox dates are new to the cache).
_MONTH_NAME = "|".join(MONTH_NAMES)
_PLAIN_DMY = re.compile(rf"([12]\d|3[01]|0?[1-9]) ({_MONTH_NAME}) ([1-9]\d{{2,3}})")
_PLAIN_MDY = re.compile(rf"({_MONTH_NAME}) ([12]\d|3[01]|0?[1-9]), ([1-9]\d{{2,3}})")


def plain_date(value: str) -> Date | None:
    """The date of a stripped value of the two plain forms; None for any other value."""
    m = _PLAIN_DMY.fullmatch(value)
    if m is not None:
        day, month, year = m.groups()
    elif (m := _PLAIN_MDY.fullmatch(value)) is not None:
        month, day, year = m.groups()
    else:
        return None
    return Date.of(int(year), month_number(month), int(day))


def scanned_date(value: str) -> Date | None:
    """parse_date's reading of a stripped value through the whole scan."""
    scan = find_dates(value)
    if scan.pairs:
        return scan.pairs[0].new_style.date
    if not scan.dates:
        return None
    m = TEMPLATE_RE.fullmatch(value)
    if m is not None and len(scan.dates) > 1:
        name = " ".join(m.group("name").lower().replace("_", " ").split())
        args = [(a.strip(), 0, 0) for a in m.group("args").split("|") if a.strip() and "=" not in a]
        return scan.dates[template_groups(name, args)[1]].date
    return scan.dates[0].date
