"""The timelines on the live wiki (site layer): the Earth-Prime counterparts a selection lacks, the
timeline pages as they are now (for the drop guard), and the save, through the one save path."""
from __future__ import annotations

import sys
from typing import Iterable

from bots.core.publish.items import Item
from bots.site.publisher import PublishOptions, PublishResult, Publisher, open_ledger
from bots.site.read import read_texts

__all__ = ["current_texts", "publish_timelines", "read_pages", "upload_chart"]


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


def upload_chart(site, name: str, svg: str, summary: str, description: str, simulate: bool, force: bool) -> str:
    """Upload a timeline's chart as File:name through the Publisher's guards (see Publisher.upload);
    what happened, "failed: WHY" when the wiki refused it (uploads disabled, no right)."""
    from pywikibot.exceptions import Error as PywikibotError

    opts = PublishOptions(summary=summary, simulate=simulate, force=force, mode="edit")
    try:
        outcome = Publisher(site, None, opts, out=None).upload(name, svg.encode("utf-8"), description)
    except (PywikibotError, RuntimeError, OSError) as exc:
        why = " ".join(str(exc).split())[:300]
        print(f"timeline: [[File:{name}]] not uploaded: {why}", file=sys.stderr)
        return f"failed: {why}"
    if outcome.startswith("skipped"):
        print(f"timeline: [[File:{name}]] not uploaded: {outcome[len('skipped: '):]}", file=sys.stderr)
    return outcome
