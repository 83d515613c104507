"""Julian/Gregorian arithmetic: known conversions, validity policy, round trips."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import given, strategies as st

from bots.core.dates.calendar import (
    Calendar, calendar_gap, gregorian_to_julian, in_swedish_period, is_valid_day, julian_to_gregorian,
    julian_to_swedish, swedish_to_julian,
)


@pytest.mark.parametrize(("julian", "gregorian"), [
    ((1389, 10, 25), (1389, 11, 2)),
    ((1917, 10, 25), (1917, 11, 7)),
    ((1582, 10, 5), (1582, 10, 15)),   # the day after 4 October 1582 Julian
    ((1300, 2, 29), (1300, 3, 8)),
])
def test_known_conversions(julian, gregorian):
    assert julian_to_gregorian(*julian) == gregorian
    assert gregorian_to_julian(*gregorian) == julian


@pytest.mark.parametrize(("date", "gap"), [
    ((1389, 10, 25), 8), ((1917, 10, 25), 13), ((1582, 10, 5), 10), ((2024, 1, 1), 13),
])
def test_calendar_gap(date, gap):
    assert calendar_gap(*date) == gap


def test_leap_rules_differ_in_century_years():
    assert is_valid_day(1300, 2, 29, Calendar.JULIAN)
    assert not is_valid_day(1300, 2, 29, Calendar.GREGORIAN)
    assert is_valid_day(1300, 2, 29, Calendar.UNSTATED)  # may be right: never report it
    assert is_valid_day(1600, 2, 29, Calendar.GREGORIAN)


@pytest.mark.parametrize("calendar", list(Calendar))
@pytest.mark.parametrize("date", [(1267, 4, 31), (1301, 2, 29), (1389, 2, 30), (1389, 13, 1),
                                  (1389, 0, 1), (1389, 1, 0), (0, 1, 1), (10000, 1, 1)])
def test_impossible_days(date, calendar):
    assert not is_valid_day(*date, calendar)


def test_invalid_input_raises_value_error():
    with pytest.raises(ValueError):
        julian_to_gregorian(1389, 2, 30)
    with pytest.raises(ValueError):
        gregorian_to_julian(1300, 2, 29)
    with pytest.raises(ValueError):
        calendar_gap(1389, 4, 31)


def test_calendar_is_a_string_enum():
    assert Calendar("julian") is Calendar.JULIAN
    assert Calendar.UNSTATED == "unstated"


valid_days = st.dates(datetime.date(1000, 1, 1), datetime.date(2100, 12, 31))


@given(valid_days)
def test_julian_gregorian_round_trip(day):
    # Any valid Gregorian (y, m, d) in range; the round trip through Julian is the identity.
    ymd = (day.year, day.month, day.day)
    assert julian_to_gregorian(*gregorian_to_julian(*ymd)) == ymd


@given(st.integers(1000, 2100), st.integers(1, 12), st.integers(1, 31))
def test_julian_round_trip(year, month, day):
    if is_valid_day(year, month, day, Calendar.JULIAN):
        assert gregorian_to_julian(*julian_to_gregorian(year, month, day)) == (year, month, day)


# ---------------------------------------------------------------- the Swedish calendar (1700-1712)

@pytest.mark.parametrize(("swedish", "julian"), [
    ((1700, 3, 1), (1700, 2, 29)),      # Sweden left out 29 February 1700: one day ahead from then on
    ((1709, 6, 28), (1709, 6, 27)),     # Poltava
    ((1712, 2, 29), (1712, 2, 28)),
    ((1712, 2, 30), (1712, 2, 29)),     # and added a 30 February in 1712 to fall back in step
])
def test_swedish_calendar(swedish, julian):
    assert swedish_to_julian(*swedish) == julian
    assert julian_to_swedish(*julian) == swedish


def test_swedish_calendar_period():
    assert is_valid_day(1712, 2, 30, Calendar.SWEDISH) and not is_valid_day(1712, 2, 30, Calendar.JULIAN)
    assert is_valid_day(1712, 2, 30, Calendar.UNSTATED)          # may be a Swedish date: never report it
    assert not is_valid_day(1700, 2, 28, Calendar.SWEDISH)        # before the period
    assert not is_valid_day(1712, 3, 1, Calendar.SWEDISH)         # after it, Sweden was Julian again
    assert julian_to_swedish(1700, 2, 28) is None and julian_to_swedish(1712, 3, 1) is None
    assert in_swedish_period(1705, 5, 5) and not in_swedish_period(1713, 1, 1)
    with pytest.raises(ValueError):
        swedish_to_julian(1713, 1, 1)


@given(st.dates(datetime.date(1700, 3, 11), datetime.date(1712, 3, 10)))
def test_swedish_round_trip(day):
    # every Gregorian day of the period has one Swedish label, and back
    julian = gregorian_to_julian(day.year, day.month, day.day)
    swedish = julian_to_swedish(*julian)
    assert swedish is not None and swedish_to_julian(*swedish) == julian
