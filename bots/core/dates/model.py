"""The date model: a date with its calendar and precision, a mention of one in a text, an O.S./N.S.
pair and its verdict, the result of a scan. Pure; every other date module builds on this one.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .calendar import Calendar, MAX_YEAR, MIN_YEAR, is_valid_day, julian_to_gregorian, swedish_to_julian

__all__ = ["Precision", "Date", "DateMention", "PairVerdict", "DatePair", "DateScan"]


class Precision(str, Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class Date:
    year: int
    month: int | None
    day: int | None
    calendar: Calendar
    precision: Precision
    valid: bool

    @classmethod
    def of(cls, year: int, month: int | None = None, day: int | None = None,
           calendar: Calendar = Calendar.UNSTATED) -> Date:
        """Build a date, deriving precision and validity (invalid dates are kept, flagged)."""
        year_ok = MIN_YEAR <= year <= MAX_YEAR
        if month is None:
            return cls(year, None, None, calendar, Precision.YEAR, year_ok)
        if day is None:
            return cls(year, month, None, calendar, Precision.MONTH, year_ok and 1 <= month <= 12)
        return cls(year, month, day, calendar, Precision.DAY, is_valid_day(year, month, day, calendar))

    def __reduce__(self):
        # Pickled in every page summary (worker to parent, the -since state): the enums by their value
        # through a plain function, 2x faster than the default (an Enum's own reduce is Python code).
        return _date, (self.year, self.month, self.day, self.calendar.value, self.precision.value, self.valid)

    def iso(self) -> str:
        parts = [f"{self.year:04d}"] + [f"{v:02d}" for v in (self.month, self.day) if v is not None]
        return "-".join(parts)

    def to_gregorian(self) -> Date:
        """The same day in the (proleptic) Gregorian calendar; only valid Julian and Swedish days change."""
        if self.precision is not Precision.DAY or not self.valid:
            return self
        if self.calendar is Calendar.JULIAN:
            return Date.of(*julian_to_gregorian(self.year, self.month, self.day), Calendar.GREGORIAN)
        if self.calendar is Calendar.SWEDISH:
            return Date.of(*julian_to_gregorian(*swedish_to_julian(self.year, self.month, self.day)),
                           Calendar.GREGORIAN)
        return self

    def sort_key(self) -> tuple[int, int, int]:
        """(year, month, day) in the Gregorian calendar, 0 for missing parts.

        Unstated dates are compared as written; a coarser date sorts before the days in it.
        """
        g = self.to_gregorian()
        return (g.year, g.month or 0, g.day or 0)


_CALENDARS = {c.value: c for c in Calendar}
_PRECISIONS = {p.value: p for p in Precision}


def _date(year: int, month: int | None, day: int | None, calendar: str, precision: str, valid: bool) -> Date:
    """A Date from its pickled form (Date.__reduce__)."""
    return Date(year, month, day, _CALENDARS[calendar], _PRECISIONS[precision], valid)


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    line: int
    date: Date
    role: str | None
    form: str


@dataclass(frozen=True)
class PairVerdict:
    """What a pair says. ``status``: "ok"; "swedish" (right in the Swedish calendar, 1700-1712);
    "day" (the days are not one day); "year" (the days agree, the O.S. year does not: neither the
    Julian year nor the year of the 25 March reckoning); "unchecked" (a side is not a real day).
    ``new`` is the N.S. day the O.S. side gives (for "day", the right N.S. date), ``old`` the O.S.
    day the N.S. side gives, written in the text's own year reckoning."""

    status: str
    new: Date | None = None
    old: Date | None = None


@dataclass(frozen=True)
class DatePair:
    """An Old Style / New Style pair naming one day. The O.S. side is Julian, or Swedish (1700-1712)."""

    old_style: DateMention
    new_style: DateMention
    start: int
    end: int
    line: int
    judged: PairVerdict            # bots.core.dates.judge's verdict, given by the scanner

    def verdict(self) -> PairVerdict:
        """Whether the two sides are one day: in the Julian calendar (with the 25 March year rule),
        in the Swedish calendar, or not (see :func:`bots.core.dates.judge.judge`)."""
        return self.judged

    def expected_new_style(self) -> Date:
        """The O.S. date converted to the proleptic Gregorian calendar (a year of the 25 March
        reckoning, "February 11, 1731" O.S., is 22 February 1732; a Swedish date converted as such).

        Raises ValueError when the O.S. side is not a valid day of its calendar.
        """
        v = self.verdict()
        if v.new is None:
            raise ValueError(f"O.S. side {self.old_style.text!r} is not a valid day")
        return v.new

    def is_consistent(self) -> bool:
        return self.verdict().status in ("ok", "swedish")


@dataclass(frozen=True)
class DateScan:
    dates: list[DateMention]
    pairs: list[DatePair]
