"""The timeline page(s) as wikitext: one generator-owned region (bots.core.wikitext.regions) per page,
so that an editor's introduction and commentary around it survive every rebuild (the publisher's
three-way merge keeps what is outside the region).

Every data value (titles, sections, phrases, the universe's name) is written through
bots.core.wikitext.escape or as a validated link target: no page can inject markup into the timeline.
Links are written with a leading colon ([[:Category:X]] links a category page instead of adding one).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from bots.core.timeline.conflicts import mark_conflicts
from bots.core.timeline.divergence import PRIME, Divergence, divergences
from bots.core.timeline.entries import Entry, build_entries
from bots.core.timeline.grouping import Group, group_entries, split_groups
from bots.core.wikitext.escape import escape_value
from bots.core.wikitext.regions import begin_marker, end_marker
from bots.core.wikitext.titles import InvalidTitle, validate_title

__all__ = ["REGION", "DEFAULT_PATTERN", "Timeline", "build_timeline", "render_pages", "stats_of", "timeline_title"]

REGION = "Timeline"
DEFAULT_PATTERN = "Timeline of {universe}"
_STATS = "<!-- gmw-timeline: pages={pages} entries={entries} -->"
_STATS_RE = re.compile(r"<!-- gmw-timeline: pages=([0-9]{1,9}) entries=([0-9]{1,9}) -->")
_SAFE_ANCHOR = re.compile(r"[\w .,:;()\-–’!?/]{1,200}")


@dataclass
class Timeline:
    universe: str
    title: str
    report: str
    entries: list[Entry] = field(default_factory=list)
    pages: set[str] = field(default_factory=set)
    left_out: Counter = field(default_factory=Counter)
    divergences: list[Divergence] = field(default_factory=list)

    @property
    def conflicts(self) -> int:
        return len({c for e in self.entries for c in e.conflicts})

    def as_dict(self) -> dict:
        pod = self.divergences[0] if self.divergences else None
        return {"universe": self.universe, "title": self.title, "pages": len(self.pages),
                "entries": len(self.entries), "left_out": dict(self.left_out), "conflicts": self.conflicts,
                "divergences": [{"event": d.event, "prime": d.prime, "date": d.here.shown(),
                                 "prime_date": d.there.shown(), "difference": d.difference}
                                for d in self.divergences],
                "point_of_divergence": pod.event if pod else None}


def timeline_title(pattern: str, universe: str) -> str:
    """The timeline page of a universe (raises InvalidTitle for a name that makes no page title)."""
    return validate_title(pattern.replace("{universe}", universe))


def build_timeline(universe: str, title: str, report: str, records: list[dict],
                   prime_records: list[dict] = ()) -> Timeline:
    built = build_entries(records)
    entries = mark_conflicts(built.entries, records)
    tl = Timeline(universe, title, report, entries, built.pages, built.left_out)
    if prime_records and universe != PRIME:
        prime = build_entries(list(prime_records)).entries
        tl.divergences = divergences(records, entries, list(prime_records), prime)
    return tl


def stats_of(text: str | None) -> tuple[int, int] | None:
    """(pages, entries) a timeline page's region says it was built from; None when it says nothing."""
    m = _STATS_RE.search(text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


# -- links and lines --------------------------------------------------------------------------------------

def _link(title: str, label: str | None = None, section: str | None = None) -> str:
    label = escape_value(label if label is not None else title)
    try:
        target = validate_title(title)
    except InvalidTitle:
        return label
    if section and _SAFE_ANCHOR.fullmatch(section) and "''" not in section:
        target += "#" + section
    return f"[[:{target}|{label}]]"


def _entry_line(e: Entry, report: str) -> str:
    where = _link(e.page, f"{e.page} § {e.section}" if e.section else e.page, e.section)
    line = f"* '''{escape_value(e.shown())}''' – {where}: “{escape_value(e.phrase)}”"
    for c in e.conflicts:
        line += (f" '''Conflict:''' {_link(c.page)} dates {_link(c.event)} {escape_value(c.theirs)}, its page "
                 f"gives {escape_value(c.own)} (see {_link(report, 'the consistency report')}).")
    return line + "\n"


def _group_text(g: Group, report: str) -> str:
    return f"\n=== {escape_value(g.label)} ===\n" + "".join(_entry_line(e, report) for e in g.entries)


def _summary(tl: Timeline) -> str:
    out = (f"This timeline lists {_n(len(tl.entries), 'dated fact', 'dated facts')} from "
           f"{_n(len(tl.pages), 'page', 'pages')} of "
           f"{escape_value(tl.universe)}, in New Style (Gregorian) order; Old Style dates are shown in brackets.")
    left = sum(tl.left_out.values())
    if left:
        out += (f" {_n(left, 'date is', 'dates are')} left out: {tl.left_out['invalid']:,} invalid, "
                f"{tl.left_out['calendar']:,} failing the calendar check.")
    if tl.conflicts:
        out += (f" {_n(tl.conflicts, 'date', 'dates')} given differently by two pages: both are shown, marked "
                f"'''Conflict''' (see {_link(tl.report, 'the consistency report')}).")
    return out + "\n"


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _divergence_text(tl: Timeline) -> str:
    if not tl.divergences:
        return ""
    first = tl.divergences[0]
    rows = "".join(f"|-\n| {_link(d.event)} || {escape_value(d.here.shown())} || {_link(d.prime)} || "
                   f"{escape_value(d.there.shown())} || {escape_value(d.difference)}\n" for d in tl.divergences)
    return (f"\n== Points of divergence ==\n'''Point of divergence:''' {_link(first.event)}, "
            f"{escape_value(first.here.shown())} ({PRIME}: {escape_value(first.there.shown())}, "
            f"{escape_value(first.difference)}).\n"
            f'{{| class="wikitable"\n! Event !! Date here !! {PRIME} !! Date there !! Difference\n{rows}|}}\n')


def _region(body: str) -> str:
    return f"{begin_marker(REGION)}\n{body.strip()}\n{end_marker(REGION)}\n"


def render_pages(tl: Timeline, limit: int = 2_000_000, chart: str | None = None) -> list[tuple[str, str]]:
    """(title, text) of the timeline's page, then of its parts when it would pass `limit` bytes;
    `chart`: the file name of its chart, shown at the top of the page."""
    stats = _STATS.format(pages=len(tl.pages), entries=len(tl.entries))
    picture = ""
    if chart:
        try:
            name = validate_title(f"File:{chart}")
            picture = (f"[[{name}|thumb|center|960px|The timeline of {escape_value(tl.universe)}: each entry on "
                       f"the time axis, the points of divergence in red]]\n")
        except InvalidTitle:
            picture = ""
    head = f"{stats}\n{picture}{_summary(tl)}{_divergence_text(tl)}"
    groups = group_entries(tl.entries)
    body = "".join(_group_text(g, tl.report) for g in groups)
    if not groups:
        body = "\n''No dated facts.''\n"
    whole = _region(head + "\n== Timeline ==\n" + body)
    if len(whole.encode("utf-8")) <= limit or len(groups) == 0:
        return [(tl.title, whole)]
    nav_room = 1000 + 3 * len(tl.title.encode("utf-8"))
    room = max(1000, limit - nav_room)
    parts = split_groups(groups, lambda e: len(_entry_line(e, tl.report).encode("utf-8")),
                         len(_group_text(Group("9999 (99)", 0, ()), tl.report).encode("utf-8")) + 40, room)
    titles = [f"{tl.title}/{p[0].label}" if len(p) == 1 else f"{tl.title}/{p[0].label} – {p[-1].label}"
              for p in parts]
    index = "".join(f"* {_link(t, t.rsplit('/', 1)[-1].replace(chr(8211), '–'))}\n" for t in titles)
    out = [(tl.title, _region(head + f"\n== Timeline ==\nThe timeline is in {len(parts)} parts, by period:\n"
                              + index))]
    for i, (t, p) in enumerate(zip(titles, parts)):
        nav = " · ".join(x for x in (
            f"← {_link(titles[i - 1], titles[i - 1].rsplit('/', 1)[-1])}" if i else "",
            _link(tl.title), f"{_link(titles[i + 1], titles[i + 1].rsplit('/', 1)[-1])} →" if i + 1 < len(parts)
            else "") if x)
        out.append((t, _region(f"{nav}\n" + "".join(_group_text(g, tl.report) for g in p) + f"\n{nav}\n")))
    return out
