"""What every writing bot does around its edits: the stop page, and saving the pages it owns.

Site layer: talks to the wiki through pywikibot. The meaning of the stop page is pure
(bots.core.stoppage) and tested offline.
"""
from __future__ import annotations

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.core.stoppage import StopChecks, StopRequested, stop_page_title

__all__ = ["StopPage", "StopRequested", "save_if_changed"]


class StopPage(StopChecks):
    """The bot's stop page on the wiki, read fresh each time (bots.core.stoppage.StopChecks says when)."""

    def __init__(self, site: pywikibot.site.APISite, every: int = 10, read_ahead: bool = False) -> None:
        self.site = site
        super().__init__(self._read, stop_page_title(site.username() or site.user() or "MultiverseBot"),
                         every=every, read_ahead=read_ahead)

    def _read(self) -> str | None:
        page = pywikibot.Page(self.site, self.title)
        try:
            return page.get(force=True)
        except NoPageError:
            return None


def save_if_changed(site: pywikibot.site.APISite, title: str, text: str, summary: str, *,
                    simulate: bool = False, minor: bool = False, out=None) -> bool:
    """Save a page the bot owns (a report, a status table) only when its text changed: an unchanged
    result makes no edit. The stop page is honoured; under -simulate the diff is shown instead.
    Returns True when the page was (or, simulating, would be) edited."""
    import sys

    from bots.cli import print_diff

    out = out or sys.stderr
    page = pywikibot.Page(site, title)
    old = page.text if page.exists() else ""
    if old.rstrip() == text.rstrip():   # MediaWiki strips trailing whitespace on save
        print(f"[[{title}]] unchanged", file=out)
        return False
    if simulate:
        print_diff(old, text, title, out)
        return True
    StopPage(site).check()
    page.text = text
    page.save(summary=summary, bot=True, minor=minor, quiet=True)
    print(f"[[{title}]] saved: {page.full_url()}", file=out)
    return True
