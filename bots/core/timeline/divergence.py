"""Points of divergence: the events a universe shares with Earth-Prime, and where their dates part.

An event of universe U is matched to Earth-Prime's by the title convention ("Storming of the Bastille
(Earth-1263)" is the counterpart of "Storming of the Bastille") or by an explicit infobox field
(`counterpart = Storming of the Bastille`, which wins). Each side's date is its page's own date (its
infobox's `date`, else its first date in the lead). The events whose dates differ are listed earliest
first (on U's date); the first is the universe's point of divergence.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date as _date

from bots.core.dates.model import Precision
from bots.core.timeline.entries import Entry, own_entries
from bots.core.wikitext.titles import normalize_title
from bots.core.wikitext.universe import base_title

__all__ = ["PRIME", "COUNTERPART_FIELD", "Divergence", "counterpart_of", "divergences", "difference"]

PRIME = "Earth-Prime"
COUNTERPART_FIELD = "counterpart"


@dataclass(frozen=True)
class Divergence:
    event: str            # the page in the universe
    prime: str            # its Earth-Prime counterpart
    here: Entry
    there: Entry
    difference: str       # "+5 days", "−12 years"

    def key(self) -> tuple:
        return self.here.key()


def counterpart_of(rec: dict) -> str | None:
    """The Earth-Prime title a page names as its counterpart (its infobox field), else its base title."""
    for box in rec.get("infoboxes") or ():
        value = (box.get("params") or {}).get(COUNTERPART_FIELD) if isinstance(box, dict) else None
        if isinstance(value, str) and value.strip():
            return normalize_title(value.strip().strip("[]").split("|")[0]) or None
        break
    title = rec.get("title") or ""
    base = base_title(title)
    return base if base != title else None


def difference(here: Entry, there: Entry) -> str | None:
    """How much later (+) or earlier (−) the universe's date is; None when they agree (at the coarser
    precision of the two)."""
    a, b = here.ns, there.ns
    if a.precision is Precision.DAY and b.precision is Precision.DAY:
        try:
            days = _date(*a.sort_key()).toordinal() - _date(*b.sort_key()).toordinal()
        except ValueError:
            days = None
        if days is not None:
            return None if days == 0 else _signed(days, "day")
    ka, kb = a.sort_key(), b.sort_key()
    if min(_rank(a.precision), _rank(b.precision)) >= 2:
        months = (ka[0] * 12 + ka[1]) - (kb[0] * 12 + kb[1])
        return None if months == 0 else _signed(months, "month")
    return None if ka[0] == kb[0] else _signed(ka[0] - kb[0], "year")


def _rank(p: Precision) -> int:
    return {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}[p]


def _signed(n: int, unit: str) -> str:
    return f"{'+' if n > 0 else '−'}{abs(n):,} {unit}{'' if abs(n) == 1 else 's'}"


def divergences(records: list[dict], entries: list[Entry], prime_records: list[dict],
                prime_entries: list[Entry]) -> list[Divergence]:
    """The universe's events whose date differs from their Earth-Prime counterpart's, earliest first."""
    prime_titles = {r.get("title") for r in prime_records}
    here_own, there_own = own_entries(entries), own_entries(prime_entries)
    out = []
    for rec in records:
        prime = counterpart_of(rec)
        if prime is None or prime not in prime_titles:
            continue
        here, there = here_own.get(rec.get("title")), there_own.get(prime)
        if here is None or there is None:
            continue
        diff = difference(here, there)
        if diff is not None:
            out.append(Divergence(rec.get("title"), prime, here, there, diff))
    out.sort(key=Divergence.key)
    return out
