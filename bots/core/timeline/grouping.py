"""Grouping by period and splitting by size.

The level is the finest of year, decade and century at which the timeline has at most MAX_GROUPS
non-empty groups holding MIN_AVERAGE entries or more on average: a dense universe gets a heading a
year, a sparse one a heading a century. When the page would pass the size limit, its groups are
split into consecutive parts (each under the limit, a group never cut unless it alone is over it,
then by its entries), each part a page of its own named by its period.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from bots.core.timeline.entries import Entry

__all__ = ["LEVELS", "MAX_GROUPS", "MIN_AVERAGE", "Group", "choose_level", "group_entries", "split_groups",
           "period_label"]

LEVELS = ("year", "decade", "century")
MAX_GROUPS = 40
MIN_AVERAGE = 2.0


@dataclass(frozen=True)
class Group:
    label: str            # "1389", "1380s", "14th century"
    start: int            # its first year
    entries: tuple[Entry, ...]


def _bucket(year: int, level: str) -> int:
    return year if level == "year" else year - year % 10 if level == "decade" else (year - 1) // 100 * 100 + 1


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def period_label(start: int, level: str) -> str:
    if level == "year":
        return str(start)
    if level == "decade":
        return f"{start}s"
    return f"{_ordinal((start - 1) // 100 + 1)} century"


def choose_level(entries: Sequence[Entry]) -> str:
    for level in LEVELS[:-1]:
        n = len({_bucket(e.year, level) for e in entries})
        if n and n <= MAX_GROUPS and len(entries) / n >= MIN_AVERAGE:
            return level
    return LEVELS[-1]


def group_entries(entries: Sequence[Entry], level: str | None = None) -> list[Group]:
    """The entries (in order) under their period's heading."""
    level = level or choose_level(entries)
    groups: list[Group] = []
    current: list[Entry] = []
    start = None
    for e in entries:
        b = _bucket(e.year, level)
        if b != start and current:
            groups.append(Group(period_label(start, level), start, tuple(current)))
            current = []
        start = b
        current.append(e)
    if current:
        groups.append(Group(period_label(start, level), start, tuple(current)))
    return groups


def split_groups(groups: Sequence[Group], entry_size: Callable[[Entry], int], heading_size: int,
                 limit: int) -> list[list[Group]]:
    """Consecutive runs of groups whose sizes (a heading, plus each entry's line; in bytes) add up to at
    most `limit`; a group over the limit by itself is cut into pieces of its entries ("1389 (2)")."""
    pieces: list[tuple[Group, int]] = []
    for g in groups:
        sizes = [entry_size(e) for e in g.entries]
        if heading_size + sum(sizes) <= limit:
            pieces.append((g, heading_size + sum(sizes)))
            continue
        chunk: list[Entry] = []
        used, n = heading_size, 1
        for e, s in zip(g.entries, sizes):
            if chunk and used + s > limit:
                pieces.append((Group(f"{g.label} ({n})", g.start, tuple(chunk)), used))
                n, chunk, used = n + 1, [], heading_size
            chunk.append(e)
            used += s
        pieces.append((Group(f"{g.label} ({n})" if n > 1 else g.label, g.start, tuple(chunk)), used))
    parts: list[list[Group]] = []
    total = 0
    for g, s in pieces:
        if parts and total + s <= limit:
            parts[-1].append(g)
            total += s
        else:
            parts.append([g])
            total = s
    return parts
