"""What every writing bot does around its edits: the stop page, and saving the pages it owns.

Site layer: talks to the wiki through pywikibot. The meaning of the stop page is pure
(bots.core.stoppage) and tested offline.
"""
from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor

import pywikibot
from pywikibot.exceptions import NoPageError

from bots.core.stoppage import stop_page_title, stop_requested

__all__ = ["StopPage", "StopRequested", "save_if_changed"]


class StopRequested(RuntimeError):
    pass


class StopPage:
    """Reads User:<bot>/Run at the start and again every `every` edits (fresh, never cached).

    With `read_ahead`, the read that allows the next group of edits starts when the last edit of this
    group is sent (for an import, the request that carries the group), in a helper thread: the wiki
    answers it while that edit is written. Its verdict counts only if it is at most `max_age` seconds
    old, else the page is read again. A stop is still obeyed within one group of edits.
    """

    def __init__(self, site: pywikibot.site.APISite, every: int = 10, read_ahead: bool = False,
                 max_age: float = 2.0) -> None:
        self.site = site
        self.every = every
        self.max_age = max_age
        self.title = stop_page_title(site.username() or site.user() or "MultiverseBot")
        self._edits_since_check = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stop-page") if read_ahead else None
        self._ahead: tuple[float, Future] | None = None

    def read(self) -> str | None:
        page = pywikibot.Page(self.site, self.title)
        try:
            return page.get(force=True)
        except NoPageError:
            return None

    def check(self) -> None:
        """Raise StopRequested if the page says stop."""
        self._edits_since_check = 0
        if stop_requested(self._verdict()):
            raise StopRequested(f"the stop page [[{self.title}]] says stop")

    def read_ahead(self) -> None:
        """Start the read for the next check now (with read_ahead; else nothing)."""
        if self._pool is not None and self._ahead is None:
            self._ahead = (time.monotonic(), self._pool.submit(self.read))

    def sent(self, edits: int) -> None:
        """`edits` went out in one request (an import): they count toward the next check."""
        self._edits_since_check += edits

    def _verdict(self) -> str | None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            started, future = ahead
            if time.monotonic() - started <= self.max_age:
                try:
                    return future.result()
                except Exception:       # a read that failed: read again, in this thread
                    pass
        return self.read()

    def before_edit(self) -> None:
        """Call before every edit: re-reads the page every `every` edits."""
        if self._edits_since_check >= self.every:
            self.check()
        self._edits_since_check += 1
        if self._edits_since_check == self.every:
            self.read_ahead()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._ahead = None


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
