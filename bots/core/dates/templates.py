"""Dates in templates: {{Start date}}, {{Birth date}}, {{Death date and age}} and the like, and the
templates that write an O.S./N.S. pair: {{OldStyleDate}}, {{OldStyleDateDY}}, {{OldStyleDateNY}} (also
with a date template inside) and {{Old Style to New Style}}.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .calendar import Calendar
from .forms import TEMPLATE_RE, field_number, pair_template, param_date, template_groups
from .neighbours import marker_after, marker_before
from .model import Date
from .pairs import Side

if TYPE_CHECKING:   # dates imports this module; these are only needed for hints
    from .scanner import _Scan

__all__ = ["scan_templates"]


def scan_templates(scan: _Scan) -> None:
    nested: list[re.Match] = []
    for m in TEMPLATE_RE.finditer(scan.work):
        _read_template(scan, m)
    scan.blank()
    # {{OldStyleDateNY|{{Birth date|1643|01|04}}|25 December 1642}}: the inner template was read
    # above and is now blank, so the outer one matches on a second look.
    if scan.found and "tyle" in scan.work:
        for m in TEMPLATE_RE.finditer(scan.work):
            if pair_template(_template_name(m)):
                nested.append(m)
        for m in nested:
            _read_template(scan, m)
        scan.blank()


def _template_name(m: re.Match) -> str:
    return " ".join(m.group("name").lower().replace("_", " ").split())


def _read_template(scan: _Scan, m: re.Match) -> None:
    name = _template_name(m)
    params, pos = [], m.start("args")
    for piece in m.group("args").split("|"):
        core = piece.strip()
        if core and "=" not in core:
            lead = len(piece) - len(piece.lstrip())
            params.append((core, pos + lead, pos + lead + len(core)))
        pos += len(piece) + 1
    form = f"template:{name}"
    if pair_template(name):
        _template_pair(scan, m, pair_template(name), params, form)
    else:
        # a label before the template names its calendar: "[[...|NS]]: {{death date|1727|03|31}}"
        cal = marker_before(scan.work, m.start())
        groups, primary = template_groups(name, params)
        made = []
        for group in groups:
            values = [field_number(v) for v, _, _ in group]
            if values and None not in values:
                d = _date().of(*values, calendar=cal) if len(values) == 3 else _date().of(*values)
                made.append(scan.mention(group[0][1], group[-1][2], d if d.valid or cal is Calendar.UNSTATED
                                         else _date().of(*values), form))
        if len(made) == 2:              # {{Death date and age|death|birth}}: the date the template stands for
            scan.primary[id(made[1 - primary])] = made[primary]
        elif len(made) == 1 and cal is Calendar.UNSTATED and made[0].date.day is not None:
            after = marker_after(scan.work, m.end())   # "{{birth date|1828|8|28}} (O.S.)"
            if after is not Calendar.UNSTATED:
                scan.restate(made[0], after)
    scan.take(m.start(), m.end())


# Which parameter is which: (N.S. date, N.S. year, O.S. date, O.S. year), 0-based, None when absent.
#   {{OldStyleDate|2 February|1905|20 January}}, optional 4th: the O.S. year if it differs
#   {{OldStyleDateDY|17 January|1706|6 January 1705}}: the O.S. date carries its own year
#   {{OldStyleDateNY|31 March|20 March}}: no year (the sentence has it), or dates with years
#   {{Old Style to New Style|20 January|1905|2 February}} (also {{OS2NS}}): O.S. first
_PAIR_PARAMS = {"oldstyledate": (0, 1, 2, 3), "oldstyledatedy": (0, 1, 2, None), "oldstyledateny": (0, None, 1, None),
                "old style to new style": (2, 1, 0, None), "os2ns": (2, 1, 0, None)}


def _template_pair(scan: _Scan, m: re.Match, name: str, params: list, form: str) -> None:
    ns_i, year_i, os_i, os_year_i = _PAIR_PARAMS[name]
    get = lambda i: params[i] if i is not None and i < len(params) else None   # noqa: E731
    ns_p, os_p, year_p, os_year_p = get(ns_i), get(os_i), get(year_i), get(os_year_i)
    if ns_p is None or os_p is None:
        return
    ns, os_ = _param_side(scan, ns_p), _param_side(scan, os_p)
    if ns is None or os_ is None:
        return
    year, os_year_param = _param_year(year_p), _param_year(os_year_p)
    ns_year = ns["year"] if ns["year"] is not None else year
    os_year = os_["year"] if os_["year"] is not None else os_year_param
    if ns_year is None and os_year is not None:
        ns_year = _inner_year(os_year, os_["month"], ns["month"], Calendar.GREGORIAN)
    if ns_year is None:
        side = lambda d: Side(d["start"], d["end"], d["day"], d["month"], None,  # noqa: E731
                                         d["form"] or form, Calendar.UNSTATED)
        scan.pending.append((m.start(), m.end(), side(os_), side(ns), Calendar.JULIAN, Calendar.GREGORIAN, None))
        return
    if os_year is None:
        os_year = _inner_year(ns_year, ns["month"], os_["month"], Calendar.JULIAN)
    old = scan.mention(os_["start"], os_["end"], _date().of(os_year, os_["month"], os_["day"], Calendar.JULIAN),
                       os_["form"] or form)
    if ns["mention"] is not None:       # a date template inside: its date is the N.S. side
        new = ns["mention"]
        new = scan.restate(new, Calendar.GREGORIAN) if new.date.calendar is Calendar.UNSTATED else new
    else:
        new = scan.mention(ns["start"], ns["end"], _date().of(ns_year, ns["month"], ns["day"], Calendar.GREGORIAN),
                           ns["form"] or form)
    scan.pair(old, new, m.start(), m.end())


_PARAM_YEAR = re.compile(r"(?:\[\[)?[ \t]*(\d{1,4})[ \t]*(?:\]\])?")


def _param_year(param: tuple[str, int, int] | None) -> int | None:
    m = _PARAM_YEAR.fullmatch(param[0]) if param is not None else None
    return int(m.group(1)) if m else None


def _param_side(scan: _Scan, param: tuple[str, int, int]) -> dict | None:
    """One date parameter of a pair template: its day, month, year (None when it shows none), the span
    of the date itself (without link brackets or a trailing comma), or the date template inside it."""
    core, start, end = param
    if "\0" in scan.work[start:end]:       # a blanked inner template: the date read from it
        inner = next((f for f in scan.found if start <= f.start and f.end <= end and f.date.day is not None), None)
        if inner is None:
            return None
        d = inner.date
        return {"day": d.day, "month": d.month, "year": d.year, "start": inner.start, "end": inner.end,
                "form": None, "mention": inner}
    parsed = param_date(core)
    if parsed is None:
        return None
    day, month, year, lo, hi = parsed
    return {"day": day, "month": month, "year": year, "start": start + lo, "end": start + hi, "form": None,
            "mention": None}


def _inner_year(outer_year: int, outer_month: int, inner_month: int, inner_cal: Calendar) -> int:
    # The bracketed date may sit across New Year from the outer one (Julian runs behind).
    if inner_cal is Calendar.JULIAN and inner_month > outer_month:
        return outer_year - 1
    if inner_cal is Calendar.GREGORIAN and inner_month < outer_month:
        return outer_year + 1
    return outer_year


def _date():
    return Date
