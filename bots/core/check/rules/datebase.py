"""What the date rules share: the page's one date scan, infobox dates in the wiki's calendar
convention, and the way a fix writes a date.

Infobox values follow the wiki's calendar convention (bots.core.dates.convention, which the harvest
reads them through too): ``X_os`` is Old Style (Julian), and ``X`` is New Style (Gregorian) wherever
``X_os`` exists.
"""
from __future__ import annotations

from dataclasses import dataclass

from bots.core.wikitext.article import Infobox
from bots.core.dates.forms import MONTH_NAMES
from bots.core.dates.scanner import Date, DateMention, DateScan, find_dates, parse_date
from bots.core.dates.convention import convention_date, is_date_param

from .base import PageView
from .infobox import ParamSpan, box_offset, param_spans, schema_for

__all__ = ["GROUP", "date_scan", "written", "BoxDate", "box_dates", "mention_in"]

GROUP = "dates"


def date_scan(page: PageView) -> DateScan:
    """find_dates of the page, computed once per PageView and shared by every rule."""
    scan = page.extras.get("_date_scan")
    if scan is None:
        scan = page.extras["_date_scan"] = find_dates(page.text)
    return scan


def written(d: Date) -> str:
    """A date as the fix text gives it: "2 November 1389"."""
    parts = ([str(d.day)] if d.day else []) + ([MONTH_NAMES[d.month - 1]] if d.month else []) + [str(d.year)]
    return " ".join(parts)


# ---------------------------------------------------------------- infobox dates

@dataclass(frozen=True)
class BoxDate:
    name: str
    span: ParamSpan
    date: Date            # with the calendar of the wiki's convention, validity re-checked in it


def box_dates(page: PageView, box: Infobox) -> dict[str, BoxDate]:
    """The dated parameters of one infobox call (the last of a repeated name, as MediaWiki reads it)."""
    cache = page.extras.setdefault("_box_dates", {})
    if id(box.node) in cache:
        return cache[id(box.node)]
    out: dict[str, BoxDate] = {}
    at = box_offset(page, box)
    if at is not None:
        schema = schema_for(page, box)
        spans = param_spans(page, box.node, at)
        names = set(schema.params) if schema else {s.name for s in spans}
        for span in spans:
            dated = is_date_param(span.name, schema) or (schema is None and span.name.lower().endswith("year"))
            if not span.value or not dated:
                continue
            parsed = parse_date(span.value)
            if parsed is not None:
                out[span.name] = BoxDate(span.name, span, convention_date(span.name, parsed, names))
    cache[id(box.node)] = out
    return out


def mention_in(scan: DateScan, start: int, end: int, d: Date | None = None) -> DateMention | None:
    """The first mention inside [start, end), the first naming day ``d`` if given."""
    for m in scan.dates:
        if start <= m.start and m.end <= end and (d is None or (m.date.year, m.date.month, m.date.day)
                                                  == (d.year, d.month, d.day)):
            return m
    return None
