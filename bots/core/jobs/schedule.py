"""Cron schedules: the common 5-field subset, parsed and checked here, evaluated by croniter.

Accepted: `minute hour day-of-month month day-of-week` with numbers, `*`, lists (`1,15`), ranges
(`1-5`), steps (`*/15`, `10-50/10`), month and weekday names (`jan`, `mon-fri`), and the aliases
`@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly`. Not accepted: croniter's extensions (`L`, `W`,
`#`, `?`, `H`, a seconds or year field), which neither cron nor systemd read the same way.

Times are evaluated in the machine's local time zone, as cron does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from croniter import croniter

__all__ = ["Schedule", "ScheduleError", "ALIASES"]

ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
           "@weekly": "0 0 * * 0", "@monthly": "0 0 1 * *"}
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12),
           ("day of week", 0, 7))
_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}
_DAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
_SYSTEMD_DAYS = "Sun Mon Tue Wed Thu Fri Sat".split()
_ITEM = re.compile(r"^(?:(\*)|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:/([0-9]+))?$")


class ScheduleError(ValueError):
    pass


def _number(token: str, index: int) -> int:
    names = _MONTHS if index == 3 else _DAYS if index == 4 else {}
    if token in names:
        return names[token]
    if not token.isdigit():
        raise ScheduleError(f"{_FIELDS[index][0]}: {token!r} is not a number")
    return int(token)


def _expand(field: str, index: int) -> frozenset[int]:
    """The values one cron field stands for (day of week: 7 folded onto 0, Sunday)."""
    name, low, high = _FIELDS[index]
    values: set[int] = set()
    for item in field.lower().split(","):
        m = _ITEM.match(item)
        if not m:
            raise ScheduleError(f"{name}: cannot read {item!r}")
        star, first, last, step = m.groups()
        if star:
            start, end = low, high
        else:
            start = _number(first, index)
            end = _number(last, index) if last else (high if step else start)
        if step is not None and int(step) == 0:
            raise ScheduleError(f"{name}: a step of 0 in {item!r}")
        for v in (start, end):
            if not low <= v <= high:
                raise ScheduleError(f"{name}: {v} is outside {low}-{high}")
        if start > end:
            raise ScheduleError(f"{name}: the range {item!r} runs backwards")
        values.update(range(start, end + 1, int(step or 1)))
    if index == 4 and 7 in values:
        values = (values - {7}) | {0}
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    """A checked cron schedule. `text` is what the jobs file said, `cron` the 5-field form."""

    text: str
    cron: str
    fields: tuple[frozenset[int], ...]

    @classmethod
    def parse(cls, text: str) -> "Schedule":
        if not isinstance(text, str) or not text.strip():
            raise ScheduleError("the schedule is empty")
        text = text.strip()
        if text.startswith("@"):
            if text.lower() not in ALIASES:
                raise ScheduleError(f"unknown alias {text!r} (known: {', '.join(sorted(ALIASES))})")
            cron = ALIASES[text.lower()]
        else:
            cron = " ".join(text.split())
        parts = cron.split(" ")
        if len(parts) != 5:
            raise ScheduleError(f"{text!r} has {len(parts)} fields; a cron schedule has 5 "
                                "(minute hour day-of-month month day-of-week)")
        fields = tuple(_expand(part, i) for i, part in enumerate(parts))
        if not croniter.is_valid(cron):   # belt and braces: the evaluator must read it too
            raise ScheduleError(f"{text!r} is not a valid cron expression")
        return cls(text, cron, fields)

    # -- evaluation (croniter) -------------------------------------------------------------------
    def last_slot(self, now: datetime) -> datetime:
        """The latest scheduled time <= now (to the minute). `now` must be timezone-aware."""
        after = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return croniter(self.cron, after).get_prev(datetime)

    def next_slot(self, now: datetime) -> datetime:
        """The first scheduled time > now."""
        return croniter(self.cron, now).get_next(datetime)

    def interval_hint(self, now: datetime) -> timedelta:
        """The gap between the last slot and the next one."""
        return self.next_slot(now) - self.last_slot(now)

    # -- systemd ---------------------------------------------------------------------------------
    def _restricted(self, index: int) -> bool:
        return not self.cron.split(" ")[index].startswith("*")

    def on_calendar(self) -> list[str]:
        """systemd OnCalendar= expressions (one per line) that fire at the same times.

        cron ORs day-of-month and day-of-week when both are restricted; systemd ANDs them within one
        expression, so that case becomes two expressions (a timer fires on either).
        """
        minute, hour, dom, month, dow = self.fields
        time = f"{_compress(hour, 0, 23)}:{_compress(minute, 0, 59)}:00"
        mon = _compress(month, 1, 12)
        if self._restricted(2) and self._restricted(4):
            return [f"*-{mon}-{_compress(dom, 1, 31)} {time}", f"{_weekdays(dow)} *-{mon}-* {time}"]
        days = "" if len(dow) == 7 else _weekdays(dow) + " "
        return [f"{days}*-{mon}-{_compress(dom, 1, 31)} {time}"]


def _runs(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for v in values:
        if runs and runs[-1][1] == v - 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    return runs


def _compress(values: frozenset[int], low: int, high: int) -> str:
    """systemd's spelling of a value set: `*`, `start/step`, `a..b`, lists."""
    vals = sorted(values)
    if vals == list(range(low, high + 1)):
        return "*"
    if len(vals) > 2:
        step = vals[1] - vals[0]
        if step > 1 and vals == list(range(vals[0], high + 1, step)):
            return f"{vals[0]:02d}/{step}"
    return ",".join(f"{a:02d}" if a == b else f"{a:02d}..{b:02d}" for a, b in _runs(vals))


def _weekdays(values: frozenset[int]) -> str:
    return ",".join(_SYSTEMD_DAYS[a] if a == b else f"{_SYSTEMD_DAYS[a]}..{_SYSTEMD_DAYS[b]}"
                    for a, b in _runs(sorted(values)))
