"""What a bot does with one page it saves: create, update, leave, or skip, and why.

Pure: given what the bot would write (an Item), the page as the wiki has it now, and what the ledger
remembers, decide. The rules that keep people's work safe live here, tested offline:
- what the bot writes is merged into the page, never pasted over it: base is the text the bot
  generated last time (the ledger keeps it), ours the new one, theirs the page now
  (bots.core.wikitext.merge). A person's change outside the generator-owned regions is kept; where it and the
  new text touch the same lines the page is skipped and reported, never overwritten;
- a page the bot has no base for is not overwritten: a record writes only its regions into it,
  other sources skip it; only the bot's own last revision (with no ledger to say otherwise) counts
  as its text;
- a fix (`transform`) rewrites the page's current text and nothing else;
- a redirect is never edited into an article, and `{{bots}}`/`{{nobots}}` (decided by the caller,
  pywikibot's botMayEdit) excludes the bot;
- a page whose text is already what the bot would write is left alone (no edit, no null edit).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bots.core.wikitext.escape import unescape_value
from bots.core.publish.ledger import LedgerEntry, same_content, stored_text
from bots.core.wikitext.merge import merge3
from bots.core.wikitext.regions import TooComplex
from bots.core.wikitext.titles import normalize_title
from bots.core.publish.items import Item

__all__ = ["Action", "Current", "Plan", "plan_page", "is_redirect", "redirect_target", "describe_region"]

_REDIRECT = re.compile(r"\s*#redirect\s*:?\s*\[\[", re.I)
_REDIRECT_TARGET = re.compile(r"\s*#redirect\s*:?\s*\[\[([^\[\]|\n]+)", re.I)


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
    pageid: int | None = None
    redirect: str | None = None       # the target, when the page is a redirect


@dataclass(frozen=True)
class Plan:
    action: Action
    text: str | None = None        # what to save (CREATE/UPDATE)
    reason: str = ""               # why a page is skipped
    note: str = ""                 # what the merge did, for the report and the edit summary
    replaced: tuple[str, ...] = ()  # regions where a person's edit gave way to the new text
    # What the ledger records once this is saved (its `mode`): "merge", the item's text is the next
    # merge base; "regions", the bot writes only its regions into someone else's page; None, nothing
    # (a fix rewrites people's text and generates none).
    record: str | None = "merge"


def is_redirect(text: str | None) -> bool:
    return bool(text) and _REDIRECT.match(text) is not None


def redirect_target(text: str | None) -> str | None:
    """Where a redirect page points ("#REDIRECT [[Target]]"), or None for a page that is no redirect."""
    m = _REDIRECT_TARGET.match(text or "")
    return normalize_title(m.group(1)) or m.group(1).strip() if m else None


def describe_region(key: str) -> str:
    kind, _, name = key.partition(":")
    return f"the infobox ({name})" if kind == "template" else f"section '{unescape_value(name)}'"


def _lines(ranges: list[tuple[int, int]]) -> str:
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _base(item: Item, current: Current, entry: LedgerEntry | None, bot_user: str) -> str | None:
    """The text the bot wrote last, as far as it is known."""
    if entry is not None and entry.mode == "regions":
        return None
    if entry is not None and entry.generated is not None:
        return entry.generated
    if entry is not None and entry.revid == current.revid:
        return current.text        # an older ledger: the bot's own revision is its text
    if entry is None and item.fallback is None and current.user == bot_user:
        return current.text
    return None


def plan_page(item: Item, current: Current, entry: LedgerEntry | None, bot_user: str) -> Plan:
    """Decide for one page (see the module docstring)."""
    if current.text is None:
        if item.transform is not None:
            return Plan(Action.SKIP, reason="the page no longer exists", record=None)
        return Plan(Action.CREATE, item.text)
    if not current.bots_allowed:
        return Plan(Action.SKIP, reason="{{bots}}/{{nobots}} on the page excludes this bot")
    if item.transform is not None:
        new = item.transform(current.text)
        if same_content(new, current.text):
            return Plan(Action.UNCHANGED, record=None)
        return Plan(Action.UPDATE, new, record=None)
    ours = item.text or ""
    if current.redirect is not None and not is_redirect(ours):
        return Plan(Action.SKIP, reason=f"the page is now a redirect to [[{current.redirect}]]; a redirect "
                                        "is never edited into an article")
    who = current.user or "someone else"
    edited_since = entry is None or entry.revid != current.revid
    base = _base(item, current, entry, bot_user)
    if base is None:
        if item.fallback is not None:
            try:
                new = item.fallback(current.text)
            except TooComplex as exc:
                return Plan(Action.SKIP, reason=f"the page is too complex to merge safely ({exc}); not edited")
            if same_content(new, current.text):
                return Plan(Action.UNCHANGED, record="regions")
            return Plan(Action.UPDATE, new, record="regions",
                        note=f"a page this bot did not make (last edit by {who}): only its generated "
                             "regions were written")
        if entry is None:
            return Plan(Action.SKIP, reason=f"the page exists and was not published by this bot "
                                            f"(last edit by {who})")
        return Plan(Action.SKIP, reason=f"edited by {who} since the bot's last publish (revision "
                                        f"{entry.revid}, now {current.revid}); not overwritten")
    # One trailing newline on each side, so that a line added at the end is an insertion after the
    # last line, not a change of it.
    try:
        merged = merge3(stored_text(base) + "\n", stored_text(ours) + "\n", current.text + "\n", item.templates)
    except TooComplex as exc:
        return Plan(Action.SKIP, reason=f"the page is too complex to merge safely ({exc}); not edited")
    person = who if edited_since and who != bot_user else "others"
    if not merged.clean:
        return Plan(Action.SKIP, reason=f"edited by {person} since the bot's last publish: their edit and the "
                                        f"new text change the same lines ({_lines(merged.conflicts)}); "
                                        "not overwritten")
    text = merged.text[:-1]
    if same_content(text, current.text):
        return Plan(Action.UNCHANGED)
    note = f"edited by {person} since the bot's last publish: their changes kept" \
        if merged.kept_theirs or merged.replaced else ""
    if merged.updated:
        n = len(merged.updated)
        note += (", " if note else "") + f"{n} generated region{'s' if n != 1 else ''} updated"
    if merged.replaced:
        note += (f"; {person}'s edit inside {', '.join(describe_region(k) for k in merged.replaced)} "
                 "replaced by the new text")
    return Plan(Action.UPDATE, text, note=note, replaced=tuple(merged.replaced))
