"""The timelines on the live wiki (site layer): the Earth-Prime counterparts a selection lacks, the
timeline pages as they are now (for the drop guard), and the save, through the one save path."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Iterable

from bots.core.publish.items import Item
from bots.site.publisher import PublishOptions, PublishResult, Publisher, open_ledger
from bots.site.read import read_texts

__all__ = ["current_texts", "last_run", "publish_timelines", "read_pages", "save_last_run",
           "upload_chart"]


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


def _state_file(site) -> Path:
    from bots.site.connection import state_dir
    return Path(state_dir(site)) / "timeline-last-run.json"


def last_run(site, key: str) -> str | None:
    """When the last successful `-since:last-run` run of this selection started (ISO), or None."""
    try:
        runs = json.loads(_state_file(site).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None     # none yet, or unreadable: the run rebuilds everything, which is always right
    value = runs.get(site.base_url(site.apipath()), {}).get(key) if isinstance(runs, dict) else None
    return value if isinstance(value, str) else None


def save_last_run(site, key: str, started: str) -> None:
    path = _state_file(site)
    try:
        runs = json.loads(path.read_text(encoding="utf-8"))
        runs = runs if isinstance(runs, dict) else {}
    except (OSError, ValueError):
        runs = {}
    runs.setdefault(site.base_url(site.apipath()), {})[key] = started
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(runs, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)       # a killed run leaves the old state, never half a file
