"""Whether an O.S./N.S. pair is one day: in the Julian calendar (with the 25 March year rule of the Old
Style reckoning), in the Swedish calendar of 1700-1712, or not; and how far two day labels are from
the calendar gap of their year, which tells the readers of pairs whether two days can be a pair.
"""
from __future__ import annotations


from convertdate import gregorian as _gregorian, julian as _julian

from .calendar import Calendar, gregorian_to_julian, is_valid_day, julian_to_gregorian, julian_to_swedish, swedish_to_julian
from .forms import dual_year, shows_year

from .model import Date, DatePair, PairVerdict, Precision

__all__ = ["PairVerdict", "judge", "judge_dates", "year_rule_ok", "label_gap", "plausible", "gap_at"]

_J, _G, _S = Calendar.JULIAN, Calendar.GREGORIAN, Calendar.SWEDISH


# ---------------------------------------------------------------- distances between labels

def label_gap(os_side: tuple[int, int, int], ns_side: tuple[int, int, int]) -> int | None:
    """Days from the O.S. label to the N.S. label, both counted in one calendar (None if out of range)."""
    try:
        return _day_number(*ns_side) - _day_number(*os_side)
    except (ValueError, KeyError, IndexError):
        return None


def _day_number(year: int, month: int, day: int) -> float:
    # Counted from the first of the month, so that a label a calendar lacks (30 February) still counts.
    return _julian.to_jd(year, month, 1) + day - 1


def plausible(old: tuple[int, int, int], new: tuple[int, int, int], window: int) -> int | None:
    """The distance in days from the O.S. label to the N.S. one when it is within ``window`` days of
    the gap of their year (an O.S. year of the 25 March reckoning read as both), else None."""
    years = [old[0]] + ([old[0] + 1] if (old[1], old[2]) < (3, 25) else [])
    for y in years:
        diff = label_gap((y, old[1], old[2]), new)
        if diff is not None and diff >= 2 and abs(diff - gap_at(y, old[1], old[2])) <= window:
            return diff
    return None


def gap_at(year: int, month: int, day: int) -> int:
    """About the Julian-Gregorian gap at a day (at its first of month: close enough to tell a pair)."""
    if not 1 <= year <= 9999 or not 1 <= month <= 12:
        return 0
    return int(_julian.to_jd(year, month, 1) - _gregorian.to_jd(year, month, 1))


# ---------------------------------------------------------------- judging a pair

def judge(pair: DatePair) -> PairVerdict:
    return judge_dates(pair.old_style.date, pair.new_style.date, pair.old_style.text)


def judge_dates(o: Date, n: Date, os_text: str) -> PairVerdict:
    """Judge an O.S. date ``o`` (Julian or Swedish; ``os_text`` as written, for its year reckoning)
    against an N.S. date ``n``."""
    if o.precision is not Precision.DAY or n.precision is not Precision.DAY:
        return PairVerdict("unchecked")
    if not is_valid_day(o.year, o.month, o.day, o.calendar if o.calendar is _S else _J):
        return PairVerdict("unchecked")       # date-invalid reports it; no N.S. day follows from it
    if is_valid_day(n.year, n.month, n.day, _G):
        j = gregorian_to_julian(n.year, n.month, n.day)
        sw = julian_to_swedish(*j)
        readings = ([] if o.calendar is _S else [("ok", j)]) + ([("swedish", sw)] if sw else [])
        for status, (y, m, d) in readings:
            if (m, d) == (o.month, o.day):
                if not year_rule_ok(o, os_text, (y, m, d)):
                    status = "year"
                return PairVerdict(status, Date.of(n.year, n.month, n.day, _G), _old_expected(o, j, os_text))
        old = _old_expected(o, j, os_text)
    else:
        old = None
    return PairVerdict("day", _new_expected(o, n, os_text), old)


def _new_expected(o: Date, n: Date, os_text: str) -> Date:
    """The N.S. day the O.S. side gives, in the year the N.S. side is in when a reckoning allows it."""
    if o.calendar is _S:
        return Date.of(*julian_to_gregorian(*swedish_to_julian(o.year, o.month, o.day)), _G)
    years = [o.year]
    if shows_year(os_text) and dual_year(os_text) is None and (o.month, o.day) < (3, 25):
        years.append(o.year + 1)                          # the year began on 25 March
    out = [Date.of(*julian_to_gregorian(y, o.month, o.day), _G) for y in years
           if is_valid_day(y, o.month, o.day, _J)]
    return next((e for e in out if e.year == n.year), out[0])


def _old_expected(o: Date, j: tuple[int, int, int], os_text: str) -> Date:
    """The O.S. date the N.S. side gives (``j``, its Julian day), written in the calendar and the year
    reckoning the text uses for its O.S. side."""
    y, m, d = j
    if o.calendar is _S:
        sw = julian_to_swedish(y, m, d)
        if sw is not None:
            return Date.of(*sw, _S)
    if shows_year(os_text) and dual_year(os_text) is None and (m, d) < (3, 25) and o.year == y - 1:
        y -= 1                 # the text writes the year of the 25 March reckoning: keep doing so
    return Date.of(y, m, d, _J)


def year_rule_ok(o: Date, os_text: str, day: tuple[int, int, int]) -> bool:
    """Whether the O.S. side's written year follows a reckoning of its day: the Julian year, or one
    less before 25 March, when Old Style years began (a dual year "1744/45" must say both)."""
    y, m, d = day
    if not shows_year(os_text):
        return True            # a year the text does not write was derived: nothing to check
    dual = dual_year(os_text)
    early = (m, d) < (3, 25)
    if dual is not None:
        return early and dual == (y - 1, y)
    return o.year == y or (early and o.year == y - 1)
