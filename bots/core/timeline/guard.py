"""The drop guard: a run that would empty a timeline is refused, not saved.

An auto-updated list page emptied by a bad run (a typo in a category, a wiki that answered half) is
a known failure of list bots (listeria_rs issue #135). The timeline page records the pages and entries
it was built from (bots.core.timeline.render.stats_of); a new run that has half or more of those pages
missing, or drops more than `max_drop` of the entries, is refused unless forced.
"""
from __future__ import annotations

__all__ = ["DEFAULT_MAX_DROP", "refusal"]

DEFAULT_MAX_DROP = 0.2


def refusal(title: str, before: tuple[int, int] | None, pages: int, entries: int,
            max_drop: float = DEFAULT_MAX_DROP) -> str | None:
    """Why the run must not save [[title]] (None: it may)."""
    if before is None:
        return None
    old_pages, old_entries = before
    if old_pages and pages * 2 <= old_pages:
        return (f"[[{title}]] was built from {old_pages:,} pages, this run has {pages:,}: half or more are "
                f"missing (-force saves it anyway)")
    if old_entries and entries < old_entries * (1 - max_drop):
        return (f"[[{title}]] had {old_entries:,} entries, this run has {entries:,}: more than "
                f"{max_drop:.0%} would be dropped (-force saves it anyway; -maxdrop:PERCENT sets the limit)")
    return None
