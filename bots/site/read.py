"""Reading pages from the live wiki in batches (site layer).

pywikibot's GeneratorFactory gives the standard page options (-cat:, -page:, -start:, -ns:,
-recentchanges: ...). The text comes 50 pages a request through pywikibot's QueryGenerator asking
only for what a check needs (content, revision id, timestamp). PreloadingGenerator would also ask
for protection, image and category info for every page: measured on 10,000 local pages, that query
takes twice as long on the server (benchmarks/check.py).

A read that fails for good (pywikibot gave up retrying a broken, truncated or lost answer) ends the
stream with SourceUnavailable: the bots report what they read before it and exit 6.
"""
from __future__ import annotations

from functools import wraps
from itertools import islice
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

import pywikibot
import requests
from pywikibot.data import api
from pywikibot.exceptions import Error as PywikibotError

from bots.core.prefetch import prefetched
from bots.core.sources import SourcePage, SourceUnavailable

__all__ = ["page_generator", "READ_ERRORS", "iter_wiki_pages", "read_texts", "read_as_now", "revision_text",
           "has_generator_options", "unavailable"]

# What a read of the wiki raises when the wiki does not answer usably (after pywikibot's retries).
READ_ERRORS = (PywikibotError, requests.exceptions.RequestException, ConnectionError, TimeoutError)


def unavailable(exc: BaseException) -> SourceUnavailable:
    """The one-line reason a read failed, for the bots' report."""
    from bots.cli import outage_message
    return SourceUnavailable(outage_message(exc, "could not be read"))


def _guarded(gen: Callable[..., Iterator]) -> Callable[..., Iterator]:
    @wraps(gen)
    def reader(*args, **kwargs):
        try:
            yield from gen(*args, **kwargs)
        except READ_ERRORS as exc:
            raise unavailable(exc) from exc
    return reader


_TEXT = {"rvprop": "ids|timestamp|content|user", "rvslots": "main"}


def has_generator_options(args: Iterable[str]) -> bool:
    return any(a.startswith("-") for a in args)


def page_generator(site: pywikibot.site.APISite, gen_args: Iterable[str]):
    """The one builder of pywikibot's page generator from the options (None: no option given); an
    option pywikibot does not know is a ValueError ("unknown option"), never ignored."""
    from pywikibot import pagegenerators   # 20 ms of imports: only a run with generator options needs it

    factory = pagegenerators.GeneratorFactory(site)
    for arg in gen_args:
        if not factory.handle_arg(arg):
            raise ValueError(f"unknown option {arg!r}")
    return factory.getCombinedGenerator()


@_guarded
def iter_wiki_pages(site: pywikibot.site.APISite, gen_args: Iterable[str],
                    default_all: bool = True, groupsize: int = 50) -> Iterator[SourcePage]:
    """The text of every page the generator options select (content pages when none is given)."""
    gen = page_generator(site, gen_args)
    if gen is None:
        if not default_all:
            return
        # One request gives the next 50 titles and their text.
        query = {"generator": "allpages", "gapnamespace": 0, "gapfilterredir": "nonredirects"}
        yield from prefetched(_texts(site, query, groupsize))
    else:
        yield from prefetched(_pages_of(site, gen, groupsize))


def _pages_of(site, gen, groupsize: int) -> Iterator[SourcePage]:
    yield from read_texts(site, (p.title() for p in gen), groupsize)


@_guarded
def read_texts(site, titles: Iterable[str], groupsize: int = 50) -> Iterator[SourcePage]:
    """The pages among `titles` that exist, `groupsize` titles a request."""
    titles = iter(titles)
    while batch := list(islice(titles, groupsize)):
        yield from _texts(site, {"titles": batch})


def read_as_now(site, titles: Iterable[str],
                groupsize: int = 50) -> Iterator[tuple[str, bool, bool, SourcePage | None]]:
    """(title, exists, is a redirect, the page) for each of `titles`, `groupsize` titles a request: what
    changed pages are now, and their text, in the one request a separate existence read took more.
    The page is None for a title that is no page, or whose text is hidden."""
    titles, url = iter(titles), site.base_url(site.articlepath)
    while batch := list(islice(titles, groupsize)):
        for data in _answers(site, {"titles": batch}, prop="revisions|info"):
            exists = "missing" not in data and "invalid" not in data
            yield data["title"], exists, exists and "redirect" in data, _page(data, url)


def _texts(site, query: dict, groupsize: int | None = None) -> Iterator[SourcePage]:
    url = site.base_url(site.articlepath)
    for data in _answers(site, query, groupsize):
        page = _page(data, url)
        if page is not None:
            yield page


def _answers(site, query: dict, groupsize: int | None = None, prop: str = "revisions") -> Iterator[dict]:
    # PropertyGenerator joins a page's revisions that an answer too large left to a continuation.
    gen = api.PropertyGenerator(prop, site=site, parameters={**query, **_TEXT})
    if groupsize:       # pages a request, for a generator
        gen.set_query_increment(groupsize)
    else:               # a list of titles: one request, no rvlimit (it is for a single page's history)
        gen.set_maximum_items(-1)
    yield from gen


def _page(data: dict, url: str) -> SourcePage | None:
    revs = data.get("revisions")
    if not revs or "missing" in data:     # a title given that is not a page
        return None
    rev, title = revs[0], data["title"]
    text = revision_text(rev)
    if text is None:            # hidden by revision deletion
        return None
    return SourcePage(title=title, text=text, namespace=data["ns"], timestamp=rev["timestamp"],
                      revid=rev["revid"], user=rev.get("user"), pageid=data.get("pageid"),
                      origin=url.format(quote(title.replace(" ", "_"), safe="")))   # as Page.full_url()


def revision_text(rev: dict) -> str | None:
    """A revision's text as the API gives it (its main slot, either format version)."""
    main = rev.get("slots", {}).get("main", rev)
    return main.get("*", main.get("content"))
