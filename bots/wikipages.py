"""Reading pages from the live wiki in batches (site layer).

pywikibot's GeneratorFactory gives the standard page options (-cat:, -page:, -start:, -ns:,
-recentchanges: ...); PreloadingGenerator fetches their text 50 at a time.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pywikibot
from pywikibot import pagegenerators

from bots.core.prefetch import prefetched
from bots.core.sources import SourcePage

__all__ = ["GENERATOR_HELP", "iter_wiki_pages", "has_generator_options"]

GENERATOR_HELP = ("Pages of the live wiki: pywikibot's page generator options, e.g. -cat:Earth-1389, "
                  "-page:TITLE, -start:!, -ns:0, -recentchanges:60; all content pages by default.")


def has_generator_options(args: Iterable[str]) -> bool:
    return any(a.startswith("-") for a in args)


def iter_wiki_pages(site: pywikibot.site.APISite, gen_args: Iterable[str],
                    default_all: bool = True, groupsize: int = 50) -> Iterator[SourcePage]:
    """The text of every page the generator options select (content pages when none is given)."""
    factory = pagegenerators.GeneratorFactory(site)
    for arg in gen_args:
        if not factory.handle_arg(arg):
            raise ValueError(f"unknown option {arg!r}")
    gen = factory.getCombinedGenerator()
    if gen is None:
        if not default_all:
            return
        gen = site.allpages(namespace=0, filterredir=False)
    yield from prefetched(_pages(gen, groupsize))


def _pages(gen, groupsize: int) -> Iterator[SourcePage]:
    for page in pagegenerators.PreloadingGenerator(gen, groupsize=groupsize, quiet=True):
        if not page.exists():
            continue
        rev = page.latest_revision
        yield SourcePage(title=page.title(), text=page.text, origin=page.full_url(),
                         namespace=page.namespace().id, timestamp=rev.timestamp.isoformat(), revid=rev.revid)
