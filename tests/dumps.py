"""Generated dumps for the tests and benchmarks/dump.py: pages of two universes with what the
cross-page rules find (date conflicts, links to missing pages, cross-universe links, duplicate
events, a redirect, a hub page that every page links to), one pathological page, written as a
Wikimedia multistream dump with its index."""
from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from bots.core.sources.xmlexport import ExportPage, write_multistream

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
PATHOLOGICAL = "Template flood"


def event_pages(n: int, seed: int = 17, pathological: bool = True, filler: int = 0) -> list[ExportPage]:
    """`n` pages (plus the hub, the twins, a redirect and the pathological page). `filler`: words of
    prose per page, to make pages the size of real articles."""
    return list(iter_event_pages(n, seed, pathological, filler))


def iter_event_pages(n: int, seed: int = 17, pathological: bool = True, filler: int = 0) -> Iterator[ExportPage]:
    """event_pages one at a time (a benchmark's 100,000 pages are not held in memory)."""
    rng = random.Random(seed)
    yield ExportPage("Hub of history", "{{Universe|Earth-1389}}\nThe '''hub''' of history, "
                        "founded on 3 March 1300.\n")
    for i in range(n):
        if pathological and i == n // 2:
            yield ExportPage(PATHOLOGICAL, "{{a|" * 16384)
        universe = "Earth-1389" if i % 5 else "Earth-1263"
        year = 1300 + i // 12
        day = rng.randint(1, 28)
        month = MONTHS[i % 12]
        prev = f"Event {i - 1}" if i else "Hub of history"
        # every 7th page dates the previous event wrongly: a cross-page date conflict
        prev_year = 1300 + (i - 1) // 12 if i else 1300
        said = f"{rng.randint(1, 28)} {MONTHS[(i - 1) % 12]} {prev_year + (3 if i % 7 == 0 else 0)}"
        links = f"After the [[{prev}]] of {said}, see also [[Hub of history]]"
        if i % 11 == 0:
            links += f" and [[Missing page {i}]]"
        if i % 13 == 0:
            links += " and [[Somewhere (Earth-1263)]]"
        name = f"Event {i}"
        if i % 3 == 0 and universe == "Earth-1389":      # a hub group: one name and date on a third of the pages
            name, day, month, year = "Battle of the Hub", 1, "January", 1400
        prose = " ".join(rng.choice(("treaty", "army", "guild", "river", "charter", "council"))
                         for _ in range(filler))
        text = (f"{{{{Universe|{universe}}}}}\n{{{{Infobox historical event\n| name = {name}\n"
                f"| date = {day} {month} {year}\n| universe = {universe}\n}}}}\n"
                f"The '''Event {i}''' happened on {day} {month} {year}. {links}.\n{prose}\n")
        yield ExportPage(f"Event {i}", text)
        if i % 19 == 0 and universe == "Earth-1389":      # the same event under a suffixed title
            yield ExportPage(f"Event {i} (Earth-1389)", text)
    yield ExportPage("Event_3", "{{Universe|Earth-1389}}\nThe same page as [[Event 3]], spelled apart.\n")
    yield ExportPage("Old event", "#REDIRECT [[Event 1]]\n")


def write_dump(folder: Path, pages: Iterable[ExportPage], per_stream: int = 100,
               name: str = "gmwiki-pages-articles-multistream") -> tuple[Path, Path]:
    """The dump and its index, as Wikimedia names them."""
    folder.mkdir(parents=True, exist_ok=True)
    dump, index = folder / f"{name}.xml.bz2", folder / f"{name}-index.txt.bz2"
    with open(dump, "wb") as out, open(index, "wb") as idx:
        write_multistream(pages, out, idx, per_stream)
    return dump, index
