"""The meaning of a bot's stop page, `User:<bot>/Run`.

The bot runs while the page is missing or says ``run`` (any case, HTML comments and whitespace
ignored); anything else, an empty page included, means stop before the next edit. An editor stops the
bot by writing, say, ``stop: the infobox fix is wrong`` there.
"""
from __future__ import annotations

import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

__all__ = ["STOP_PAGE_HELP", "StopChecks", "StopRequested", "stop_page_title", "stop_requested"]

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)

STOP_PAGE_HELP = (
    "Stop page: User:<bot account>/Run. The bot runs while that page is missing or says 'run'; once it "
    "says anything else (an empty page too) the bot stops before its next edit. It is read at the start "
    "and again at least every 10 edits.")


def stop_page_title(bot_user: str) -> str:
    return f"User:{bot_user}/Run"


def stop_requested(text: str | None) -> bool:
    """True when a stop page with this text (None: the page does not exist) says stop."""
    if text is None:
        return False
    return _COMMENT.sub("", text).strip().lower() != "run"


class StopRequested(RuntimeError):
    pass


class StopChecks:
    """When to read the stop page: at the start and again every `every` edits; `read` returns its text
    (None: missing), always fresh.

    With `read_ahead`, the read that allows the next group of edits starts when the last edit of this
    group is sent (for an import, with the request that carries the group), in a helper thread: the
    wiki answers it while that edit is written. Its verdict counts only if it is at most `max_age`
    seconds old, else the page is read again. A stop is still obeyed within one group of edits.
    """

    def __init__(self, read: Callable[[], str | None], title: str, every: int = 10,
                 read_ahead: bool = False, max_age: float = 2.0) -> None:
        self.read = read
        self.title = title
        self.every = every
        self.max_age = max_age
        self._edits_since_check = 0
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stop-page") if read_ahead else None
        self._ahead: tuple[float, Future] | None = None

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
