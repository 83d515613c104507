"""The one save path (site layer): every bot that edits the wiki saves through a Publisher.

publish, `check -fix`, the report pages, the job status page and install_templates all hand it
Items (bots.core.publish.items); it alone writes. For every page: the stop page has been read within
the last 10 edits, `{{bots}}`/`{{nobots}}` is honoured, the new text is merged into the page as
people left it (bots.core.publish.plan, three-way with the ledger's last generated text), a page
a person moved is followed to its new title and a page a person deleted is not re-created (unless
`recreate`), the save is conflict-safe (base revision id; MediaWiki's own merge of a crossing edit
is re-planned on, never undone), maxlag and the loopback guard apply (pywikibot's request layer and
bots.site), and the ledger records what the bot generated as soon as it is saved.

Order of work for each batch of 50 items: read their current text in one request, look them up in
the ledger, plan, gate (error-level findings block a page unless forced), then write: new pages
through the import API where the account may import (`mode` auto/import), the rest through one
`action=edit` each, `workers` requests at a time. A run killed at any moment can be run again: what
was saved is seen as unchanged.

The workers are chosen from the wiki, read once (bots.core.publish.workers): 1 on SQLite (it writes
one at a time) and on any wiki we don't run (requests in series), several on our own wiki on a
database server; in series while the wiki reports replication lag. The writes of one batch run in a
writer thread while the next batch is read, planned and gated, so the wiki is kept busy instead of
waiting for the bot. At most one batch is in flight; the stop page is read by the writer before its
edits as before. An edit's answer carries its new revision (and whether MediaWiki merged it): a save
is never read back, except when its answer was lost.
"""
from __future__ import annotations

import sys
import time
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pywikibot
from pywikibot.exceptions import APIError, Error as PywikibotError

from bots.cli import diff_text
from bots.core.progress import Progress
from bots.core.publish.items import Item, Rejected
from bots.core.publish.ledger import Ledger, LedgerEntry, content_hash, same_content
from bots.core.publish.plan import Action, Current, Plan, plan_page, redirect_target
from bots.core.sources.xmlexport import ExportPage, check_exportable
from bots.core.wikitext.categories import category_page, used_categories
from bots.core.wikitext.titles import namespace_of
from bots.site.connection import default_workers, lagged_within, wiki_facts
from bots.core.stoppage import STOP_INTERVAL
from bots.site.stoppage import StopPage, StopRequested
from bots.site.write import (EditConflict, Saved, edit_page, file_state, import_pages, last_log_event,
                            latest_revisions, read_current, revision, titles_of_pageids, upload_file)

__all__ = ["PublishOptions", "PublishResult", "Publisher", "ledger_path", "open_ledger", "publish_pages"]

Gate = Callable[[str, str], list[str]]     # (title, text) -> reasons that block the page
_LAG_CALM = 60.0                           # seconds after a maxlag answer in which edits go in series
_SUMMARY_MAX = 490                         # MediaWiki cuts edit summaries at 500 characters


@dataclass
class PublishOptions:
    summary: str
    simulate: bool = False
    force: bool = False
    workers: int | None = 1     # concurrent edits; None: chosen from the wiki (bots.core.publish.workers)
    mode: str = "auto"          # auto | edit | import
    batch: int = 10             # pages per import request (the stop page is read between batches)
    minor: bool = False
    gate: Gate | None = None
    recreate: bool = False      # re-create pages that a person deleted after the bot published them
    categories: bool = False    # create the missing category pages of the pages published (publish)


@dataclass
class PublishResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)     # what a merge or a move did to a saved page
    diffs: list[dict] = field(default_factory=list)     # -simulate: {"title", "action", "diff"} per page
    stopped: str | None = None
    elapsed: float = 0.0
    workers: dict = field(default_factory=dict)         # {"count", "why"}: the edit workers and why

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("created", "updated", "unchanged", "skipped", "failed")}

    def as_dict(self, simulate: bool) -> dict:
        total = sum(self.counts.values())
        return {"simulate": simulate, "counts": self.counts, "created": self.created, "updated": self.updated,
                "unchanged": len(self.unchanged), "skipped": self.skipped, "failed": self.failed,
                "notes": self.notes, **({"diffs": self.diffs} if simulate else {}),
                "stopped": self.stopped, "workers": self.workers, "elapsed": round(self.elapsed, 3),
                "rate": round(total / self.elapsed, 2) if self.elapsed else None}


def ledger_path(site: pywikibot.site.APISite, state_dir: Path) -> Path:
    """One ledger file per wiki: named after its host and port."""
    name = site.hostname().replace(":", "_").replace("/", "_")
    return state_dir / f"ledger-{name}-{site.code}.sqlite3"


@dataclass
class _Job:
    """One page on its way to the wiki."""

    item: Item
    plan: Plan
    cur: Current
    entry: LedgerEntry | None
    target: str                 # where it is written: the item's title, or where a person moved it
    note: str = ""              # what happened before the plan (a move followed)


class Publisher:
    def __init__(self, site: pywikibot.site.APISite, ledger: Ledger | None, opts: PublishOptions,
                 out=sys.stdout) -> None:
        """`out`: where -simulate prints its diffs (None: only in the result, for a JSON document)."""
        self.site, self.ledger, self.opts, self.out = site, ledger, opts, out
        self.result = PublishResult()
        self.stop = StopPage(site, read_ahead=True, interval=STOP_INTERVAL)
        self.bot_user = site.username()
        facts = wiki_facts(site)        # once: dbtype, the size limit, the account's rights
        self.max_bytes = facts.max_bytes
        self.can_import = opts.mode != "edit" and not opts.simulate and "importupload" in facts.rights
        if opts.mode == "import" and not self.can_import and not opts.simulate:
            raise PermissionError("-mode:import: this account may not import (needs the importupload right)")
        self.run_id = None
        choice = default_workers(site, facts, opts.workers)
        self.workers = choice.count
        self.result.workers = {"count": choice.count, "why": choice.why}

    # -- the run ---------------------------------------------------------------------------------
    def run(self, items: Iterable[Item | Rejected], total: int | None = None) -> PublishResult:
        start = time.monotonic()
        self.progress = Progress("publish", total)
        if self.ledger and not self.opts.simulate:
            self.run_id = self.ledger.start_run(" ".join(sys.argv))
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="publish-writer")
        self._pending: Future | None = None
        self._kept: list[str] = []      # texts of the pages that are on the wiki as published
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
            if self.opts.categories:
                self._category_pages()
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

    def upload(self, name: str, data: bytes, description: str) -> str:
        """Upload a file the bot generates (a chart) through the same guards as a save: the stop page
        (read now), `{{bots}}`/`{{nobots}}` on the file's page, the write guard (bots.site.connection,
        on every request), -simulate; a file whose latest version a person uploaded is theirs and is
        not replaced unless `force`. Returns what happened: created, updated, unchanged, simulated, or
        "skipped: WHY"."""
        import hashlib

        try:
            self.stop.check()
        except StopRequested as exc:
            self.result.stopped = str(exc)
            return f"skipped: {exc}"
        finally:
            self.stop.close()
        cur = read_current(self.site, [f"File:{name}"])[f"File:{name}"]
        if cur.text is not None and not cur.bots_allowed:
            return "skipped: {{bots}}/{{nobots}} on the file's page excludes this bot"
        state = file_state(self.site, name)
        if state is not None and state[0] == hashlib.sha1(data).hexdigest():
            return "unchanged"
        if state is not None and state[1] != self.bot_user and not self.opts.force:
            return f"skipped: the latest version was uploaded by {state[1]}, not by the bot"
        if self.opts.simulate:
            return "simulated"
        upload_file(self.site, name, data, self._summary_text(), description)
        return "updated" if state is not None else "created"

    def _summary_text(self) -> str:
        return self.opts.summary[:_SUMMARY_MAX]

    def _batch(self, items: list[Item]) -> None:
        current = read_current(self.site, [i.title for i in items])
        known = self.ledger.get_many(i.title for i in items) if self.ledger else {}
        jobs = self._locate(items, current, known)
        creates, edits = [], []
        for job in jobs:
            if not self._plan(job):
                continue
            if self.opts.simulate:
                self._show(job)
            elif job.plan.action is Action.CREATE and self.can_import and check_exportable(job.plan.text) is None:
                creates.append(job)
            else:
                edits.append(job)
        self._drain()          # at most one batch of writes in flight, in order
        self._pending = self._writer.submit(self._write, creates, edits)

    def _plan(self, job: _Job) -> bool:
        """Plan one job; True when it is to be written."""
        item = job.item
        try:
            job.plan = plan_page(item, job.cur, job.entry, self.bot_user)
        except Exception as exc:   # a record that cannot be applied must not stop the run
            self._fail(item.title, item.origin, f"cannot build the page: {exc}")
            return False
        plan = job.plan
        if plan.action is Action.UNCHANGED:
            self._unchanged(job)
            return False
        if plan.action is Action.SKIP:
            self._skip(item.title, item.origin, plan.reason)
            return False
        return self._admissible(job)

    def _category_pages(self) -> None:
        """A universe or topic category that the published pages use and that has no page gets one
        (templates/skeletons/), through this same path: a new universe shows no red links."""
        wanted = used_categories(self._kept)
        if not wanted:
            return
        titles = {f"Category:{name}": (name, kind) for name, kind in sorted(wanted.items())}
        names = list(titles)
        exists = {}
        for i in range(0, len(names), 50):
            exists.update(read_current(self.site, names[i:i + 50]))
        missing = [Item(t, "a category of the published pages", category_page(*titles[t]))
                   for t in names if exists[t].text is None]
        if self.progress.total is not None:
            self.progress.total += len(missing)
        for i in range(0, len(missing), 50):
            self._batch(missing[i:i + 50])
        self._drain()

    # -- moves and deletions ---------------------------------------------------------------------
    @staticmethod
    def _displaced(entry: LedgerEntry | None, cur: Current) -> bool:
        """The page the bot published is no longer where it was (gone, a redirect, another page)."""
        if entry is None:
            return False
        return cur.text is None or cur.redirect is not None or (
            entry.pageid is not None and cur.pageid is not None and cur.pageid != entry.pageid)

    def _locate(self, items: list[Item], current: dict[str, Current], known: dict) -> list[_Job]:
        """A job per item, aimed at where its page is now: a page a person moved is followed to its new
        title; a page a person deleted is skipped (unless -recreate) with who deleted it and when."""
        jobs, moved = [], {}
        displaced = {i.title for i in items
                     if self._displaced(known.get(i.title), current.get(i.title, Current(None)))}
        ids = [known[t].pageid for t in displaced if known[t].pageid]
        now_at = titles_of_pageids(self.site, ids) if ids else {}
        for item in items:
            cur, entry = current.get(item.title, Current(None)), known.get(item.title)
            job = _Job(item, Plan(Action.SKIP), cur, entry, item.title)
            fate = self._fate(item.title, entry, cur, now_at) if item.title in displaced else None
            if fate is None:
                pass
            elif fate["type"] == "move":
                job.target = fate["target"]
                job.note = f"moved to [[{fate['target']}]] by {fate['user']} ({fate['timestamp']}): written there"
                moved[item.title] = fate
            elif fate["type"] == "delete":
                if not self.opts.recreate:
                    why = f", reason: {fate['comment']}" if fate.get("comment") else ""
                    self._skip(item.title, item.origin, f"deleted by {fate['user']} on {fate['timestamp']}{why}; "
                               "not re-created (-recreate re-creates it)")
                    continue
                job.entry = None         # made anew, as if never published
                job.note = f"re-created after its deletion by {fate['user']} on {fate['timestamp']} (-recreate)"
            elif fate["type"] == "replaced":
                job.entry = None         # the title holds someone else's page now
            jobs.append(job)
        if moved:
            there = read_current(self.site, [f["target"] for f in moved.values()])
            kept = []
            for job in jobs:
                fate = moved.get(job.item.title)
                if fate is not None:
                    job.cur = there.get(job.target, Current(None))
                    if job.cur.text is None:
                        self._skip(job.item.title, job.item.origin, f"moved to [[{job.target}]] by {fate['user']} "
                                   f"({fate['timestamp']}), which no longer exists; not re-created")
                        continue
                kept.append(job)
            jobs = kept
        return jobs

    def _fate(self, title: str, entry: LedgerEntry, cur: Current, now_at: dict[int, str]) -> dict | None:
        """What happened to a displaced page: {"type": "move", "target", "user", "timestamp"},
        {"type": "delete", "user", "timestamp", "comment"}, {"type": "replaced"} (the title holds
        another page), or None (plan the page as it is)."""
        if entry.pageid and entry.pageid in now_at:
            if now_at[entry.pageid] == title:
                return None      # the same page, made a redirect by an edit: the plan skips it
            event = last_log_event(self.site, title, ("move",)) or {}
            return {"type": "move", "target": now_at[entry.pageid], "user": event.get("user", "someone"),
                    "timestamp": event.get("timestamp", "")}
        event = last_log_event(self.site, title)
        if event is not None and event["type"] == "move" and event.get("target") and not entry.pageid:
            target = event["target"]
            for _ in range(5):   # moved on again: follow the log (an older ledger has no page id)
                nxt = last_log_event(self.site, target, ("move",))
                if not nxt or not nxt.get("target") or nxt["timestamp"] < event["timestamp"]:
                    break
                event, target = nxt, nxt["target"]
            return {**event, "target": target}
        if cur.text is None:
            if event is not None and event["type"] == "delete":
                return event
            if not entry.pageid:
                return None
            return {"type": "delete", "user": "someone", "timestamp": "an unknown time",
                    "comment": f"the page the bot published (page id {entry.pageid}) no longer exists, and no "
                               f"deletion of [[{title}]] is logged (moved, then deleted?)"}
        if entry.pageid and cur.pageid != entry.pageid:
            return {"type": "replaced"}
        return None

    # -- gate ------------------------------------------------------------------------------------
    def _admissible(self, job: _Job) -> bool:
        item, plan = job.item, job.plan
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
    def _write(self, creates: list[_Job], edits: list[_Job]) -> None:
        self._import(creates)
        self._edit(edits)

    def _drain(self) -> None:
        """Wait for the writes in flight; a StopRequested in the writer is raised here."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _import(self, creates: list[_Job]) -> None:
        imported: list[_Job] = []
        chunks = [creates[i:i + self.opts.batch] for i in range(0, len(creates), self.opts.batch)]
        try:
            for chunk, done in self._imported_chunks(chunks):
                if isinstance(done, PywikibotError):
                    # The import path failed as a whole: fall back to one edit per page.
                    pywikibot.log(f"import failed ({done}); falling back to edits")
                    self._edit(chunk)
                    continue
                for job in chunk:
                    if job.target in done:
                        imported.append(job)
                    else:
                        self._fail(job.item.title, job.item.origin, "the import API did not import this page")
        finally:        # a stop, too, leaves what was imported in the ledger
            self._record_imports(imported)

    def _imported_chunks(self, chunks: list[list[_Job]]) -> Iterator[tuple[list[_Job], set[str] | PywikibotError]]:
        """(chunk, titles imported or the error) in order; `workers` import requests at a time (on a
        wiki that takes concurrent writes), one at a time while it reports lag. A stop request ends
        the run only after the requests already sent are answered and recorded."""
        if self.workers <= 1:
            for chunk in chunks:
                self.stop.before_edits(len(chunk))   # a check when due; the next one is read while this imports
                yield chunk, self._import_chunk(chunk)
            return
        with ThreadPoolExecutor(self.workers, thread_name_prefix="publish-import") as pool:
            pending: deque[tuple[list[_Job], Future]] = deque()
            stopped: StopRequested | None = None
            for chunk in chunks:
                width = 1 if lagged_within(self.site, _LAG_CALM) else self.workers
                while len(pending) >= width:
                    first, fut = pending.popleft()
                    yield first, fut.result()
                try:
                    self.stop.before_edits(len(chunk))
                except StopRequested as exc:
                    stopped = exc
                    break
                pending.append((chunk, pool.submit(self._import_chunk, chunk)))
            while pending:
                first, fut = pending.popleft()
                yield first, fut.result()
            if stopped is not None:
                raise stopped

    def _import_chunk(self, chunk: list[_Job]) -> set[str] | PywikibotError:
        # An import stores the text as given; an edit strips trailing whitespace (PHP rtrim).
        # Store what an edit would, so that later runs and editors see the same text.
        pages = [ExportPage(job.target, job.plan.text.rstrip(" \t\n\r\0\x0b"), namespace_of(job.target))
                 for job in chunk]
        try:
            return import_pages(self.site, pages, self._summary(chunk[0]))
        except PywikibotError as exc:
            return exc

    def _record_imports(self, imported: list[_Job]) -> None:
        if not imported:
            return
        # One query for the revisions, one ledger transaction, for the whole batch.
        revs = latest_revisions(self.site, [job.target for job in imported])
        saved = []
        for job in imported:
            rev = revs.get(job.target)
            if rev is None:
                self._fail(job.item.title, job.item.origin, "imported, but the wiki shows no revision for it")
                continue
            saved.append((job, Saved(job.target, rev.revid, rev.timestamp, pageid=rev.pageid)))
        if self.ledger:
            self.ledger.record_many([self._row(job, s) for job, s in saved if job.plan.record], self.run_id)
        for job, s in saved:
            self._count(job)

    def _edit(self, edits: list[_Job]) -> None:
        if not edits:
            return
        if self.workers <= 1:
            for job in edits:
                self.stop.before_edit()
                self._finish_edit(job, self._try_save(job))
            return
        with ThreadPoolExecutor(self.workers) as pool:
            pending: dict[Future, _Job] = {}
            queue = list(edits)
            while queue or pending:
                # While the wiki reports replication lag, one edit at a time: it is the load we add.
                width = 1 if lagged_within(self.site, _LAG_CALM) else self.workers
                while queue and len(pending) < width:
                    self.stop.before_edit()
                    job = queue.pop(0)
                    pending[pool.submit(self._try_save, job)] = job
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    self._finish_edit(pending.pop(fut), fut.result())

    def _summary(self, job: _Job) -> str:
        """The edit summary says what a merge did, a person's edit replaced above all."""
        notes = "; ".join(n for n in (job.note, job.plan.note) if n)
        text = f"{self.opts.summary} ({notes})" if notes else self.opts.summary
        return text if len(text) <= _SUMMARY_MAX else text[:_SUMMARY_MAX - 1] + "…"

    def _try_save(self, job: _Job) -> Saved | Exception:
        plan, cur = job.plan, job.cur
        try:
            return edit_page(self.site, job.target, plan.text, self._summary(job),
                             create=plan.action is Action.CREATE, basetimestamp=cur.timestamp,
                             baserevid=cur.revid, minor=self.opts.minor)
        except EditConflict as exc:
            return exc
        except APIError as exc:      # the wiki answered, and said no
            return exc
        except (PywikibotError, OSError, ValueError) as exc:
            # The answer was lost (a connection dropped, a truncated response): the edit may have
            # been made. Read the page back before calling it failed.
            return self._read_back(job) or exc

    def _read_back(self, job: _Job) -> Saved | None:
        try:
            rev = latest_revisions(self.site, [job.target]).get(job.target)
        except (PywikibotError, OSError, ValueError):
            return None
        if rev and rev.user == self.bot_user and rev.revid != job.cur.revid and \
                rev.sha1 == content_hash(job.plan.text):
            return Saved(job.target, rev.revid, rev.timestamp, pageid=rev.pageid)
        return None

    def _finish_edit(self, job: _Job, outcome: Saved | Exception) -> None:
        item = job.item
        if isinstance(outcome, Saved):
            if outcome.merged:
                self._crossed(job, outcome)
            else:
                self._saved(job, outcome)
        elif isinstance(outcome, EditConflict):
            self._replan(job, str(outcome))
        else:
            self._fail(item.title, item.origin, f"the wiki refused the edit: {outcome}")

    def _crossed(self, job: _Job, saved: Saved) -> None:
        """Our edit landed on a revision someone saved during the run (saved.parent), not on our base.

        MediaWiki either merged ours into theirs, or raced and saved ours over theirs. What the bot
        should have saved is the plan on their revision: when the page holds that, done; when it
        does not, the page is saved once more with it (their edit back in, ours kept); when their edit
        and ours touch the same lines, their text is put back and the page is skipped, as it would
        have been. Never two bot revisions with the same text."""
        item = job.item
        theirs = revision(self.site, saved.parent) if saved.parent else None
        if theirs is None:
            self._replan(job, "an edit made during the run", saved)
            return
        their_text, who = theirs
        current = Current(text=None, revid=saved.revid, timestamp=saved.timestamp, user=self.bot_user,
                          pageid=saved.pageid)
        should = plan_page(item, Current(their_text, saved.parent, None, who, True, saved.pageid,
                                         redirect_target(their_text)), job.entry, self.bot_user)
        now = read_current(self.site, [job.target]).get(job.target, current)
        if now.revid != saved.revid:          # a third edit since ours: plan on that, once
            self._replan(job, f"an edit by {who} made during the run", saved)
            return
        if should.action is Action.SKIP:
            restore = Plan(Action.UPDATE, their_text, record=None)
            job.plan, job.cur = restore, now
            job.note = f"restored {who}'s edit, which MediaWiki had let this bot's edit cross"
            outcome = self._try_save(job)
            reason = (f"edited by {who} during the run: {should.reason}" if isinstance(outcome, Saved) else
                      f"edited by {who} during the run and {outcome}: their edit is in revision {saved.parent}")
            self._skip(item.title, item.origin, reason)
            return
        wanted = should.text if should.action is Action.UPDATE else their_text
        job.note = "; ".join(n for n in (job.note, f"crossed an edit by {who} made during the run: "
                                                    "their edit kept") if n)
        if same_content(wanted, now.text or ""):
            self._saved(job, saved)
            return
        job.plan, job.cur = replace(should, action=Action.UPDATE, text=wanted), now
        outcome = self._try_save(job)
        if isinstance(outcome, Saved) and not outcome.merged:
            self._saved(job, outcome)
        else:
            self._skip(item.title, item.origin, f"edit conflict with {who}, then {outcome}; their edit is kept "
                                                f"in revision {saved.parent}")

    def _replan(self, job: _Job, why: str, merged: Saved | None = None) -> None:
        """Someone saved the page during the run. Plan once more on the page as it is now and save
        once more only if that changes it; a second crossing edit skips the page. The bot's own edit is
        never undone, and two bot revisions in a row never have the same text.

        `merged`: MediaWiki saved our edit merged with theirs; when the new plan finds nothing more to
        do, that revision is the bot's save."""
        item, first = job.item, job.plan
        job.cur = read_current(self.site, [job.target]).get(job.target, Current(None))
        if not self._plan_again(job):
            return
        if job.plan.action is Action.UNCHANGED:
            if merged is not None:
                job.plan = first
                job.note = "; ".join(n for n in (job.note, f"merged by MediaWiki with an edit by "
                                                            f"{self._crossing_user(job)} made during the run") if n)
                self._saved(job, Saved(job.target, job.cur.revid, job.cur.timestamp or "", pageid=job.cur.pageid))
            else:
                self._unchanged(job)
            return
        outcome = self._try_save(job)
        if isinstance(outcome, Saved):
            self._saved(job, outcome)
        else:
            self._skip(item.title, item.origin, f"edit conflict ({why}), then {outcome}; not overwritten")

    def _plan_again(self, job: _Job) -> bool:
        """Re-plan on job.cur; False when the job ended (skipped, failed, refused by the gate)."""
        try:
            job.plan = plan_page(job.item, job.cur, job.entry, self.bot_user)
        except Exception as exc:   # noqa: BLE001
            self._fail(job.item.title, job.item.origin, f"cannot build the page: {exc}")
            return False
        if job.plan.action is Action.SKIP:
            self._skip(job.item.title, job.item.origin, f"edit conflict: {job.plan.reason}")
            return False
        return job.plan.action is Action.UNCHANGED or self._admissible(job)

    def _crossing_user(self, job: _Job) -> str:
        try:
            revs = self.site.simple_request(action="query", prop="revisions", titles=job.target, rvlimit=2,
                                            rvprop="user", formatversion=2).submit()["query"]["pages"][0]
            users = [r.get("user", "someone") for r in revs.get("revisions", [])]
            return next((u for u in users if u != self.bot_user), "someone")
        except (PywikibotError, KeyError, IndexError):
            return "someone"

    # -- bookkeeping -----------------------------------------------------------------------------
    def _row(self, job: _Job, saved: Saved) -> tuple:
        text = job.item.text if job.plan.record else None
        return (job.item.title, content_hash(job.plan.text), saved.revid, saved.timestamp,
                saved.pageid or job.cur.pageid, text, job.plan.record)

    def _saved(self, job: _Job, saved: Saved) -> None:
        """Record a save in the ledger (a fix records nothing: it generated no text) and count it."""
        if self.ledger and job.plan.record and saved.revid:
            self.ledger.record_many([self._row(job, saved)], self.run_id)
        self._count(job)

    def _count(self, job: _Job) -> None:
        title = job.item.title
        if self.opts.categories and job.item.text:
            self._kept.append(job.plan.text or job.item.text)
        (self.result.created if job.plan.action is Action.CREATE else self.result.updated).append(title)
        note = "; ".join(n for n in (job.note, job.plan.note) if n)
        if note:
            self.result.notes.append({"title": title, "written_to": job.target, "note": note,
                                      "replaced": list(job.plan.replaced)})
        self.progress.advance()

    def _unchanged(self, job: _Job) -> None:
        # The ledger learns the new text as the next base when the page holds it already: a run killed
        # after a save but before its ledger write, or a page that already says what we would write.
        # A page the bot has no entry for counts as its own only when it made the current revision.
        cur, entry, plan = job.cur, job.entry, job.plan
        if self.ledger and not self.opts.simulate and plan.record and cur.revid and \
                (entry is not None or cur.user == self.bot_user):
            ours = cur.user == self.bot_user
            stale = entry is None or entry.generated != job.item.text or entry.mode != plan.record or \
                (ours and entry.revid != cur.revid) or entry.pageid != cur.pageid
            if stale:
                revid, ts = (cur.revid, cur.timestamp or "") if ours or entry is None else (entry.revid, entry.timestamp)
                self.ledger.record(job.item.title, content_hash(cur.text), revid, ts, self.run_id,
                                   pageid=cur.pageid, generated=job.item.text, mode=plan.record)
        self.result.unchanged.append(job.item.title)
        if self.opts.categories and cur.text:
            self._kept.append(cur.text)
        self.progress.advance()

    def _skip(self, title: str | None, origin: str, reason: str) -> None:
        self.result.skipped.append({"title": title, "origin": origin, "reason": reason})
        self.progress.advance()

    def _fail(self, title: str | None, origin: str, reason: str) -> None:
        self.result.failed.append({"title": title, "origin": origin, "reason": reason})
        print(f"error: {origin}{f' [{title}]' if title else ''}: {reason}", file=sys.stderr)
        self.progress.advance()

    def _show(self, job: _Job) -> None:
        """-simulate: the diff, kept in the result and printed on `out` (None: JSON carries it)."""
        item, plan = job.item, job.plan
        verb = "would create" if plan.action is Action.CREATE else "would update"
        note = "; ".join(n for n in (job.note, plan.note) if n)
        where = f" as [[{job.target}]]" if job.target != item.title else ""
        diff = diff_text(job.cur.text or "", plan.text, job.target)
        self.result.diffs.append({"title": item.title, "action": verb, "diff": diff})
        if self.out is not None:
            print(f"=== {item.title} ({verb}{where}; {item.origin}){': ' + note if note else ''}", file=self.out)
            print(diff, file=self.out)
        self._count(job)


def open_ledger(site: pywikibot.site.APISite, state: Path | None = None) -> Ledger:
    """The wiki's one ledger (raises LedgerError when the file is damaged)."""
    from bots.site.connection import state_dir

    folder = state or state_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    return Ledger(ledger_path(site, folder), site.base_url(site.apipath()))


def publish_pages(site: pywikibot.site.APISite, ledger: Ledger | None, items: list[Item], summary: str, *,
                  simulate: bool = False, minor: bool = False, out=sys.stdout) -> PublishResult:
    """Save a few bot-owned pages (a report, a status table) through the one save path."""
    opts = PublishOptions(summary=summary, simulate=simulate, minor=minor, mode="edit")
    return Publisher(site, ledger, opts, out=out).run(items, total=len(items))
