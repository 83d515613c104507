"""Julian (Old Style), Gregorian (New Style) and Swedish calendar arithmetic.

The Julian and Gregorian calendars are proleptic: the wiki's universes switched calendars at
their own dates (or never), so the same rules apply to every year from 1 to 9999. The Swedish
calendar is historical: from 1 March 1700 to 30 February 1712 Sweden counted one day ahead of
the Julian calendar (it left out 29 February 1700 and added a 30 February in 1712), and real
articles give dates of the Great Northern War in it. The arithmetic itself is delegated to
``convertdate``; this module only fixes the vocabulary (the :class:`Calendar` enum), the
Swedish offset and the validity policy.
"""
from __future__ import annotations

from enum import Enum

from convertdate import gregorian, julian

__all__ = [
    "Calendar",
    "MIN_YEAR",
    "MAX_YEAR",
    "julian_to_gregorian",
    "gregorian_to_julian",
    "is_valid_day",
    "calendar_gap",
    "SWEDISH_START",
    "SWEDISH_END",
    "in_swedish_period",
    "swedish_to_julian",
    "julian_to_swedish",
]

MIN_YEAR = 1
MAX_YEAR = 9999


class Calendar(str, Enum):
    """The calendar a date is written in; UNSTATED when the text does not say."""

    JULIAN = "julian"
    GREGORIAN = "gregorian"
    SWEDISH = "swedish"        # 1 March 1700 - 30 February 1712 only: the Julian date plus one day
    UNSTATED = "unstated"


# The Swedish calendar's first and last days, as (year, month, day) labels in that calendar.
SWEDISH_START = (1700, 3, 1)
SWEDISH_END = (1712, 2, 30)


def julian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The proleptic Gregorian date of the day labelled (year, month, day) in the Julian calendar.

    Raises ValueError when the date does not exist in the Julian calendar.
    """
    if not _valid(julian, year, month, day):
        raise ValueError(f"not a Julian date: {year:04d}-{month:02d}-{day:02d}")
    return julian.to_gregorian(year, month, day)


def gregorian_to_julian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The Julian date of the day labelled (year, month, day) in the proleptic Gregorian calendar.

    Raises ValueError when the date does not exist in the Gregorian calendar.
    """
    if not _valid(gregorian, year, month, day):
        raise ValueError(f"not a Gregorian date: {year:04d}-{month:02d}-{day:02d}")
    return julian.from_gregorian(year, month, day)


def is_valid_day(year: int, month: int, day: int, calendar: Calendar) -> bool:
    """Whether the day exists in ``calendar``.

    UNSTATED accepts a day valid in any calendar: 29 February 1300 is a real Julian day and
    30 February 1712 a real Swedish one, and a checker must never report a date that may well
    be right. A Swedish date exists only inside the Swedish calendar's period.
    """
    if calendar is Calendar.JULIAN:
        return _valid(julian, year, month, day)
    if calendar is Calendar.GREGORIAN:
        return _valid(gregorian, year, month, day)
    if calendar is Calendar.SWEDISH:
        return _valid_swedish(year, month, day)
    return (_valid(julian, year, month, day) or _valid(gregorian, year, month, day)
            or (1700 <= year <= 1712 and _valid_swedish(year, month, day)))


def in_swedish_period(year: int, month: int, day: int) -> bool:
    """Whether the label (year, month, day) lies between 1 March 1700 and 30 February 1712."""
    return SWEDISH_START <= (year, month, day) <= SWEDISH_END


def _valid_swedish(year: int, month: int, day: int) -> bool:
    if not in_swedish_period(year, month, day) or not 1 <= month <= 12 or day < 1:
        return False
    # Month lengths are the Julian ones (1704 and 1708 were leap years), except February 1712.
    return day <= (30 if (year, month) == (1712, 2) else julian.month_length(year, month))


def swedish_to_julian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The Julian date of a Swedish-calendar day (the day before, in Julian numbering).

    Raises ValueError outside the Swedish calendar's period or for a day it did not have.
    """
    if not _valid_swedish(year, month, day):
        raise ValueError(f"not a Swedish-calendar date: {year:04d}-{month:02d}-{day:02d}")
    # Counted from the first of the month so that 30 February 1712 works: it is Julian 29 February.
    return julian.from_jd(julian.to_jd(year, month, 1) + day - 2)


def julian_to_swedish(year: int, month: int, day: int) -> tuple[int, int, int] | None:
    """The Swedish-calendar label of a Julian day, or None when that day is outside the period."""
    if not _valid(julian, year, month, day):
        raise ValueError(f"not a Julian date: {year:04d}-{month:02d}-{day:02d}")
    jd = julian.to_jd(year, month, day) + 1
    y, m, d = julian.from_jd(jd)
    if (y, m, d) == (1712, 3, 1) and (year, month, day) == (1712, 2, 29):
        return (1712, 2, 30)                      # the doubled leap day
    return (y, m, d) if in_swedish_period(y, m, d) else None


def calendar_gap(year: int, month: int, day: int) -> int:
    """Days to add to the Julian date (year, month, day) to get its Gregorian label.

    8 for 25 October 1389, 13 for 25 October 1917; the gap grows by one at each
    century year that is not a multiple of 400. Raises ValueError for a non-Julian date.
    """
    if not _valid(julian, year, month, day):
        raise ValueError(f"not a Julian date: {year:04d}-{month:02d}-{day:02d}")
    # The same label read in both calendars: the Julian reading is that many days later.
    return int(julian.to_jd(year, month, day) - gregorian.to_jd(year, month, day))


def _valid(module, year: int, month: int, day: int) -> bool:
    # convertdate's legal_date raises instead of answering; we want a plain bool,
    # and we bound the year range ourselves (convertdate accepts year 0 and below).
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12 and day >= 1):
        return False
    return day <= module.month_length(year, month)
