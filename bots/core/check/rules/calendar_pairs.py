"""Old Style / New Style pairs: a wrong gap or a wrong year rule (error), a pair in the Swedish
calendar of 1700-1712 (info).

A pair is judged by ``datejudge.judge``. The fix keeps the O.S. date, which is the one the sources
state, and rewrites the N.S. date, which is derived from it, in the text's own style; when the page
gives the N.S. date elsewhere as well (the infobox, a date template, another sentence) and not the
O.S. one, only the O.S. side can be wrong, and the message and the fix say so.
"""
from __future__ import annotations

from datetime import date as _pydate
from typing import Iterator

from bots.core.dates.calendar import Calendar, calendar_gap, gregorian_to_julian, swedish_to_julian
from bots.core.dates.judge import PairVerdict, judge_dates
from bots.core.dates.scanner import Date, DateMention, DatePair, DateScan, format_like

from .base import Hit, PageView, Severity, rule
from .datebase import GROUP, box_dates, date_scan, mention_in, written

__all__: list[str] = []

_OLD = (Calendar.JULIAN, Calendar.SWEDISH)


def _days_between(old: Date, new: Date) -> str:
    try:
        return str(_pydate(new.year, new.month, new.day).toordinal() - _pydate(old.year, old.month, old.day).toordinal())
    except (ValueError, TypeError):
        return "another number of"


def _gap(old: Date) -> tuple[str, int]:
    """(what the O.S. side is, how far it runs behind the Gregorian calendar in its year)."""
    if old.calendar is Calendar.SWEDISH:
        return "Swedish calendar", calendar_gap(*swedish_to_julian(old.year, old.month, old.day)) - 1
    return "O.S.", calendar_gap(old.year, old.month, old.day)


def _day_message(os_text: str, ns_text: str, old: Date, new: Date, expected: Date) -> str:
    what, gap = _gap(old)
    apart = "the Swedish calendar ran" if old.calendar is Calendar.SWEDISH else "the calendars are"
    return (f"{os_text!r} ({what}) is {written(expected)} (N.S.): {apart} {gap} days apart in "
            f"{old.year}, but the text gives {ns_text!r}, {_days_between(old, new)} days later")


def _year_message(os_text: str, ns_text: str, v: PairVerdict) -> str:
    right = v.old
    early = (right.month, right.day) < (3, 25)
    reckonings = f"{right.year}" + (f" or, in the Old Style reckoning whose year began on 25 March, "
                                     f"{right.year - 1} (also written {right.year - 1}/{str(right.year)[-2:]})"
                                     if early else "")
    return (f"{os_text!r} (O.S.) and {ns_text!r} (N.S.) are the same day of the year, but not the same year: "
            f"the O.S. year of {written(v.new)} (N.S.) is {reckonings}")


def _elsewhere(scan: DateScan, pair: DatePair, d: Date, old_calendar: bool) -> DateMention | None:
    """A mention outside this pair that gives day ``d`` in the same calendar (or in none stated)."""
    for m in scan.dates:
        if m is pair.old_style or m is pair.new_style or m.date.day is None:
            continue
        cal = m.date.calendar
        if cal is not Calendar.UNSTATED and ((cal in _OLD) != old_calendar):
            continue
        if (m.date.year, m.date.month, m.date.day) == (d.year, d.month, d.day):
            return m
    return None


def _edit(m: DateMention, d: Date) -> tuple[int, int, str] | None:
    try:
        return (m.start, m.end, format_like(m, d))
    except ValueError:
        return None                   # e.g. a "7 November" whose year would have to change


@rule("date-calendar-mismatch", Severity.ERROR,
      "An Old Style / New Style pair that is not one day: its gap is wrong for its year, or its O.S. year "
      "follows neither the Julian year nor the 25 March reckoning (prose pairs in brackets, slashes or "
      "side by side, {{OldStyleDate}}/{{OldStyleDateDY}}/{{OldStyleDateNY}}, an infobox's X vs X_os). The "
      "fix keeps the O.S. date, which the sources state, and rewrites the derived N.S. date in the text's "
      "own style; when the N.S. date is also given elsewhere on the page, only the O.S. side can be wrong, "
      "and the fix rewrites that.", group=GROUP)
def date_calendar_mismatch(page: PageView) -> Iterator[Hit]:
    scan = date_scan(page)
    reported: set[int] = set()       # one N.S. day read with two O.S. ones (Julian and Swedish): one finding
    for pair in scan.pairs:
        old, new = pair.old_style, pair.new_style
        if id(new) in reported:
            continue
        v = judge_dates(old.date, new.date, old.text)
        if v.status in ("day", "year"):
            reported.add(id(new))
        if v.status == "year":
            yield Hit(pair.line, _year_message(old.text, new.text, v), fix=f"{written(v.old)} (O.S.)")
            continue
        if v.status != "day":
            continue
        message = _day_message(old.text, new.text, old.date, new.date, v.new)
        ns_seen = _elsewhere(scan, pair, new.date, old_calendar=False) if v.old is not None else None
        os_seen = _elsewhere(scan, pair, old.date, old_calendar=True)
        if ns_seen is not None and os_seen is None:
            where = f"line {ns_seen.line}"
            yield Hit(pair.line, f"{message}; only the O.S. side can be wrong: {written(new.date)} is also given "
                                 f"on {where} ({ns_seen.text!r}), so the O.S. date is {written(v.old)}",
                      fix=f"{written(v.old)} (O.S.)", edit=_edit(old, v.old))
            continue
        yield Hit(pair.line, message, fix=written(v.new), edit=_edit(new, v.new))
    for box in page.article.infoboxes:
        dated = box_dates(page, box)
        for name, os_side in dated.items():
            ns_side = dated.get(name[:-3]) if name.endswith("_os") else None
            if ns_side is None or os_side.date.calendar is not Calendar.JULIAN \
                    or ns_side.date.calendar in _OLD:
                continue
            v = judge_dates(os_side.date, ns_side.date, os_side.span.value)
            if v.status not in ("day", "year"):
                continue
            span = ns_side.span
            if v.status == "year":
                yield Hit(span.line, f"'{ns_side.name}' and '{name}': " + _year_message(
                    os_side.span.value, ns_side.span.value, v), fix=f"{written(v.old)} (O.S.)")
                continue
            m = mention_in(scan, span.value_start, span.value_end, ns_side.date)
            yield Hit(span.line, f"'{ns_side.name}' and '{name}': " + _day_message(
                os_side.span.value, ns_side.span.value, os_side.date, ns_side.date, v.new),
                fix=written(v.new), edit=_edit(m, v.new) if m is not None else None)


@rule("date-swedish-calendar", Severity.INFO,
      "An O.S./N.S. pair that is one day in the Swedish calendar of 1 March 1700 - 30 February 1712 (one "
      "day ahead of the Julian), e.g. 28 June 1709 (8 July N.S.) for Poltava: not a Julian error, noted "
      "so that readers know which calendar the O.S. side is in.", group=GROUP)
def date_swedish_calendar(page: PageView) -> Iterator[Hit]:
    for pair in date_scan(page).pairs:
        old, new = pair.old_style, pair.new_style
        v = judge_dates(old.date, new.date, old.text)
        if v.status != "swedish":
            continue
        n = new.date
        j = Date.of(*gregorian_to_julian(n.year, n.month, n.day), Calendar.JULIAN)
        yield Hit(pair.line, f"{old.text!r} is in the Swedish calendar (1 March 1700 - 30 February 1712, one day "
                             f"ahead of the Julian): it is {written(new.date)} (N.S.) as the text says; in the "
                             f"Julian calendar it is {written(j)}")
