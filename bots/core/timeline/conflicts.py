"""Conflicts: a page of the universe dates an event (a dated link, from the harvest) and the event's own
page gives another date. Both entries are kept and marked; the timeline links the consistency report,
whose cross-page rule (cross-page-date-conflict) finds the same, by the same comparison (dates_agree).
"""
from __future__ import annotations

from dataclasses import replace

from bots.core.check.rules.crosspage import dates_agree
from bots.core.timeline.entries import Conflict, Entry, date_of, own_entries, shown

__all__ = ["mark_conflicts"]


def mark_conflicts(entries: list[Entry], records: list[dict]) -> list[Entry]:
    """The entries with their conflicts marked (the entry of the page that dates the event, and the
    event's own entry), in the same order."""
    owns = own_entries(entries)
    marks: dict[tuple[str, int, tuple], list[Conflict]] = {}
    own_marks: dict[str, list[Conflict]] = {}
    for rec in records:
        page = rec.get("title")
        for link in rec.get("dated_links") or ():
            own = owns.get(link.get("target"))
            theirs = date_of(link.get("date"), link.get("calendar"))
            if own is None or theirs is None or link.get("target") == page:
                continue
            if any(dates_agree(theirs, d) for d in (own.ns, own.os) if d is not None):
                continue
            c = Conflict(own.page, page, _written(theirs), shown(own.ns, own.os))
            marks.setdefault((page, link.get("line") or 0, theirs.sort_key()), []).append(c)
            own_marks.setdefault(own.page, []).append(c)
    out = []
    for e in entries:
        found = list(marks.get((e.page, e.line, e.ns.sort_key()), ()))   # sort keys are N.S. days
        if e is owns.get(e.page):
            found += own_marks.get(e.page, [])
        out.append(replace(e, conflicts=tuple(dict.fromkeys(found))) if found else e)
    return out


def _written(d) -> str:
    text = shown(d)
    return f"{text} (O.S.)" if d.calendar.value == "julian" and d.precision.value == "day" else text
