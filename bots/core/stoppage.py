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

__all__ = ["STOP_INTERVAL", "STOP_PAGE_HELP", "StopChecks", "StopRequested", "stop_page_title", "stop_requested"]

_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)

# Seconds the bots' stop page is read no more often than. 0: every 10 edits, whatever the pace, as the
# README promises (the read runs ahead of the edits, so it costs a request, not a wait).
STOP_INTERVAL = 0.0

STOP_PAGE_HELP = (
    "Stop page: User:<bot account>/Run. The bot runs while that page is missing or says 'run'; once it "
    "says anything else (an empty page too) the bot stops before its next edit. It is read at the start "
    "and again before every 10th edit (an import request counts as its pages): a stop is obeyed within "
    "10 edits.")


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
    """When to read the stop page: at the start, and again before the next edit once `every` edits have
    been made since the last read and `interval` seconds have passed; `read` returns its text (None:
    missing), always fresh. A stop is obeyed within `every` edits or `interval` seconds, whichever is
    more: a fast run does not read the page ten times a second, a slow one still reads it every `every`
    edits.

    With `read_ahead`, the read that allows the next group of edits starts in a helper thread when
    the next check is about to be due (for an import, with the request that carries the group): the
    wiki answers it while that edit is written. Its verdict counts only if it is at most `max_age`
    seconds old, else the page is read again.
    """

    def __init__(self, read: Callable[[], str | None], title: str, every: int = 10,
                 read_ahead: bool = False, max_age: float = 2.0, interval: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.read = read
        self.title = title
        self.every = every
        self.interval = interval
        self.max_age = max_age
        self.clock = clock
        self.reads = 0
        self._edits_since_check = 0
        self._last_check = clock()
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="stop-page") if read_ahead else None
        self._ahead: tuple[float, Future] | None = None

    def check(self) -> None:
        """Raise StopRequested if the page says stop."""
        self._edits_since_check = 0
        self._last_check = self.clock()
        if stop_requested(self._verdict()):
            raise StopRequested(f"the stop page [[{self.title}]] says stop")

    def read_ahead(self) -> None:
        """Start the read for the next check now (with read_ahead; else nothing)."""
        if self._pool is not None and self._ahead is None:
            self._ahead = (self.clock(), self._pool.submit(self._counted_read))

    def due(self) -> bool:
        return self._edits_since_check >= self.every and self.clock() - self._last_check >= self.interval

    def before_edits(self, edits: int = 1) -> None:
        """Call before every edit, or before a request that carries `edits` pages (an import): reads
        the page when a check is due, and starts the read ahead for the next one when it nears."""
        if self.due():
            self.check()
        self._edits_since_check += edits
        # Ahead by the last edit of a group, or by half a second of the interval.
        if self._edits_since_check >= self.every and \
                self.clock() - self._last_check >= self.interval - min(0.5, self.interval / 2):
            self.read_ahead()

    def before_edit(self) -> None:
        self.before_edits(1)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._ahead = None

    def _counted_read(self) -> str | None:
        self.reads += 1
        return self.read()

    def _verdict(self) -> str | None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            started, future = ahead
            if self.clock() - started <= self.max_age:
                try:
                    return future.result()
                except Exception:       # a read that failed: read again, in this thread
                    pass
        return self._counted_read()
