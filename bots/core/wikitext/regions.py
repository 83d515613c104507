"""Generator-owned regions: the parts of a page the bot writes; everything else belongs to editors.

Two kinds, found the same way in the bot's text and in the page as people left it:
- the first call of an infobox template the generator writes (key ``template:NAME``);
- a generated section between markers (key ``section:TITLE``)::

    <!-- gmw-generated: Background -->
    == Background ==
    ...
    <!-- /gmw-generated: Background -->

A marker's title is the section title as the generator writes it: escaped (bots.core.wikitext.escape), so it
holds no ``-->`` and no newline, and no record value can forge or end a region (records refuse
marker-like text). A begin marker without its end marker is no region: its text stays the editors'.
Regions never overlap; of two that would, the earlier one counts.

Finding an infobox call parses the page (mwparserfromhell), in the bot's own process: a page the
linear pre-scan (bots.core.prescan) prices over one page budget is refused (TooComplex) instead,
so a vandal's page costs a publish or a regeneration milliseconds, not minutes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

__all__ = ["Region", "TooComplex", "find_regions", "begin_marker", "end_marker", "MARKER_TEXT",
           "section_key", "template_key"]

MARKER_TEXT = "gmw-generated"
_BEGIN = re.compile(r"<!-- gmw-generated: ([^\n]*?) -->")


class TooComplex(ValueError):
    """A page whose shape would take the parser longer than a page budget (message: what was found)."""


@dataclass(frozen=True)
class Region:
    key: str
    start: int
    end: int
    text: str


def begin_marker(title: str) -> str:
    return f"<!-- {MARKER_TEXT}: {title} -->"


def end_marker(title: str) -> str:
    return f"<!-- /{MARKER_TEXT}: {title} -->"


def section_key(title: str) -> str:
    return f"section:{title}"


def template_key(name: str) -> str:
    return f"template:{name}"


@lru_cache(maxsize=64)
def _name_pattern(name: str) -> re.Pattern[str]:
    """Where a call of the template could start: `{{` then the name as MediaWiki reads it (first
    letter in either case, spaces or underscores). A cheap test before parsing the page."""
    first, rest = name[:1], name[1:]
    body = "".join(r"[ _]+" if c == " " else re.escape(c) for c in rest)
    return re.compile(r"\{\{\s*(?:[Tt]emplate\s*:\s*)?[" + re.escape(first.upper() + first.lower()) + "]" + body)


def _template_regions(text: str, templates: Iterable[str]) -> list[Region]:
    names = [n for n in templates if _name_pattern(n).search(text)]
    if not names:
        return []
    from bots.core.wikitext.article import Article, template_name   # parse only pages that may hold one
    from bots.core.budget import DEFAULT
    from bots.core.prescan import estimate

    if len(text) > 4096:
        found = estimate(text)
        if found.seconds > DEFAULT.cpu_seconds:
            raise TooComplex(f"{found.describe()}: parsing the page would take about {found.seconds:.0f} s, over "
                             f"the page budget of {DEFAULT.describe()}")

    wanted, out = set(names), []
    article = Article("", text)
    for node, at in article.templates:
        name = template_name(node)
        if name in wanted:
            wanted.discard(name)
            end = article.end_of(node, at)
            out.append(Region(template_key(name), at, end, text[at:end]))
            if not wanted:
                break
    return out


def _section_regions(text: str) -> list[Region]:
    out, seen = [], set()
    for m in _BEGIN.finditer(text):
        title = m.group(1)
        if title in seen:
            continue
        close = end_marker(title)
        end = text.find(close, m.end())
        if end < 0:
            continue
        seen.add(title)
        end += len(close)
        out.append(Region(section_key(title), m.start(), end, text[m.start():end]))
    return out


def find_regions(text: str, templates: Iterable[str] = ()) -> dict[str, Region]:
    """The generator-owned regions of `text` by key, non-overlapping, in text order."""
    found = _template_regions(text, templates) + (_section_regions(text) if MARKER_TEXT in text else [])
    out: dict[str, Region] = {}
    last_end = -1
    for region in sorted(found, key=lambda r: (r.start, -r.end)):
        if region.start < last_end or region.key in out:
            continue
        out[region.key] = region
        last_end = region.end
    return out
