"""Old Style / New Style pairs as real articles write them, in brackets, with slashes and in templates.

Forms read (each side may carry a calendar marker: O.S./N.S., Old/New Style, Julian/Gregorian,
S.S./Swedish calendar, with "by the", "in the" ... before it):
  - a bracket after a date: "25 October 1389 (O.S.; 2 November N.S.)", "2 November [O.S. 25 October] 1389",
    "10 September, [O.S. 29 August] 1828", "[O.S. c. 4 March]", "(March 31, 1745, Old Style, Julian
    calendar)", "(14 February in the Gregorian calendar)", "[N.S.: 14 November 1650]";
  - a bare other-calendar day: "9 (20) May 1797", "14 (3) June 1796", "January 9 (22), 1905";
  - slash pairs: "19 February/3 March 1861", "February 19/March 3, 1861", "1/12 January", "11/22 June 1727",
    "30 August (O.S.) / 10 September (N.S.) 1721", "6 January 1877/18 January 1877";
  - pairs without a year of their own, which take the year of their sentence or paragraph:
    "on 23 February Old Style (8 March New Style)";
  - a date template with a bracket after it: "{{birth date|1828|9|9}} [O.S. 28 August]".
(Two dates side by side or joined by a phrase are ``neighbours``' business, the judging of a pair
``judge``'s.) A pair with no marker at all is an O.S./N.S. pair only if its two days are about the
calendar gap of their year apart (three days either way; five for the forms with a marker on one
side only); the later day is the New Style one.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .calendar import Calendar, in_swedish_period
from .forms import (
    QUAL, SEP, SP, day_re, dm_re, dmy_re, mark_re, marker_calendar, match_parts, mdy_re, month_number, month_re,
    resolve_year, year_re, matches_at,
)
from .judge import judge_dates, label_gap, plausible
from .model import Date
from .masks import quantity_context

if TYPE_CHECKING:   # dates imports this module; these are only needed for hints
    from .scanner import _Scan  # noqa: F401 (for hints only)

__all__ = ["Side", "scan_pairs", "resolve_pending", "warm"]

_J, _G, _S, _U = Calendar.JULIAN, Calendar.GREGORIAN, Calendar.SWEDISH, Calendar.UNSTATED
_OLD = (_J, _S)
_LAST_DUAL_CALENDAR_YEAR = 1923    # Greece, the last to change: later unmarked "pairs" are something else
_WINDOW_UNMARKED = 3               # days either side of the gap, for a pair with no marker at all
_WINDOW_MARKED = 5                 # ... and with a marker on one side only


# ---------------------------------------------------------------- patterns

_CIRCA = r"(?:(?:c\.|ca\.|circa)(?:[ \t\u00a0]|&nbsp;)*)?"
_WS = r"(?:[ \t\u00a0\u202f]|&nbsp;)*"


def _day_plain(p: str) -> str:
    return day_re(p, after_slash=True)      # the day after "/" or "(" ("1/12 January", "9 (20) May")


def _full(p: str, after_slash: bool = False) -> str:
    return rf"{dmy_re(p + '1', after_slash)}|{mdy_re(p + '2')}"


def _after(q: str) -> str:
    """A calendar named right after one side: " (O.S.)", " O.S.", ", Old Style", " by the Julian calendar"."""
    return (rf"(?:{_WS},?{_WS}(?:[(\[]{_WS}{QUAL}{mark_re(q + 'b')}{_WS}[)\]]|{QUAL}{mark_re(q + 'p')}))"
            r"(?![ \t]*[:=])")


def _bracket_open(q: str) -> str:
    # "(", "[", "(O.S. ", "[O.S.; ", "(New Style: " - a marker with ";" or "," names the first date
    return rf"{_WS},?{_WS}[(\[]{_WS}(?:{QUAL}{mark_re(q)}{_WS}(?P<{q}punct>[;,:=])?{_WS})?{_CIRCA}"


def _bracket_close(q: str) -> str:
    # "... 28 August O.S.]", "... 28 August, Old Style)", "... 28 August (O.S.)]", "... November 19th.)"
    return (rf"\.?{_WS},?{_WS}(?:{QUAL}{mark_re(q)}|\({_WS}{mark_re(q + 'p')}{_WS}\))?{_WS}[)\]]")


_NO_YEAR_AFTER = r"(?![ \t]*,?[ \t]*(?:\[\[)?\d)"

# (name, pattern). Tried in this order; each may only start where a date can (a digit or a month).
_PATTERNS = [
    ("full", rf"(?P<a>{_full('a')})(?:{_after('x')})?{_bracket_open('m1')}"
             rf"(?P<b>{dm_re('b')}(?:{SEP}{year_re('by')})?){_bracket_close('m2')}"),
    ("slash_full", rf"(?P<a>{_full('a')})(?:{_after('x')})?{_WS}/{_WS}(?P<b>{_full('b', after_slash=True)})"
                   rf"(?:{_after('z')})?"),
    ("shared", rf"(?P<a>{dm_re('a')})(?:{_after('x')})?{_bracket_open('m1')}(?P<b>{dm_re('b')}){_bracket_close('m2')}"
               rf"{SEP}{year_re('y')}"),
    ("slash_dm", rf"(?P<a>{dm_re('a')})(?:{_after('x')})?{_WS}/{_WS}(?P<b>{dm_re('b', after_slash=True)})(?:{_after('z')})?"
                 rf"(?:{SEP}{year_re('y')})?"),
    ("yearless", rf"(?P<a>{dm_re('a')})(?:{_after('x')})?{_bracket_open('m1')}(?P<b>{dm_re('b')})"
                 rf"{_bracket_close('m2')}{_NO_YEAR_AFTER}"),
    ("paren_day", rf"(?P<a>{day_re('a')}){_WS}[(\[]{_WS}(?P<b>{_day_plain('b')}){_WS}[)\]](?:{SP}of)?{SP}{month_re('m')}"
                  rf"(?:{SEP}{year_re('y')})?"),
    ("paren_day_md", rf"{month_re('m')}{SP}(?P<a>{day_re('a')}){_WS}[(\[]{_WS}(?P<b>{_day_plain('b')}){_WS}[)\]]"
                     rf"(?:{SEP}{year_re('y')})?"),
    ("slash_day", rf"(?P<a>{day_re('a')}){_WS}/{_WS}(?P<b>{_day_plain('b')}){SP}{month_re('m')}"
                  rf"(?:{SEP}{year_re('y')})?"),
    ("slash_day_md", rf"{month_re('m')}{SP}(?P<a>{day_re('a')}){_WS}/{_WS}(?P<b>{_day_plain('b')})"
                     rf"(?:{SEP}{year_re('y')})?(?![/\d])"),
]


@cache
def _compiled() -> tuple[tuple[str, re.Pattern], ...]:
    """The pair patterns, compiled on first use: together they take 0.2-0.4 s to compile, which every bot
    that imports the checker paid at start-up (the publish gate, an incremental check of a few pages
    that hold no pair at all)."""
    return tuple((name, re.compile(p)) for name, p in _PATTERNS)


# A bracket with a marker after a date template: "{{birth date|1828|9|9|df=y}} [O.S. 28 August]"
_AFTER_TEMPLATE = (rf"[ \t]*(?:<br ?/?>)?{_bracket_open('m1')}(?P<b>{dm_re('b')}(?:{SEP}{year_re('by')})?)"
                   rf"{_bracket_close('m2')}")


@cache
def _after_template() -> re.Pattern:
    return re.compile(_AFTER_TEMPLATE)


def warm() -> None:
    """Compile the patterns now (~50 ms), for a worker that has time before its first page."""
    _compiled()
    _after_template()


# Where a pair can be: a bracket or slash followed by a day, a month, a marker or "c.". The patterns
# are tried only at the date starts just before such a place: most pages have few.
# One pattern per opening character: a pattern that starts with a plain character is found by a fast
# scan for it (one with a class of three in front takes four times as long).
_HINTS = [re.compile(re.escape(c) + r"(?:[ \t\u00a0]|&nbsp;)*(?:[0-9]|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
                     r"|O\.|N\.|S\.|[Oo]ld|[Nn]ew|Julian|Gregorian|c\.|ca\.|\[\[)") for c in "([/"]
_HINT_REACH = 70       # a date, a qualifier ("by the Julian calendar") and the bracket


# ---------------------------------------------------------------- reading

@dataclass
class Side:
    start: int
    end: int
    day: int
    month: int
    year: int | None          # as written (a dual year resolved), None when the side shows none
    form: str
    calendar: Calendar


def _marker(m: re.Match, *groups: str) -> Calendar:
    for g in groups:
        v = m.group(g) if g in m.re.groupindex else None
        if v:
            return marker_calendar(v)
    return _U


def _calendars(m: re.Match) -> tuple[Calendar, Calendar]:
    cal_a = _marker(m, "xbmark", "xpmark")
    cal_b = _marker(m, "m2mark", "m2pmark", "zbmark", "zpmark")
    m1 = m.group("m1mark") if "m1mark" in m.re.groupindex else None
    if m1:
        if m.group("m1punct") in (";", ","):
            cal_a = cal_a if cal_a is not _U else marker_calendar(m1)
        elif cal_b is _U:
            cal_b = marker_calendar(m1)
    return cal_a, cal_b


def _year_group(m: re.Match, name: str, month: int, day: int) -> int | None:
    if name + "year" not in m.re.groupindex or m.group(name + "year") is None:
        return None
    return resolve_year(m.group(name + "year"), m.group(name + "dual"), month, day)


def _sides(name: str, m: re.Match) -> tuple[Side, Side, int | None]:
    """The two sides of a match and the year they share (None when each has its own or none)."""
    if name in ("paren_day", "paren_day_md", "slash_day", "slash_day_md"):
        mon = month_number(m.group("mmon"))
        da, db = int(m.group("aday")), int(m.group("bday"))
        a = Side(m.start("aday"), m.end("aday") + len(m.group("asfx") or ""), da, mon, None, "d", _U)
        b = Side(m.start("bday"), m.end("bday") + len(m.group("bsfx") or ""), db, mon, None, "d", _U)
        return a, b, _year_group(m, "y", mon, min(da, db))
    day_a, mon_a, year_a, sub_a = match_parts(m, "a")
    day_b, mon_b, year_b, sub_b = match_parts(m, "b")
    full = name in ("full", "slash_full")
    form_a = ("mdy" if sub_a.endswith("2") else "dmy") if full else ("md" if sub_a.endswith("2") else "dm")
    if name == "slash_full":
        form_b = "mdy" if sub_b.endswith("2") else "dmy"
    elif name == "full" and m.group("byyear"):
        form_b, year_b = ("mdy" if sub_b.endswith("2") else "dmy"), _year_group(m, "by", mon_b, day_b)
    else:
        form_b = "md" if sub_b.endswith("2") else "dm"
    a = Side(m.start("a"), m.end("a"), day_a, mon_a, year_a if full else None, form_a, _U)
    b = Side(m.start("b"), m.end("b"), day_b, mon_b, year_b, form_b, _U)
    shared = _year_group(m, "y", mon_b, day_b) if name in ("shared", "slash_dm") else None
    return a, b, shared


def _years(os_side: Side, ns_side: Side, shared: int | None) -> tuple[int, int] | None:
    """(O.S. year, N.S. year). A shared year belongs to the N.S. date; across New Year the O.S. date
    falls in the year before (the Julian calendar runs behind): a December O.S. day with a January
    N.S. one, and no other months, as the calendars are never more than a fortnight apart."""
    yo, yn = os_side.year, ns_side.year
    if yn is None and yo is None:
        yn = shared
    if yn is None and yo is None:
        return None
    if yn is None:
        yn = yo + 1 if (os_side.month, ns_side.month) == (12, 1) else yo
    if yo is None:
        yo = yn - 1 if (os_side.month, ns_side.month) == (12, 1) else yn
    return yo, yn


def _orient(a: Side, b: Side, shared: int | None, cal_a: Calendar, cal_b: Calendar,
            window: int | None) -> tuple[Side, Side, int, int] | None:
    """(O.S. side, N.S. side, O.S. year, N.S. year), or None when the two cannot be one day.

    With markers the calendars say which side is which; without, the later day is the N.S. one.
    ``window`` bounds how far the distance between the days may be from the gap of their year
    (None: any distance, for a pair that markers state)."""
    if cal_a is _U and cal_b is _U:
        hypotheses = [(a, b), (b, a)]
    elif cal_a in _OLD or cal_b is _G:
        hypotheses = [(a, b)]
    else:
        hypotheses = [(b, a)]
    best = None
    for os_side, ns_side in hypotheses:
        years = _years(os_side, ns_side, shared)
        if years is None:
            return None
        yo, yn = years
        diff = label_gap((yo, os_side.month, os_side.day), (yn, ns_side.month, ns_side.day))
        if diff is None:
            continue
        if window is not None:
            diff = plausible((yo, os_side.month, os_side.day), (yn, ns_side.month, ns_side.day), window)
            if diff is None:
                continue
        if best is None or abs(diff) < best[0]:
            best = (abs(diff), os_side, ns_side, yo, yn)
    return None if best is None else best[1:]


def scan_pairs(scan: _Scan) -> None:
    """Read the bracket and slash pairs of the page; blank what was read. Pairs without a year of their
    own wait in ``scan.pending`` for the dates around them (see :func:`resolve_pending`)."""
    hints = sorted(h.start() for pattern in _HINTS for h in pattern.finditer(scan.work))
    if not hints:
        return
    starts = sorted(set(scan.digit_starts()) | set(scan.month_starts()))
    near = []
    for h in hints:
        i = bisect_left(starts, h - _HINT_REACH)
        while i < len(starts) and starts[i] < h:
            near.append(starts[i])
            i += 1
    near = sorted(set(near))
    _after_templates(scan)
    for name, pattern in _compiled():
        for m in matches_at(pattern, scan.work, near):
            if _take(scan, name, m):
                scan.take(m.start(), m.end())
        scan.blank()


def _after_templates(scan: _Scan) -> None:
    """Pair a date template with a bracket after it that names the other calendar's day."""
    for t in [f for f in scan.found if f.form.startswith("template:") and f.date.day is not None]:
        close = scan.text.find("}}", t.end)
        if close < 0 or id(t) in scan.primary:       # the second date of a two-date template
            continue
        m = _after_template().match(scan.work, close + 2)
        if m is None:
            continue
        cal_a, cal_b = _calendars(m)
        if cal_b is _U:
            continue                                 # a marker is needed: "{{birth date|...}} (1 May)" is not one
        d = t.date
        a = Side(t.start, t.end, d.day, d.month, d.year, t.form, _U)
        day_b, mon_b, _, sub_b = match_parts(m, "b")
        year_b = _year_group(m, "by", mon_b, day_b)
        b = Side(m.start("b"), m.end("b"), day_b, mon_b, year_b,
                  ("mdy" if sub_b.endswith("2") else "dmy") if year_b else ("md" if sub_b.endswith("2") else "dm"), _U)
        oriented = _orient(a, b, None, _G if cal_b in _OLD else _J, cal_b, None)
        if oriented is None:
            continue
        os_side, ns_side, yo, yn = oriented
        if os_side is a:
            old = scan.restate(t, _J)
            new = scan.mention(b.start, b.end, Date.of(yn, b.month, b.day, _G), b.form)
        else:
            new = scan.restate(t, _G)
            os_cal = cal_b if cal_b in _OLD and in_swedish_period(yo, b.month, b.day) else _J
            old = scan.mention(b.start, b.end, Date.of(yo, b.month, b.day, os_cal), b.form)
        scan.pair(old, new, t.start, m.end())
        scan.take(m.start("b"), m.end())
    scan.blank()


def _take(scan: _Scan, name: str, m: re.Match) -> bool:
    a, b, shared = _sides(name, m)
    if shared is not None and shared < 1000 and quantity_context(scan.work, m.start("yyear"), m.end("yyear")):
        shared = None           # "(11 March N.S.) 300 soldiers died": a count, not the year
    cal_a, cal_b = _calendars(m)
    if cal_a is not _U and cal_a == cal_b:
        return False            # both in one calendar: two dates, read by the later passes
    marked = cal_a is not _U or cal_b is not _U
    window = None if marked and name not in ("paren_day", "paren_day_md", "slash_day", "slash_day_md") else (
        _WINDOW_MARKED if marked else _WINDOW_UNMARKED)
    if a.year is None and b.year is None and shared is None:
        scan.pending.append((m.start(), m.end(), a, b, cal_a, cal_b, window))
        return True
    return _make_pair(scan, a, b, shared, cal_a, cal_b, window, m.start(), m.end())


def _make_pair(scan: _Scan, a: Side, b: Side, shared: int | None, cal_a: Calendar, cal_b: Calendar,
               window: int | None, start: int, end: int) -> bool:
    if window is not None and window <= _WINDOW_UNMARKED and not scan.page_marked:
        year = a.year or b.year or shared or 0
        if year > _LAST_DUAL_CALENDAR_YEAR:
            return False    # no calendar named anywhere, and a year no country still counted in Julian
    oriented = _orient(a, b, shared, cal_a, cal_b, window)
    if oriented is None:
        return False
    if window is None and (cal_a is not _U or cal_b is not _U):
        # markers the wrong way round ("August 30 (September 10, O.S.), 1721") with days that are one day
        # the other way: the later day is the N.S. one, as for a pair without markers
        swapped = _orient(a, b, shared, _U, _U, 0)
        if swapped is not None and swapped[0] is oriented[1] and _one_day(swapped) and not _one_day(oriented):
            oriented = swapped
    os_side, ns_side, yo, yn = oriented
    os_cal = cal_a if os_side is a else cal_b
    os_cal = os_cal if os_cal in _OLD else _J
    if os_cal is _S and not in_swedish_period(yo, os_side.month, os_side.day):
        os_cal = _J             # "S.S." outside 1700-1712 is not the Swedish calendar
    old = scan.mention(os_side.start, os_side.end, Date.of(yo, os_side.month, os_side.day, os_cal), os_side.form)
    new = scan.mention(ns_side.start, ns_side.end, Date.of(yn, ns_side.month, ns_side.day, _G), ns_side.form)
    scan.pair(old, new, start, end)
    return True


def _one_day(oriented: tuple[Side, Side, int, int]) -> bool:
    os_side, ns_side, yo, yn = oriented
    o = Date.of(yo, os_side.month, os_side.day, _J)
    return judge_dates(o, Date.of(yn, ns_side.month, ns_side.day, _G), "").status in ("ok", "swedish")


def resolve_pending(scan: _Scan) -> None:
    """Give the pairs without a year the year of the nearest date before them in their paragraph, or
    else of the first date after them in their sentence; drop those with neither."""
    if not scan.pending:
        return
    dated = sorted((m.start, m.end, m.date.year) for m in scan.found)
    for start, end, a, b, cal_a, cal_b, window in scan.pending:
        year = _context_year(scan.text, dated, start, end)
        if year is not None:
            _make_pair(scan, a, b, year, cal_a, cal_b, window, start, end)
    scan.pending = []


# A pair without a year takes the year of the dates before it up to the section heading (the lead's
# year in "...took place in Russia in 1917.\n\nThe main events ... on 23 February Old Style").
_PARAGRAPH_END = re.compile(r"\n=|\n\{\|")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\[\"'(])|\n")
_CONTEXT_REACH = 1500
_HEADING_YEAR = re.compile(r"^=+[^=\n]*?\b([1-9]\d{3})\b[^=\n]*=+[ \t\r]*$", re.M)


_RIGHT_AFTER = re.compile(r"[ \t,]*(?:(?:in|of)[ \t]+)?(?:\[\[)?\Z")


_YEAR_NEXT = re.compile(rf"{SEP}(?P<year>[1-9]\d{{2,3}})(?![\d/])(?:\]\])?(?![ \t]*(?:{'|'.join(('BC', 'BCE', 'B.C.'))}))")


def _context_year(text: str, dated: list[tuple[int, int, int]], start: int, end: int) -> int | None:
    nxt = _YEAR_NEXT.match(text, end)    # "{{OldStyleDateNY|4 January|25 December}} 1643"
    if nxt is not None and (len(nxt.group("year")) == 4 or not quantity_context(text, nxt.start("year"),
                                                                                 nxt.end("year"))):
        return int(nxt.group("year"))
    i = bisect_left(dated, (start, -1, -1))
    for s, e, year in dated[i:i + 3]:       # "January 20 [February 2] in 1907": the year right after
        if s >= end and s - end <= 12 and _RIGHT_AFTER.match(text[end:s]):
            return year
    for s, e, year in reversed(dated[max(0, i - 40):i]):
        if e > start:
            continue
        if start - e > _CONTEXT_REACH or _PARAGRAPH_END.search(text, e, start):
            break
        return year
    stop = _SENTENCE_END.search(text, end)
    limit = stop.start() if stop else len(text)
    for s, e, year in dated[i:i + 10]:
        if s >= end and s < limit:
            return year
    heading = None                    # "== 1917 ==" above a paragraph that gives no year itself
    for heading in _HEADING_YEAR.finditer(text, max(0, start - _CONTEXT_REACH), start):
        pass
    return int(heading.group(1)) if heading else None
