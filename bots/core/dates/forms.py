"""Surface forms of dates in English wikitext: the regex fragments that read them and
:func:`format_like`, which writes a date back in the style it was read in.

Reading and writing share one set of patterns so that a safe automatic fix changes only
the digits and names of a date, never its punctuation, links, ordinals or capitalisation.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from .calendar import Calendar

if TYPE_CHECKING:  # dates imports this module; the types are only needed for hints
    from .model import Date, DateMention

__all__ = [
    "matches_at",
    "MONTH_NAMES",
    "month_number",
    "ordinal_suffix",
    "marker_calendar",
    "day_re",
    "month_re",
    "year_re",
    "dmy_re",
    "mdy_re",
    "my_re",
    "dm_re",
    "mark_re",
    "SP",
    "SEP",
    "format_like",
    "field_number",
    "template_groups",
    "param_date",
    "match_parts",
    "resolve_year",
    "dual_year",
    "shows_year",
    "QUAL",
    "pair_template",
    "AFTER_MARK_RE",
    "FULL_FORMS",
    "LINKED_YEAR_RE",
    "MONTH_YEAR_RE",
    "RANGE_DASH_RE",
    "RANGE_GAP_RE",
    "RANGE_WORD_RE",
    "TEMPLATE_RE",
    "TRIGGER_YEAR_RE",
    "WHOLE_YEAR_RE",
]

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_MONTHS: dict[str, int] = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)}
_MONTHS.update({name[:3].lower(): i for i, name in enumerate(MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_FULL = {name.lower() for name in MONTH_NAMES}

# Capitalised only: "may" and "march" in lower case are verbs far more often than months.
_MONTH_ALT = "|".join(MONTH_NAMES) + "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"

# A space, also a no-break one as texts copied from a rendered page have it (U+00A0, U+202F).
_S = "(?:[ \t\u00a0\u202f]|&nbsp;)"
SP = rf"{_S}+"
# Between the day/month part and the year: spaces, one comma, and the ]] [[ of linked dates.
SEP = rf"(?:\]\])?{_S}*(?:,{_S}*)?(?:\[\[)?"


def month_number(name: str) -> int | None:
    """1..12 for an English month name or abbreviation (any case, trailing dot allowed)."""
    return _MONTHS.get(name.strip().rstrip(".").lower())


def ordinal_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


_MARKERS = {"o": Calendar.JULIAN, "j": Calendar.JULIAN, "n": Calendar.GREGORIAN, "g": Calendar.GREGORIAN,
            "s": Calendar.SWEDISH}


def marker_calendar(marker: str) -> Calendar:
    """Calendar named by a marker: O.S./Old Style/Julian, N.S./New Style/Gregorian, S.S./Swedish."""
    return _MARKERS.get(marker.strip()[:1].lower(), Calendar.UNSTATED)


def day_re(p: str, after_slash: bool = False) -> str:
    # Not glued to a preceding number, time ("09:32") or code; 32 and 00 are not days. The second day
    # of a slash pair ("19 February/3 March", "1/12 January") follows the slash by design.
    before = "" if after_slash else r"(?<![\w:.,/\-–])"
    return rf"{before}(?P<{p}day>[12]\d|3[01]|0?[1-9])(?P<{p}sfx>st|nd|rd|th)?(?!\w)"


def month_re(p: str) -> str:
    return rf"(?P<{p}mon>{_MONTH_ALT})\b\.?"


def year_re(p: str) -> str:
    # Three or four digits: two-digit years ("6 June 07") are ambiguous, so not dates.
    # BC/BCE years are out of scope and must not be read as AD years. A dual year of the Old Style
    # reckoning ("1744/45", "1726/7": the year began on 25 March) is read with its second half,
    # unless a day and month follow the slash ("6 January 1877/18 January 1877" is two dates).
    return (rf"(?P<{p}year>\d{{3,4}})"
            rf"(?:/(?P<{p}dual>\d{{4}}|\d{{1,2}})(?![\d/]|(?:[ \t]|&nbsp;)+(?:{_MONTH_ALT})\b))?"
            r"(?!\w|[.,]\d|[ \t]?(?:BCE?|B\.C\.|AC|a\.C\.)(?!\w))"
            r"(?:[ \t]?(?:AD|CE|A\.D\.)(?!\w))?(?:\]\])?")


def dmy_re(p: str, after_slash: bool = False) -> str:
    # the leading lookaheads let the regex engine reject most positions at once
    return (rf"(?=[\[\d])(?:\[\[)?{day_re(p, after_slash)}\.?(?:{SP}of)?{SP}{month_re(p)}{SEP}"
            rf"{year_re(p)}")


def mdy_re(p: str) -> str:
    return rf"(?=[\[JFMASOND])(?:\[\[)?{month_re(p)}{_S}*,?{_S}*{day_re(p)}\.?{SEP}{year_re(p)}"


def my_re(p: str) -> str:
    return rf"(?=[\[JFMASOND])(?:\[\[)?{month_re(p)}{SEP}{year_re(p)}"


def dm_re(p: str, after_slash: bool = False) -> str:
    """Day and month without a year; groups ``{p}1*`` (day first) or ``{p}2*`` (month first)."""
    return (rf"(?=[\dJFMASOND])(?:{day_re(p + '1', after_slash)}\.?(?:{SP}of)?{SP}{month_re(p + '1')}"
            rf"|{month_re(p + '2')}{SP}{day_re(p + '2')})")


# The words that name a calendar. "OS"/"NS" without dots only as a label ("NS: 4 January",
# "[[Old Style and New Style dates|OS]]"); "S.S." not before a name (a ship: "S.S. Baltic");
# "O.S." not inside a longer abbreviation ("O.S.A.", "N.S.W.").
MARK_WORDS = (r"O\.[ \u00a0]?S(?:\.(?![A-Za-z])|(?![A-Za-z.]))|N\.[ \u00a0]?S(?:\.(?![A-Za-z])|(?![A-Za-z.]))|(?:OS|NS)(?=[:\])\]])"
              r"|[Oo]ld[ \u00a0][Ss]tyle|[Nn]ew[ \u00a0][Ss]tyle|OLD[ \u00a0]STYLE|NEW[ \u00a0]STYLE|Julian|Gregorian"
              r"|S\.[ \u00a0]?S\.(?![ \u00a0]?[A-Z])|Swedish(?=[ \u00a0](?:[Cc]alendar|[Ss]tyle|reckoning))")
# What may stand between a date and its calendar: "by the", "in the", "according to the standard".
QUAL = r"(?:(?:by|in|according[ \u00a0]to|using|per|on)[ \t\u00a0]+)?(?:the[ \t\u00a0]+)?(?:standard[ \t\u00a0]+)?"


def mark_re(p: str) -> str:
    # Also the piped link editors use: [[Old Style and New Style dates|O.S.]], and a list of two
    # names for one calendar: "Old Style, Julian calendar".
    return (rf"(?:\[\[(?:[^\[\]|\n]{{0,60}}\|)?)?"
            rf"(?P<{p}mark>{MARK_WORDS})"
            r"(?:[ \u00a0](?:[Cc]alendar|[Ss]tyle|reckoning))?(?:\]\])?"
            rf"(?:[ \t]*,[ \t]*{QUAL}(?:{MARK_WORDS})(?:[ \u00a0](?:[Cc]alendar|[Ss]tyle|reckoning))?)?")


# ---------------------------------------------------------------- scanner patterns
# Used by dates.find_dates; kept here so the reading and writing of a form stay side by side.

TEMPLATE_RE = re.compile(
    r"\{\{[ \t]*(?P<name>(?i:start[ _]date(?:[ _]and[ _]age)?|end[ _]date(?:[ _]and[ _]age)?"
    r"|birth[ _]date(?:[ _]and[ _]age2?)?|death[ _]date(?:[ _]and[ _]age)?|bda|dda|dob"
    r"|birthdeathage|old[ _]?style[ _]?date(?:[ _]?(?:dy|ny))?|old[ _]style[ _]to[ _]new[ _]style|os2ns))[ \t]*"
    r"\|(?P<args>[^{}]*)\}\}")
FULL_FORMS = [
    ("dmy", re.compile(dmy_re(""))),
    ("mdy", re.compile(mdy_re(""))),
    ("iso", re.compile(r"(?P<year>[0-9](?<![\w\-–/.][0-9])[0-9]{3})-(?P<mon>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])"
                       r"(?![\w\-–]|\.\d)")),
]
MONTH_YEAR_RE = re.compile(my_re(""))
# Calendar named right after a date: "(O.S.)", "(by the Julian or Old Style calendar", "in the Gregorian".
AFTER_MARK_RE = re.compile(
    rf"[ \t]*,?[ \t]*[(\[]?[ \t]*{QUAL}{mark_re('k1')}"
    rf"(?:[ \t]+or[ \t]+(?:the[ \t]+)?{mark_re('k2')})?(?![ \t]*[:=])")
_DASH = r"(?:[ \t]|&nbsp;)*(?:–|—|-|&ndash;|&mdash;|\{\{[Nn]dash\}\})(?:[ \t]|&nbsp;)*"
_YEAR_END = r"(?![\w\-–/]|[.,:]\d)"
# The patterns scanned over whole pages start with a plain character and look behind it after
# reading it ("[1-9](?<!...)" rather than "(?<!...)[1-9]"): the regex engine then jumps to the next
# such character instead of trying the pattern at every position, 3-4x faster.
RANGE_DASH_RE = re.compile(
    rf"(?P<y1>[1-9](?<![\w\-–/.,#$£€:][1-9])\d{{3}})(?P<dash>{_DASH})(?P<y2>[1-9]\d{{3}}|\d\d){_YEAR_END}")
RANGE_WORD_RE = re.compile(
    r"(?P<kw>F(?<!\wF)rom|f(?<!\wf)rom|B(?<!\wB)etween|b(?<!\wb)etween)"
    rf"[ \t]+(?P<y1>[1-9]\d{{3}})[ \t]+(?P<conj>to|until|till|and)[ \t]+(?P<y2>[1-9]\d{{3}}){_YEAR_END}")
LINKED_YEAR_RE = re.compile(r"\[\[(?P<year>\d{3,4})(?:[ \t]?(?:AD|CE))?\]\]")
# Bare years only after a word that makes them dates, and only four digits.
TRIGGER_YEAR_RE = re.compile(
    r"(?<!\w)(?P<kw>[Ii]n|[Oo]f|[Ss]ince|[Bb]y|[Yy]ear|[Uu]ntil|[Tt]ill|[Bb]efore|[Aa]fter|[Dd]uring"
    rf"|[Cc]irca|c\.|ca\.)(?:[ \t]|&nbsp;)+(?P<year>[1-9]\d{{3}}){_YEAR_END}")
RANGE_GAP_RE = re.compile(r"(?:[ \t]|&nbsp;)*(?:–|—|-|&ndash;|&mdash;|\{\{[Nn]dash\}\}|to|until|till|and)"
                        r"(?:[ \t]|&nbsp;)*")
WHOLE_YEAR_RE = re.compile(r"(?:\[\[)?(?P<year>\d{1,4})(?:[ \t]?(?:AD|CE))?(?:\]\])?")


# ---------------------------------------------------------------- reading helpers

def field_number(value: str) -> int | None:
    value = value.strip()
    if value.isdigit():
        return int(value)
    return month_number(value) if value else None


_TWO_DATES = {"death date and age": 0, "dda": 0, "birth date and age2": 1, "birthdeathage": 1}


def template_groups(name: str, params: list) -> tuple[list[list], int]:
    """The y|m|d parameter groups of a date template and which one the field means.

    {{Death date and age|death|birth}}, {{Birth date and age2|as of|birth}},
    {{BirthDeathAge|B?|birth|death}}: the flag "B" selects the birth date.
    """
    primary = _TWO_DATES.get(name, 0)
    if name == "birthdeathage" and params and not params[0][0].isdigit():
        params, primary = params[1:], 0
    if name in _TWO_DATES and len(params) >= 6:
        return [params[0:3], params[3:6]], primary
    return [params[0:3]], 0


_PARAM_HEAD = re.compile(r"[\s\[]*(?:(?:c\.|ca\.|circa)[ \t]*)?(?:\[\[)?")
_PARAM_TAIL = re.compile(r"[\s\],.;]*")


def param_date(value: str) -> tuple[int, int, int | None, int, int] | None:
    """The date a template parameter writes ("17 January", "February 22,", "[[6 January]] 1705",
    "c. 5 June"): (day, month, year or None, start, end) with start/end the date's own span in
    ``value``, without link brackets, "c." or trailing punctuation. None for anything else."""
    for form in ("dmy", "mdy", "dm", "md"):
        m = _SURFACE[form].search(value)
        if m is None:
            continue
        head = _PARAM_HEAD.fullmatch(value, 0, m.start())
        tail = _PARAM_TAIL.fullmatch(value, m.end())
        if head is None or tail is None:
            continue
        day, mon = int(m.group("day")), month_number(m.group("mon"))
        year = m.groupdict().get("year")
        end = m.end()
        while value.endswith("]]", 0, end) and value.count("]]", m.start(), end) > value.count("[[", m.start(), end):
            end -= 2
        return day, mon, resolve_year(year, m.group("dual"), mon, day) if year else None, m.start(), end
    return None


def match_parts(m: re.Match, *prefixes: str) -> tuple[int, int, int | None, str]:
    """(day, month, year or None, prefix) from the first alternative that matched."""
    g = m.groupdict()
    for p in prefixes:
        for sub in (p + "1", p + "2", p):
            if g.get(sub + "mon") is not None:
                day, mon = int(g[sub + "day"]), month_number(g[sub + "mon"])
                year = g.get(sub + "year")
                return day, mon, resolve_year(year, g.get(sub + "dual"), mon, day) if year else None, sub
    raise AssertionError("pattern without a month group")  # programming error


def resolve_year(year: str, dual: str | None, month: int | None, day: int | None) -> int:
    """The year a date means: a dual year "1744/45" of a day before 25 March is the second one
    (Old Style years began on 25 March); any other dual year is read as written, first half."""
    first = int(year)
    if dual is None or month is None or (month, day or 1) >= (3, 25):
        return first
    second = _second_year(first, dual)
    return second if second == first + 1 else first


def _second_year(first: int, dual: str) -> int:
    if len(dual) >= len(str(first)):
        return int(dual)
    step = 10 ** len(dual)
    second = first - first % step + int(dual)
    return second + step if second <= first else second


_DUAL_RE = re.compile(r"(\d{3,4})/(\d{4}|\d{1,2})(?!\d)")
_YEAR_IN_RE = re.compile(r"(?<!\d)\d{3,4}(?!\d)")


def dual_year(text: str) -> tuple[int, int] | None:
    """(first, second) of a dual year written in ``text`` ("1744/45" -> (1744, 1745)), else None."""
    m = _DUAL_RE.search(text)
    return (int(m.group(1)), _second_year(int(m.group(1)), m.group(2))) if m else None


def shows_year(text: str) -> bool:
    """Whether a mention's own text writes a year (a pair side like "7 November" does not)."""
    return _YEAR_IN_RE.search(text) is not None


# One pattern per prose form, matched against a mention's own text when re-rendering it.
_SURFACE = {
    "dmy": re.compile(dmy_re("")),
    "mdy": re.compile(mdy_re("")),
    "my": re.compile(my_re("")),
    "dm": re.compile(rf"{day_re('')}\.?(?:{SP}of)?{SP}{month_re('')}"),
    "d": re.compile(day_re("")),
    "md": re.compile(rf"{month_re('')}{SP}{day_re('')}"),
    "iso": re.compile(r"(?P<year>\d{4})-(?P<mon>\d\d)-(?P<day>\d\d)"),
}


def format_like(mention: DateMention, date: Date) -> str:
    """Render ``date`` in the surface style of ``mention`` (the replacement for mention.text).

    Only digits, month names and ordinal suffixes change. Raises ValueError when ``date``
    cannot be written in that style: another precision, or another year for a form
    that shows no year ("7 November" inside an O.S./N.S. pair).
    """
    if date.precision != mention.date.precision:
        raise ValueError(f"cannot write a {date.precision.value}-precision date as {mention.text!r}")
    form = mention.form
    if form.startswith("template:") and pair_template(form[9:]):   # {{OldStyleDate}} and its kin: prose inside
        form = next((f for f in ("dm", "md", "dmy", "mdy") if _SURFACE[f].fullmatch(mention.text)), "dm")
    elif form.startswith("template:"):
        return _format_params(mention.text, date)
    if form in ("year", "range"):
        return _format_bare_year(mention.text, date.year)
    pattern = _SURFACE.get(form)
    match = pattern.fullmatch(mention.text) if pattern else None
    if match is None:
        raise ValueError(f"unknown surface form {mention.form!r} for {mention.text!r}")
    if "year" not in pattern.groupindex and date.year != mention.date.year:
        raise ValueError(f"{mention.text!r} shows no year; cannot move it to {date.year}")
    if "mon" not in pattern.groupindex and date.month != mention.date.month:
        raise ValueError(f"{mention.text!r} shows no month; cannot move it to month {date.month}")
    dual = match.groupdict().get("dual")
    edits: list[tuple[int, int, str]] = []
    for group, value in match.groupdict().items():
        if value is None:
            continue
        if dual is not None and group in ("year", "dual"):   # "1744/45" stays a dual year: 1745 -> 1744/45
            new = _digits_like(value, date.year - 1) if group == "year" else str(date.year)[-len(value):]
        elif form == "iso":
            new = {"year": f"{date.year:04d}", "mon": f"{date.month:02d}", "day": f"{date.day:02d}"}[group]
        elif group == "day":
            new = _digits_like(value, date.day or 0)
        elif group == "sfx":
            new = ordinal_suffix(date.day or 0)
            new = new.upper() if value.isupper() else new
        elif group == "mon":
            new = _month_like(value, date.month or 1)
        else:
            new = _digits_like(value, date.year)
        edits.append((match.start(group), match.end(group), new))
    text = mention.text
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def pair_template(name: str) -> str | None:
    """The canonical name of a template that writes an O.S./N.S. pair (its parameters are prose dates;
    {{Old Style Date DY}} is {{OldStyleDateDY}}), else None."""
    key = name.replace(" ", "")
    if key in ("oldstyledate", "oldstyledatedy", "oldstyledateny", "os2ns"):
        return key
    return "old style to new style" if key == "oldstyletonewstyle" else None


def _digits_like(old: str, value: int) -> str:
    # Keep zero padding ("02 May", ISO) but never truncate.
    return str(value).zfill(len(old)) if old.startswith("0") else str(value)


def _month_like(old: str, month: int) -> str:
    name = MONTH_NAMES[month - 1]
    if old.lower() not in _FULL:
        name = "Sept" if old.lower() == "sept" and month == 9 else name[:3]
    if old.isupper() and len(old) > 1:
        return name.upper()
    return name.lower() if old.islower() else name


def _format_bare_year(text: str, year: int) -> str:
    match = re.search(r"\d+", text)
    if match is None:
        raise ValueError(f"no year in {text!r}")
    digits = match.group()
    if len(digits) == 2:  # abbreviated range end "1389–94"
        if year // 100 != int(digits) // 100 and len(str(year)) != 4:
            raise ValueError(f"cannot abbreviate {year} like {text!r}")
        new = f"{year % 100:02d}"
    else:
        new = _digits_like(digits, year)
    return text[: match.start()] + new + text[match.end():]


def _format_params(text: str, date: Date) -> str:
    """Rewrite "1389|10|25" style template parameters, keeping spacing and padding."""
    pieces = text.split("|")
    values = [date.year, date.month, date.day]
    out = []
    slot = 0
    for piece in pieces:
        core = piece.strip()
        if "=" in core or slot >= 3 or values[slot] is None:
            out.append(piece)
            continue
        lead = piece[: len(piece) - len(piece.lstrip())]
        trail = piece[len(piece.rstrip()):]
        if slot == 1 and month_number(core):
            new = _month_like(core, values[1])
        else:
            new = _digits_like(core, values[slot]) if core else str(values[slot])
        out.append(lead + new + trail)
        slot += 1
    return "|".join(out)


def matches_at(pattern: re.Pattern, work: str, starts: list[int]) -> Iterator[re.Match]:
    """pattern.finditer(work) for a pattern whose matches can only begin at one of `starts`
    (ascending): the same matches, with the pattern tried at those positions only."""
    end = 0
    for start in starts:
        if start >= end:
            m = pattern.match(work, start)
            if m is not None:
                end = m.end()
                yield m
