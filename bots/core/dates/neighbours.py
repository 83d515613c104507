"""O.S./N.S. pairs of two neighbouring dates: side by side with only markup between (an infobox value
"{{birth date|1650|11|4}}<br />N.S.: 14 November 1650", a list "N.S.: 7 September 1812 / O.S.: 26 August
1812"), in a bracket or a "which corresponds to" clause after the first, or joined by "but" ("born on
14 November 1650 by Gregorian reckoning, but on 4 November 1650 by Julian"); and the calendar a label
before a date names ("NS: 4 January 1643").
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .calendar import Calendar
from .forms import AFTER_MARK_RE, MARK_WORDS, QUAL, marker_calendar
from .judge import plausible

if TYPE_CHECKING:   # dates imports this module; these are only needed for hints
    from .model import DateMention
    from .scanner import _Scan

__all__ = ["pair_nearby", "marker_before", "marker_after"]

_J, _G, _S, _U = Calendar.JULIAN, Calendar.GREGORIAN, Calendar.SWEDISH, Calendar.UNSTATED
_OLD = (_J, _S)
_WINDOW = 5         # days either side of the gap: the window for pairs that one marker or a phrase makes


# ---------------------------------------------------------------- side by side, or joined by a phrase

# Markup that may stand between two renderings of one day (an infobox value written as
# "{{birth date|1650|11|4}}<br />{{small|[N.S.: 14 November 1650]}}"): masked template names and
# comments are NULs already.
_TAGS = re.compile(r"</?(?:br|small|sup|span|nowiki|div|p)\b[^<>]*>|&nbsp;|\{\{!\}\}", re.I)
_MARK_ANY = re.compile(rf"{QUAL}(?:\[\[(?:[^\[\]|\n]{{0,60}}\|)?)?(?:{MARK_WORDS})(?:[ ](?:[Cc]alendar|[Ss]tyle|reckoning))?"
                       r"(?:\]\])?")
_TIGHT = re.compile(r"[\s\0\[\](),;:/•·|}{=]*")
# Phrases that join two readings of one day. The strong ones (an explanation) pair dates of opposite
# stated calendars whatever their distance; the weak ones only dates about the gap apart.
_STRONG_LINK = re.compile(r"\b(?:correspond\w*|equivalent|that is|which (?:is|was))\b|\bi\.[ ]?e\.")
# ("and" is not one: "on 1 January 1800 (O.S.) and 10 January 1800 (N.S.)" may well be two events.)
_WEAK_LINK = re.compile(r"\b(?:but|or|otherwise)\b")


def pair_nearby(scan: _Scan) -> None:
    """Pair neighbouring day dates in opposite calendars: side by side (only markup and punctuation
    between), in a bracket or a "corresponds to" clause after the first, or joined by "but"."""
    paired = {id(p.old_style) for p in scan.pairs} | {id(p.new_style) for p in scan.pairs}
    days = sorted((m for m in scan.found if m.date.day is not None and id(m) not in paired
                   and m.role is None), key=lambda m: m.start)
    i = 0
    while i < len(days) - 1:
        a, b = days[i], days[i + 1]
        c = days[i + 2] if i + 2 < len(days) else None
        if c is not None and {a.date.calendar, b.date.calendar} == {_J, _S} and c.date.calendar is _G \
                and _tight(scan.work[a.end:b.start]):
            # "19 November 1700 (O.S.), 20 November 1700 (S.S.), 30 November 1700 (N.S.)": both old
            # readings of one New Style day
            first = _try_nearby(scan, b, c)
            if first:
                scan.pair(a, scan.pairs[-1].new_style, a.start, c.end)
                i += 3
                continue
        # "{{death date and age|1702|3|8|1650|11|4}}<br />N.S.: 19 March 1702": the death date, not the birth
        if _try_nearby(scan, scan.primary.get(id(a), a), b):
            i += 2
        else:
            i += 1


def _try_nearby(scan: _Scan, a: DateMention, b: DateMention) -> bool:
    if b.start - a.end > 200 or b.start < a.end:
        return False
    cals = (a.date.calendar, b.date.calendar)
    gap_text = scan.work[a.end:b.start]
    if gap_text.count("\n") > 1:
        return False
    stated = {c for c in cals if c is not _U}
    if len(stated) == 2 and not (stated & {_G}):
        return False
    if stated == {_G} or (len(stated) == 1 and stated & set(_OLD)):
        # one side stated: side by side, or explained ("28 August 1828 (Julian calendar), i.e. 9 September")
        if len(set(cals)) != 2 or "\n\n" in gap_text:
            return False
        if not _tight(gap_text) and not ("\n" not in gap_text and _STRONG_LINK.search(gap_text)):
            return False
        window = _WINDOW
    elif len(stated) == 2:
        if "\n" in gap_text and not _tight(gap_text):
            return False        # an infobox list ("N.S.: 7 September 1812\n• O.S.: 26 August 1812") is one
        unclosed = gap_text.count("(") > gap_text.count(")") or gap_text.count("[") > gap_text.count("]")
        if unclosed or _STRONG_LINK.search(gap_text):
            window = None
        elif _tight(gap_text) or _WEAK_LINK.search(gap_text):
            window = _WINDOW
        else:
            return False
    else:
        return False
    old, new = (a, b) if (cals[0] in _OLD or cals[1] is _G) else (b, a)
    if window is not None and plausible((old.date.year, old.date.month, old.date.day),
                                         (new.date.year, new.date.month, new.date.day), window) is None:
        return False
    if old.date.calendar is _U:
        old = scan.restate(old, _J)
    if new.date.calendar is _U:
        new = scan.restate(new, _G)
    scan.pair(old, new, a.start, b.end)
    return True


def _tight(gap_text: str) -> bool:
    rest = _MARK_ANY.sub("", _TAGS.sub("", gap_text))
    return _TIGHT.fullmatch(rest) is not None


# ---------------------------------------------------------------- a marker written before a date

_BEFORE_TAIL = re.compile(r"(?:\]\])?[ \t]*:[ \t]*(?:\[\[)?\Z|[ \t]+(?:\[\[)?\Z")
_MARK_WORD = re.compile(rf"(?:{MARK_WORDS})(?:[ \u00a0](?:[Cc]alendar|[Ss]tyle|reckoning))?")


def marker_before(work: str, start: int) -> Calendar:
    """The calendar of a label written before a date: "N.S.: 4 January 1643", "[[...|NS]]: ...",
    "[O.S. 26 August 1812" (a marker right after an opening bracket, no colon needed)."""
    lo = max(0, start - 70)
    window = work[lo:start]
    if ":" not in window[-4:] and "[" not in window and "(" not in window:
        return _U
    last = None
    for mm in _MARK_WORD.finditer(work, lo, start):
        last = mm
    if last is None:
        return _U
    tail = work[last.end():start]
    t = _BEFORE_TAIL.match(tail)
    if t is None:
        return _U
    if ":" not in t.group():
        head = work[max(0, last.start() - 3):last.start()]
        if not re.search(r"[(\[][ \t]*\Z", head):
            return _U        # "O.S. 26 August" in running text is the pair patterns' business
    return marker_calendar(last.group())


def marker_after(work: str, end: int) -> Calendar:
    """The calendar named right after a date: " (O.S.)", ", by the Julian or Old Style calendar"."""
    m = AFTER_MARK_RE.match(work, end)
    if m is None:
        return Calendar.UNSTATED
    cal = marker_calendar(m.group("k1mark"))
    if m.group("k2mark") and marker_calendar(m.group("k2mark")) is not cal:
        return Calendar.UNSTATED  # "Julian or Gregorian": says nothing
    return cal
