"""The timelines on the live wiki (site layer): the Earth-Prime counterparts a selection lacks, the
timeline pages as they are now (for the drop guard), and the save, through the one save path."""
from __future__ import annotations

import sys
from typing import Iterable

from bots.core.publish.items import Item
from bots.site.publisher import PublishOptions, PublishResult, Publisher, open_ledger
from bots.site.read import read_texts

__all__ = ["current_texts", "publish_timelines", "read_pages"]


def read_pages(site, titles: Iterable[str]):
    """SourcePages of the titles that exist (50 a request)."""
    return read_texts(site, sorted(set(titles)))


def current_texts(site, titles: Iterable[str]) -> dict[str, str]:
    """The current text of the pages among `titles` that exist."""
    return {p.title: p.text for p in read_texts(site, sorted(set(titles)))}


def publish_timelines(site, pages: list[tuple[str, str]], summary: str, simulate: bool) -> PublishResult:
    """Save the timeline pages (title, text) through the Publisher: stop page, {{nobots}}, conflicts,
    the ledger and the three-way merge that keeps what editors wrote around the region."""
    ledger = open_ledger(site)
    items = [Item(title, "the timeline", text) for title, text in pages]
    opts = PublishOptions(summary=summary, simulate=simulate, mode="edit")
    done = Publisher(site, ledger, opts, out=None).run(items, total=len(items))
    for entry in done.skipped + done.failed:
        print(f"timeline: [[{entry['title']}]] not saved: {entry['reason']}", file=sys.stderr)
    return done
