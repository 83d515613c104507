"""What every writing bot does around its edits: the stop page and exclusion compliance.

Site layer: talks to the wiki through pywikibot. The meaning of the stop page is pure
(bots.core.stoppage) and tested offline.
"""
from __future__ import annotations

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.core.stoppage import stop_page_title, stop_requested

__all__ = ["StopPage", "StopRequested", "bots_allowed"]


class StopRequested(RuntimeError):
    pass


class StopPage:
    """Reads User:<bot>/Run at the start and again every `every` edits (fresh, never cached)."""

    def __init__(self, site: pywikibot.site.APISite, every: int = 10) -> None:
        self.site = site
        self.every = every
        self.title = stop_page_title(site.username() or site.user() or "MultiverseBot")
        self._edits_since_check = 0

    def read(self) -> str | None:
        page = pywikibot.Page(self.site, self.title)
        try:
            return page.get(force=True)
        except NoPageError:
            return None

    def check(self) -> None:
        """Raise StopRequested if the page says stop."""
        self._edits_since_check = 0
        if stop_requested(self.read()):
            raise StopRequested(f"the stop page [[{self.title}]] says stop")

    def before_edit(self) -> None:
        """Call before every edit: re-reads the page every `every` edits."""
        if self._edits_since_check >= self.every:
            self.check()
        self._edits_since_check += 1


def bots_allowed(page: pywikibot.Page) -> bool:
    """{{bots}}/{{nobots}} exclusion compliance for the current text (pywikibot's implementation)."""
    return page.botMayEdit()
