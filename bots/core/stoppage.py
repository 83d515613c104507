"""The meaning of a bot's stop page, `User:<bot>/Run`.

The bot runs while the page is missing or says ``run`` (any case, HTML comments and whitespace
ignored); anything else, an empty page included, means stop before the next edit. An editor stops the
bot by writing, say, ``stop: the infobox fix is wrong`` there.
"""
from __future__ import annotations

import re

__all__ = ["STOP_PAGE_HELP", "stop_page_title", "stop_requested"]

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
