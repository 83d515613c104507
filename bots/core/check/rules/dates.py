"""Date rules: impossible dates, ranges out of order, and an infobox date the lead contradicts; importing
this module also registers the O.S./N.S. pair rules of ``calendar_pairs``.

The page is scanned once (:func:`date_scan`, kept on ``page.extras``) and every rule reads that scan.
Infobox values follow the wiki's calendar convention (see ``datebase``).
Precision over recall: a date whose calendar the text leaves open is accepted if either calendar
allows it, and a range is out of order only if it is so whichever calendar its dates are read in.
"""
from __future__ import annotations

import re
from typing import Iterator

from bots.core.wikitext.article import template_name
from bots.core.dates.calendar import Calendar
from bots.core.dates.forms import MONTH_NAMES, RANGE_DASH_RE, RANGE_WORD_RE
from bots.core.dates.masks import mask_hard, mask_soft, quantity_context
from bots.core.dates.scanner import Date, DateMention, DatePair, DateScan, Precision

from . import calendar_pairs  # noqa: F401  (registers the O.S./N.S. pair rules)
from .base import Hit, PageView, Severity, rule
from .datebase import GROUP, BoxDate, box_dates, date_scan, written

__all__ = ["date_scan", "BoxDate", "box_dates", "written", "out_of_order"]

_ORDER = {Precision.YEAR: 1, Precision.MONTH: 2, Precision.DAY: 3}


# ---------------------------------------------------------------- date-invalid

def _why(d: Date) -> str:
    if d.year < 1 or d.year > 9999:
        return f"year {d.year} is out of range"
    if d.month is not None and not 1 <= d.month <= 12:
        return f"there is no month {d.month}"
    if d.day is None:
        return "not a date"
    name = MONTH_NAMES[d.month - 1]
    if d.month == 2 and d.day == 29:
        which = {Calendar.JULIAN: "Julian", Calendar.GREGORIAN: "Gregorian"}.get(d.calendar)
        return f"{d.year} is not a leap year" + (f" in the {which} calendar" if which else "")
    longest = 29 if d.month == 2 else (30 if d.month in (4, 6, 9, 11) else 31)
    return f"{name} has {longest} days" if d.day > 0 else "there is no day 0"


@rule("date-invalid", Severity.ERROR,
      "A date that does not exist (31 April, 29 February of a common year, month 13), in prose, a date "
      "template or an infobox. A date in no stated calendar is accepted if either calendar has it "
      "(29 February 1300 is a Julian day); an infobox X_os value is Julian, X beside it Gregorian.",
      group=GROUP)
def date_invalid(page: PageView) -> Iterator[Hit]:
    scan = date_scan(page)
    reported: list[int] = []
    for m in scan.dates:
        if not m.date.valid:
            reported.append(m.start)
            yield Hit(m.line, f"{m.text!r} is not a real date: {_why(m.date)}")
    for box in page.article.infoboxes:
        for bd in box_dates(page, box).values():
            span = bd.span
            if bd.date.valid or any(span.value_start <= s < span.value_end for s in reported):
                continue
            yield Hit(span.line, f"'{span.name}' = {span.value!r} is not a real date: {_why(bd.date)}")


# ---------------------------------------------------------------- chronology-order

def _key(d: Date, precision: Precision) -> tuple[int, ...]:
    return (d.year, d.month or 0, d.day or 0)[:_ORDER[precision]]


def out_of_order(start: Date, end: Date) -> bool:
    """Whether ``end`` is before ``start`` at the coarser precision of the two, read as written and
    with Julian days converted (both must say so when a calendar is unstated: it may be either)."""
    if not (start.valid and end.valid):
        return False
    precision = min(start.precision, end.precision, key=_ORDER.__getitem__)
    converted = _key(end.to_gregorian(), precision) < _key(start.to_gregorian(), precision)
    if Calendar.UNSTATED not in (start.calendar, end.calendar):
        return converted
    return converted and _key(end, precision) < _key(start, precision)


# Two dates in one template: which comes first in time. {{Death date and age|death|birth}}.
# (whether the template's first date is the earlier one, the earlier's name, the later's name)
_TEMPLATE_ORDER = {"template:death date and age": (False, "birth", "death"),
                   "template:dda": (False, "birth", "death"),
                   "template:birth date and age2": (False, "birth", "as-of"),
                   "template:birthdeathage": (True, "birth", "death")}
_BC_AFTER = re.compile(r"(?:[ \t]|&nbsp;)*(?:BCE?|B\.C\.|bce?|b\.c\.)(?!\w)")


def _backwards(m: re.Match) -> bool:
    # "1899–00" may mean 1900: only four-digit ends count
    return len(m.group("y2")) == 4 and int(m.group("y2")) < int(m.group("y1"))


# A year and a dash, or "from/between YEAR". It starts with one class of first characters, each
# checked after it is read, so the regex engine jumps from one candidate to the next in one pass over
# the page (the two hints apart took two passes, 1.5x; a plain alternation of them tries every
# position, 3x).
_RANGE_HINT = re.compile(r"[1-9FfBb](?:(?<=[1-9])\d{3}(?:[ \t]|&nbsp;)*(?:–|—|-|&ndash;|&mdash;|\{\{[Nn]dash\}\})"
                         r"|(?<=[Ff])rom[ \t]+\d{4}|(?<=[Bb])etween[ \t]+\d{4})")


def _reversed_year_ranges(page: PageView) -> Iterator[tuple[int, int, int, str]]:
    """(start, end, line, text) of "1394–1389" and "from 1394 to 1389": find_dates does not read a
    year range that runs backwards as a range, so this pass looks for exactly those."""
    text = page.text
    if not _RANGE_HINT.search(text):      # no year and dash, no "from/between YEAR"
        return
    if not any(_backwards(m) for pattern in (RANGE_WORD_RE, RANGE_DASH_RE) for m in pattern.finditer(text)):
        return                            # the common case: no need to mask the page
    work = mask_soft(mask_hard(text))
    for pattern in (RANGE_WORD_RE, RANGE_DASH_RE):
        for m in pattern.finditer(work):
            if pattern is RANGE_WORD_RE and (m.group("kw").lower() == "between") != (m.group("conj") == "and"):
                continue
            if not _backwards(m):
                continue
            if _BC_AFTER.match(work, m.end()) or quantity_context(work, m.start(), m.end()):
                continue
            yield m.start(), m.end(), page.line_at(m.start()), text[m.start():m.end()]


@rule("chronology-order", Severity.ERROR,
      "A range or lifespan that ends before it starts: a prose range (1394–1389, from 1394 to 1389, "
      "25 October 1389 – 5 January 1388), a date template with two dates (death before birth), an "
      "infobox's X / end_X, start_X / end_X or birth_date / death_date. Compared in one calendar, at "
      "the coarser precision of the two dates.", group=GROUP)
def chronology_order(page: PageView) -> Iterator[Hit]:
    scan = date_scan(page)
    hits: list[Hit] = []
    dates = scan.dates
    for a, b in zip(dates, dates[1:]):
        if a.role == "start" and b.role == "end" and out_of_order(a.date, b.date):
            hits.append(Hit(a.line, f"the range {page.text[a.start:b.end]!r} ends before it starts"))
        order = _TEMPLATE_ORDER.get(a.form)
        if order is not None and b.form == a.form and not re.search(r"[{}]", page.text[a.end:b.start]):
            early, late = (a, b) if order[0] else (b, a)
            if out_of_order(early.date, late.date):
                hits.append(Hit(a.line, f"{{{{{a.form[9:]}}}}}: the {order[2]} date {late.date.iso()} is "
                                        f"before the {order[1]} date {early.date.iso()}"))
    for _, _, line, text in _reversed_year_ranges(page):
        hits.append(Hit(line, f"the range {text!r} ends before it starts"))
    for box in page.article.infoboxes:
        dated = box_dates(page, box)
        for name, end in dated.items():
            starts = []
            if name.startswith("end_"):
                starts = [name[4:], "start_" + name[4:]]
            elif name.startswith("death_"):
                starts = ["birth_" + name[6:]]
            for start in (dated.get(s) for s in starts):
                if start is not None and out_of_order(start.date, end.date):
                    hits.append(Hit(end.span.line, f"'{end.name}' ({end.span.value}) is before "
                                                    f"'{start.name}' ({start.span.value})"))
    hits.sort(key=lambda h: h.line)
    yield from hits


# ---------------------------------------------------------------- infobox-date-mismatch

_REF = re.compile(r"<ref\b[^>]*/>|<ref\b[^>]*>.*?(?:</ref\s*>|\Z)", re.S | re.I)


_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z\[']|\s*\n|\{\{|<ref)|\n\s*\n")


def _lead_dates(page: PageView, scan: DateScan) -> list[tuple[DateMention, Date]]:
    """The dates of the lead's first dated sentence, outside the infobox, references and non-date
    templates; the first is the lead's date. Each comes with its Gregorian reading where the text
    says which calendar it is in (an O.S./N.S. pair: its O.S. day converted)."""
    article = page.article
    lead_end = article.lead_end
    candidates = [m for m in scan.dates if m.start < lead_end]
    if not candidates:
        return []
    skip = [(at, article.end_of(t, at), template_name(t).lower().startswith("infobox"))
            for t, at in article.templates if at < lead_end]
    skip += [(m.start(), m.end(), True) for m in _REF.finditer(page.text, 0, lead_end)]
    pair_of = {id(p.old_style): p for p in scan.pairs} | {id(p.new_style): p for p in scan.pairs}
    out: list[tuple[DateMention, Date]] = []
    sentence_end = lead_end
    for m in candidates:
        if m.start >= sentence_end:
            break
        in_template = m.form.startswith("template:")
        if any(a <= m.start < b and (hard or not in_template) for a, b, hard in skip):
            continue
        if not out:
            stop = _SENTENCE_END.search(page.text, m.end, lead_end)
            sentence_end = stop.start() if stop else lead_end
        pair: DatePair | None = pair_of.get(id(m))
        if pair is not None:
            try:
                out.append((m, pair.expected_new_style()))
            except ValueError:
                pass
        elif m.date.valid:
            out.append((m, m.date.to_gregorian()))
    return out


def _agree(a: Date, b: Date) -> bool:
    precision = min(a.precision, b.precision, key=_ORDER.__getitem__)
    return _key(a, precision) == _key(b, precision)


@rule("infobox-date-mismatch", Severity.WARNING,
      "The infobox's date disagrees with the first date of the lead (an O.S./N.S. pair counts as its "
      "O.S. day converted; a bare year agrees with any date in it). A sentence that names the planned "
      "and the actual date (\"was to meet on X, but was delayed until Y\") agrees if either matches.",
      group=GROUP)
def infobox_date_mismatch(page: PageView) -> Iterator[Hit]:
    box = page.article.infobox
    if box is None or not box.raw("date"):
        return
    dated = box_dates(page, box)
    main = dated.get("date")
    if main is None or not main.date.valid:
        return
    scan = date_scan(page)
    lead = _lead_dates(page, scan)
    if not lead:
        return
    sides = [main.date, main.date.to_gregorian()]
    if "date_os" in dated and dated["date_os"].date.valid:
        sides += [dated["date_os"].date, dated["date_os"].date.to_gregorian()]
    if any(_agree(side, d) for side in sides for m, g in lead for d in (g, m.date)):
        return
    mention = lead[0][0]
    yield Hit(main.span.line, f"the infobox gives {main.span.value!r} but the lead's first date is "
                              f"{mention.text!r} (line {mention.line})")
