"""What every writing bot does around its edits: the stop page, and saving the pages it owns.

Site layer: talks to the wiki through pywikibot. The meaning of the stop page is pure
(bots.core.stoppage) and tested offline.
"""
from __future__ import annotations

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.core.stoppage import stop_page_title, stop_requested

__all__ = ["StopPage", "StopRequested", "save_if_changed"]


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
