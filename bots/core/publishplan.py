"""What the publish bot does with one page: create, update, leave, or skip, and why.

Pure: given the new text (or a record to apply), the page as the wiki has it now, and what the
ledger remembers, decide. The rules that keep people's work safe live here, tested offline:
- a page the bot never published, or that someone else edited since the bot's last publish (the
  ledger's revision is not the current one), is never overwritten: a record is applied to the
  current text (only the generator-owned regions change); plain page text is skipped and reported;
- `{{bots}}`/`{{nobots}}` exclusion is decided by the caller (pywikibot's botMayEdit) and passed in;
- a page whose text is already what we would write is left alone (no edit, no null edit).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

from bots.core.ledger import LedgerEntry, content_hash

__all__ = ["Action", "Current", "Plan", "plan_page"]


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    SKIP = "skip"


@dataclass(frozen=True)
class Current:
    """The page on the wiki now (text None: it does not exist)."""

    text: str | None
    revid: int | None = None
    timestamp: str | None = None
    user: str | None = None
    bots_allowed: bool = True


@dataclass(frozen=True)
class Plan:
    action: Action
    text: str | None = None        # what to save (CREATE/UPDATE)
    reason: str = ""
    regions_only: bool = False     # the text came from applying a record to someone else's page


def _same(a: str, b: str) -> bool:
    return content_hash(a) == content_hash(b)


def plan_page(new_text: str | None, current: Current, ledger: LedgerEntry | None, bot_user: str,
              apply: Callable[[str | None], str] | None = None) -> Plan:
    """Decide for one page.

    `new_text` is the full text to publish for plain sources; for records, `apply(existing_text)`
    gives the text with the record applied (a new page when existing is None) and `new_text` is None.
    """
    if current.text is None:
        text = apply(None) if apply else new_text
        return Plan(Action.CREATE, text)
    if not current.bots_allowed:
        return Plan(Action.SKIP, reason="{{bots}}/{{nobots}} on the page excludes this bot")
    ours = (ledger is not None and ledger.revid == current.revid) or (
        ledger is None and current.user == bot_user)
    if apply is not None:
        # A record rewrites only its regions, on whatever the page says now: safe for anyone's edits.
        text = apply(current.text)
        if _same(text, current.text):
            return Plan(Action.UNCHANGED)
        return Plan(Action.UPDATE, text, regions_only=not ours)
    if _same(new_text, current.text):
        return Plan(Action.UNCHANGED)
    if ours:
        return Plan(Action.UPDATE, new_text)
    who = current.user or "someone else"
    if ledger is None:
        return Plan(Action.SKIP, reason=f"the page exists and was not published by this bot (last edit by {who})")
    return Plan(Action.SKIP, reason=f"edited by {who} since the bot's last publish (revision {ledger.revid}, "
                                    f"now {current.revid}); the page has no generated regions to update")
