"""`check -since:last-run` (site layer): check what changed since the last run, merge into its result.

The pages changed since the last successful run of the same scope are read from recent changes
(edits, new pages, imports, moves, deletions) and checked again; bots.core.check.incremental
recomputes the cross-page findings they can affect (the pages linking to them, their duplicate-event
groups) and saves the rows that changed. The result equals a full check, at the cost of what
changed: nothing here lists or loads the whole wiki, except the scope's listing of a scoped run.
"""
from __future__ import annotations

import sys

import pywikibot

from bots.core.check.checker import Checker, CheckResult
from bots.core.check.incremental import apply_changes, full_rows
from bots.core.check.state import open_state, save_full, state_path
from bots.core.check.parallel import PageWorkers
from bots.core.gcpause import gc_paused
from bots.site.read import page_generator, read_as_now, read_texts

__all__ = ["run_since", "scope_of", "save_full_run", "changed_since"]


def scope_of(gen_args: list[str]) -> str:
    return " ".join(sorted(gen_args)) or "(all content pages)"


def _scope_titles(site, gen_args: list[str]) -> set[str] | None:
    """The titles the scope covers now (no text is read, only the listing); None: all content pages."""
    gen = page_generator(site, gen_args) if gen_args else None
    return None if gen is None else {p.title() for p in gen}


def changed_since(site, since: str) -> set[str]:
    """Main-namespace titles edited, created, imported, moved or deleted since `since`."""
    out: set[str] = set()
    end = pywikibot.Timestamp.fromISOformat(since)
    for rc in site.recentchanges(end=end, namespaces=[0]):
        if rc.get("title"):
            out.add(rc["title"])
        target = (rc.get("logparams") or {}).get("target_title")
        if target:
            out.add(target)
    return out


def _state_file(site, gen_args):
    from bots.site.connection import state_dir
    wiki = site.base_url(site.apipath())
    return state_path(state_dir(site), wiki, scope_of(gen_args)), wiki


def save_full_run(site, gen_args, config, checker: Checker, started: str) -> None:
    path, wiki = _state_file(site, gen_args)
    # A row a page, in a process that holds every page's summary: the collector's passes over that
    # heap took a fifth of the save (10,000 pages), and the rows make no reference cycles.
    with gc_paused():
        rows, links = full_rows(checker)
        save_full(path, wiki, scope_of(gen_args), config, started, rows, links, checker.existing_titles or (),
                  checker.revisions)


def run_since(site, gen_args: list[str], config, schemas, started: str, processes: int = 1) -> CheckResult | None:
    """The merged result, or None when there is no usable last run (the caller then runs in full).
    `started`: the wiki's time before anything was read, where the next run starts from."""
    path, wiki = _state_file(site, gen_args)
    store = open_state(path, wiki, scope_of(gen_args), config)
    if store is None:
        print("note: no earlier run of this check to start from: checking everything", file=sys.stderr)
        return None
    try:
        return _since(site, store, gen_args, config, schemas, started, processes)
    finally:
        store.close()


def _since(site, store, gen_args, config, schemas, started, processes) -> CheckResult:
    checker = Checker(config, schemas)
    # The workers get ready (fork, compile) while the wiki answers the reads below.
    with PageWorkers(checker, processes, warm=True) as workers:
        return _changes(site, store, gen_args, checker, workers, started)


def _changes(site, store, gen_args, checker: Checker, workers: PageWorkers, started) -> CheckResult:
    changed = changed_since(site, store.started)
    in_scope = _scope_titles(site, gen_args)
    # What a full run would read again: in all content pages, the changed pages that exist and are
    # no redirect; in a scope's listing, what changed in it, or joined it unchanged (a category added
    # by a template).
    known = None if in_scope is None else store.titles()
    scoped = None if in_scope is None else (changed & in_scope) | (in_scope - known)
    existence = {t: False for t in changed}
    articles = set()
    found = set()

    def texts():
        # The changed pages as they are now, 50 a request: whether they exist, and their text, in one
        # request (no listing of the whole wiki). The rest of a scope's pages come after them.
        for title, exists, redirect, page in read_as_now(site, sorted(changed)):
            existence[title] = exists
            if exists and not redirect:
                articles.add(title)
                if page is not None and (scoped is None or title in scoped):
                    yield page
        if scoped is not None:
            yield from read_texts(site, sorted(scoped - found))

    def checked():
        for page in texts():
            found.add(page.title)
            checker.note_revision(page.revid)
            yield page.title, page.text

    outcomes = list(workers.outcomes(checked()))   # each page within its budget
    if scoped is None:
        reread, gone = changed & articles, changed - articles
    else:
        reread, gone = scoped, {t for t in known | changed if t not in in_scope}
    gone |= reread - found       # deleted since
    since = store.started
    result = apply_changes(store, checker, outcomes, gone, existence, started)
    print(f"since {since}: {len(found)} changed pages checked again, {store.rows_read} rows of the "
          f"state read, {store.rows_written} written, {len(gone)} gone; {result.pages} pages in the result",
          file=sys.stderr)
    return result
