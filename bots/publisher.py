"""The publish engine (site layer): batched reads, a plan per page, concurrent edits, imports, ledger.

Order of work for each batch of 50 items: read their current text in one request, look them up in
the ledger, plan (bots.core.publishplan), gate (error-level findings block a page unless forced),
then write: new pages through the import API where the account may import (`mode` auto/import),
the rest through one `action=edit` each, `workers` at a time. Every save is recorded in the ledger
at once, so a run killed at any moment can be run again: what was saved is seen as unchanged.

The writes of one batch run in a writer thread while the next batch is read, planned and gated:
MediaWiki takes one write at a time, so the wiki is kept busy instead of waiting for the bot. At
most one batch is in flight; the stop page is read by the writer before its edits as before.
"""
from __future__ import annotations

import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pywikibot
from pywikibot.exceptions import Error as PywikibotError

from bots.cli import print_diff
from bots.core.ledger import Ledger, content_hash
from bots.core.progress import Progress
from bots.core.publishplan import Action, Current, Plan, plan_page
from bots.core.pubsource import Item, Rejected
from bots.core.titles import namespace_of
from bots.core.xmlexport import ExportPage, check_exportable
from bots.runtime import StopPage, StopRequested
from bots.wikiwrite import EditConflict, Saved, edit_page, import_pages, latest_revisions, may_import, \
    read_current

__all__ = ["PublishOptions", "PublishResult", "Publisher", "ledger_path"]

Gate = Callable[[str, str], list[str]]     # (title, text) -> reasons that block the page


@dataclass
class PublishOptions:
    summary: str
    simulate: bool = False
    force: bool = False
    workers: int = 1
    mode: str = "auto"          # auto | edit | import
    batch: int = 10             # pages per import request (the stop page is read between batches)
    minor: bool = False
    gate: Gate | None = None


@dataclass
class PublishResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    stopped: str | None = None
    elapsed: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("created", "updated", "unchanged", "skipped", "failed")}

    def as_dict(self, simulate: bool) -> dict:
        total = sum(self.counts.values())
        return {"simulate": simulate, "counts": self.counts, "created": self.created, "updated": self.updated,
                "unchanged": len(self.unchanged), "skipped": self.skipped, "failed": self.failed,
                "stopped": self.stopped, "elapsed": round(self.elapsed, 3),
                "rate": round(total / self.elapsed, 2) if self.elapsed else None}


def ledger_path(site: pywikibot.site.APISite, state_dir: Path) -> Path:
    """One ledger file per wiki: named after its host and port."""
    name = site.hostname().replace(":", "_").replace("/", "_")
    return state_dir / f"ledger-{name}-{site.code}.sqlite3"


class Publisher:
    def __init__(self, site: pywikibot.site.APISite, ledger: Ledger | None, opts: PublishOptions,
                 out=sys.stdout) -> None:
        self.site, self.ledger, self.opts, self.out = site, ledger, opts, out
        self.result = PublishResult()
        self.stop = StopPage(site, read_ahead=True)
        self.bot_user = site.username()
        self.max_bytes = int(site.siteinfo.get("maxarticlesize", 2048 * 1024))
        self.can_import = opts.mode != "edit" and not opts.simulate and may_import(site)
        if opts.mode == "import" and not self.can_import and not opts.simulate:
            raise PermissionError("-mode:import: this account may not import (needs the importupload right)")
        self.run_id = None

    # -- the run ---------------------------------------------------------------------------------
    def run(self, items: Iterable[Item | Rejected], total: int | None = None) -> PublishResult:
        start = time.monotonic()
        self.progress = Progress("publish", total)
        if self.ledger and not self.opts.simulate:
            self.run_id = self.ledger.start_run(" ".join(sys.argv))
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="publish-writer")
        self._pending: Future | None = None
        try:
            self.stop.check()
            batch: list[Item] = []
            for item in items:
                if isinstance(item, Rejected):
                    self._fail(item.title, item.origin, item.reason)
                    continue
                batch.append(item)
                if len(batch) == 50:
                    self._batch(batch)
                    batch = []
            if batch:
                self._batch(batch)
            self._drain()
        except StopRequested as exc:
            self.result.stopped = str(exc)
        finally:
            self._writer.shutdown(wait=True, cancel_futures=True)
            self.stop.close()
            self.result.elapsed = time.monotonic() - start
            self.progress.finish()
            if self.run_id:
                status = "stopped" if self.result.stopped else ("failed" if self.result.failed else "ok")
                self.ledger.finish_run(self.run_id, status, self.result.counts)
        return self.result

    def _batch(self, items: list[Item]) -> None:
        current = read_current(self.site, [i.title for i in items])
        known = self.ledger.get_many(current) if self.ledger else {}
        creates, edits = [], []
        for item in items:
            cur = current.get(item.title, Current(None))
            try:
                plan = plan_page(item.text, cur, known.get(item.title), self.bot_user, item.apply)
            except Exception as exc:   # a record that cannot be applied must not stop the run
                self._fail(item.title, item.origin, f"cannot build the page: {exc}")
                continue
            if plan.action is Action.UNCHANGED:
                self._unchanged(item.title, cur)
            elif plan.action is Action.SKIP:
                self._skip(item.title, item.origin, plan.reason)
            elif self._admissible(item, plan):
                if self.opts.simulate:
                    self._show(item, cur, plan)
                elif plan.action is Action.CREATE and self.can_import and check_exportable(plan.text) is None:
                    creates.append((item, plan))
                else:
                    edits.append((item, plan, cur))
        self._drain()          # at most one batch of writes in flight, in order
        self._pending = self._writer.submit(self._write, creates, edits)

    def _write(self, creates, edits) -> None:
        self._import(creates)
        self._edit(edits)

    def _drain(self) -> None:
        """Wait for the writes in flight; a StopRequested in the writer is raised here."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _admissible(self, item: Item, plan: Plan) -> bool:
        size = len(plan.text.encode("utf-8"))
        if size > self.max_bytes:
            self._fail(item.title, item.origin, f"{size} bytes, over the wiki's size limit of {self.max_bytes}")
            return False
        if self.opts.gate:
            reasons = self.opts.gate(item.title, plan.text)
            if reasons and not self.opts.force:
                self._skip(item.title, item.origin, "blocked by the pre-publish checks (-force publishes "
                           "anyway): " + "; ".join(reasons))
                return False
        return True

    # -- writing ---------------------------------------------------------------------------------
    def _import(self, creates: list[tuple[Item, Plan]]) -> None:
        imported: list[tuple[Item, Plan]] = []
        for i in range(0, len(creates), self.opts.batch):
            chunk = creates[i:i + self.opts.batch]
            self.stop.check()
            self.stop.sent(len(chunk))
            self.stop.read_ahead()      # the check for the next chunk is read while this one imports
            # An import stores the text as given; an edit strips trailing whitespace (PHP rtrim).
            # Store what an edit would, so that later runs and editors see the same text.
            pages = [ExportPage(it.title, plan.text.rstrip(" \t\n\r\0\x0b"), namespace_of(it.title))
                     for it, plan in chunk]
            try:
                done = import_pages(self.site, pages, self.opts.summary)
            except PywikibotError as exc:
                # The import path failed as a whole: fall back to one edit per page.
                pywikibot.log(f"import failed ({exc}); falling back to edits")
                self._edit([(it, plan, Current(None)) for it, plan in chunk])
                continue
            for it, plan in chunk:
                if it.title in done:
                    imported.append((it, plan))
                else:
                    self._fail(it.title, it.origin, "the import API did not import this page")
        if not imported:
            return
        # One query for the revisions, one ledger transaction, for the whole batch.
        revs = latest_revisions(self.site, [it.title for it, _ in imported])
        rows, saved = [], []
        for it, plan in imported:
            if it.title not in revs:
                self._fail(it.title, it.origin, "imported, but the wiki shows no revision for it")
                continue
            revid, ts, _user = revs[it.title]
            rows.append((it.title, content_hash(plan.text), revid, ts))
            saved.append((it, plan))
        if self.ledger and rows:
            self.ledger.record_many(rows, self.run_id)
        for it, plan in saved:
            self._saved(it, plan, None)

    def _edit(self, edits: list[tuple[Item, Plan, Current]]) -> None:
        if not edits:
            return
        if self.opts.workers <= 1:
            for job in edits:
                self.stop.before_edit()
                self._finish_edit(job, self._try_save(job))
            return
        with ThreadPoolExecutor(self.opts.workers) as pool:
            pending: dict[Future, tuple] = {}
            queue = list(edits)
            while queue or pending:
                while queue and len(pending) < self.opts.workers:
                    self.stop.before_edit()
                    job = queue.pop(0)
                    pending[pool.submit(self._try_save, job)] = job
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    self._finish_edit(pending.pop(fut), fut.result())

    def _try_save(self, job) -> Saved | Exception:
        item, plan, cur = job
        try:
            return edit_page(self.site, item.title, plan.text, self.opts.summary,
                             create=plan.action is Action.CREATE, basetimestamp=cur.timestamp,
                             baserevid=cur.revid,
                             minor=self.opts.minor)
        except (EditConflict, PywikibotError) as exc:
            return exc

    def _finish_edit(self, job, outcome: Saved | Exception) -> None:
        item, plan, _cur = job
        if isinstance(outcome, Saved):
            self._saved(item, plan, outcome)
        elif isinstance(outcome, EditConflict):
            self._conflict(item, outcome)
        else:
            self._fail(item.title, item.origin, f"the wiki refused the edit: {outcome}")

    def _conflict(self, item: Item, exc: EditConflict) -> None:
        """Someone saved the page during the run: a record is applied again to their text; a plain
        page is skipped and reported, never overwritten."""
        if item.apply is None:
            self._skip(item.title, item.origin, f"edit conflict: {exc}; not overwritten")
            return
        cur = read_current(self.site, [item.title])[item.title]
        plan = plan_page(None, cur, None, "", item.apply)
        if plan.action is Action.UNCHANGED:
            self._unchanged(item.title, cur)
            return
        if plan.action is not Action.UPDATE:
            self._skip(item.title, item.origin, f"edit conflict: {exc}; {plan.reason}")
            return
        outcome = self._try_save((item, plan, cur))
        if isinstance(outcome, Saved):
            self._saved(item, plan, outcome)
        else:
            self._skip(item.title, item.origin, f"edit conflict twice: {outcome}; not overwritten")

    # -- bookkeeping -----------------------------------------------------------------------------
    def _saved(self, item: Item, plan: Plan, saved: Saved | None) -> None:
        """Count a saved page; `saved` (None when the caller recorded it already) goes to the ledger."""
        if self.ledger and saved is not None and saved.revid:
            self.ledger.record(item.title, content_hash(plan.text), saved.revid, saved.timestamp, self.run_id)
        (self.result.created if plan.action is Action.CREATE else self.result.updated).append(item.title)
        self.progress.advance()

    def _unchanged(self, title: str, cur: Current) -> None:
        # A run killed after a save but before its ledger write: the page already says what we
        # would write, and it is ours when we made its current revision.
        if self.ledger and not self.opts.simulate and cur.user == self.bot_user and cur.revid:
            known = self.ledger.get(title)
            if known is None or known.revid != cur.revid:
                self.ledger.record(title, content_hash(cur.text), cur.revid, cur.timestamp or "", self.run_id)
        self.result.unchanged.append(title)
        self.progress.advance()

    def _skip(self, title: str | None, origin: str, reason: str) -> None:
        self.result.skipped.append({"title": title, "origin": origin, "reason": reason})
        self.progress.advance()

    def _fail(self, title: str | None, origin: str, reason: str) -> None:
        self.result.failed.append({"title": title, "origin": origin, "reason": reason})
        print(f"error: {origin}{f' [{title}]' if title else ''}: {reason}", file=sys.stderr)
        self.progress.advance()

    def _show(self, item: Item, cur: Current, plan: Plan) -> None:
        verb = "would create" if plan.action is Action.CREATE else "would update"
        print(f"=== {item.title} ({verb}; {item.origin})", file=self.out)
        print_diff(cur.text or "", plan.text, item.title, self.out)
        (self.result.created if plan.action is Action.CREATE else self.result.updated).append(item.title)
        self.progress.advance()
