"""Which universe a page belongs to, and how it says so.

First match wins (documented on Template:Universe):
1. the marker template ``{{Universe|Earth-1389}}``;
2. the ``universe`` parameter of an infobox;
3. a title suffix in parentheses: "Napoleon Bonaparte (Earth-1263)";
4. a category named like a universe: ``[[Category:Earth-1263]]``.
The last two are conventions of multiverse wikis and only recognise names shaped like ``Earth-…``,
so that "Anti-war" or "(1389–1394)" are never taken for universes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["UNIVERSE_TEMPLATE", "UniverseClaim", "universe_from_title", "is_universe_name",
           "base_title"]

UNIVERSE_TEMPLATE = "Universe"
_NAME = re.compile(r"Earth-[0-9A-Za-z][0-9A-Za-z.-]*")
_TITLE_SUFFIX = re.compile(r"\s*\((" + _NAME.pattern + r")\)\s*$")


@dataclass(frozen=True)
class UniverseClaim:
    name: str
    source: str          # "marker" | "infobox" | "title" | "category"
    line: int | None = None


def is_universe_name(name: str) -> bool:
    """A name the title and category conventions recognise (Earth-616, Earth-1389, Earth-TRN262)."""
    return _NAME.fullmatch(name.strip()) is not None


def universe_from_title(title: str) -> str | None:
    m = _TITLE_SUFFIX.search(title)
    return m.group(1) if m else None


def base_title(title: str) -> str:
    """The title without its universe suffix: "Napoleon Bonaparte (Earth-1263)" -> "Napoleon Bonaparte"."""
    return _TITLE_SUFFIX.sub("", title)
