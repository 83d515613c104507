"""Julian (Old Style) and Gregorian (New Style) calendar arithmetic.

Both calendars are proleptic: the wiki's universes switched calendars at their own
dates (or never), so the same rules apply to every year from 1 to 9999. The
arithmetic itself is delegated to ``convertdate``; this module only fixes the
vocabulary (the :class:`Calendar` enum) and the validity policy.
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
]

MIN_YEAR = 1
MAX_YEAR = 9999


class Calendar(str, Enum):
    """The calendar a date is written in; UNSTATED when the text does not say."""

    JULIAN = "julian"
    GREGORIAN = "gregorian"
    UNSTATED = "unstated"


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

    UNSTATED accepts a day valid in either calendar: 29 February 1300 is a real Julian
    day, and a checker must never report a date that may well be right.
    """
    if calendar is Calendar.JULIAN:
        return _valid(julian, year, month, day)
    if calendar is Calendar.GREGORIAN:
        return _valid(gregorian, year, month, day)
    return _valid(julian, year, month, day) or _valid(gregorian, year, month, day)


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
