"""The stop page as the bots read it (site layer); saving is bots.site.publisher's alone.

Site layer: talks to the wiki through pywikibot. The meaning of the stop page is pure
(bots.core.stoppage) and tested offline.
"""
from __future__ import annotations

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.core.stoppage import StopChecks, StopRequested, stop_page_title

__all__ = ["StopPage", "StopRequested"]


class StopPage(StopChecks):
    """The bot's stop page on the wiki, read fresh each time (bots.core.stoppage.StopChecks says when)."""

    def __init__(self, site: pywikibot.site.APISite, every: int = 10, read_ahead: bool = False,
                 interval: float = 0.0) -> None:
        self.site = site
        super().__init__(self._read, stop_page_title(site.username() or site.user() or "MultiverseBot"),
                         every=every, read_ahead=read_ahead, interval=interval)

    def _read(self) -> str | None:
        page = pywikibot.Page(self.site, self.title)
        try:
            return page.get(force=True)
        except NoPageError:
            return None
