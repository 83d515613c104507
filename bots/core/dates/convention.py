"""The wiki's calendar convention for infobox dates, in one place for every reader. Pure.

`X_os` is the Old Style (Julian) form of `X`; where a template has `X_os`, `X` itself is New Style
(Gregorian). A calendar the value states wins. The harvest (the facts of a page) and the date rules
(its checks) read a page's dates through this one function, so they can never disagree on them.
"""
from __future__ import annotations

from dataclasses import replace

from bots.core.dates.calendar import Calendar, is_valid_day
from bots.core.dates.model import Date
from bots.core.wikitext.schema import TemplateSchema

__all__ = ["convention_date", "is_date_param"]


def is_date_param(name: str, schema: TemplateSchema | None) -> bool:
    """A parameter that holds a date: typed "date" in the template's TemplateData, or, without a
    schema, named so."""
    if schema is not None and name in schema.params:
        return schema.params[name].type == "date"
    return "date" in name.lower()


def convention_date(name: str, date: Date, names: set[str]) -> Date:
    """`date`, read from parameter `name` of an infobox whose parameters are `names`, in the calendar
    the convention gives it, its validity checked again in that calendar."""
    if date.calendar is not Calendar.UNSTATED:
        return date
    if name.endswith("_os"):
        cal = Calendar.JULIAN
    elif f"{name}_os" in names:
        cal = Calendar.GREGORIAN
    else:
        return date
    valid = date.valid and (date.day is None or is_valid_day(date.year, date.month, date.day, cal))
    return replace(date, calendar=cal, valid=valid)
