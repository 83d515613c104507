"""`check -since:last-run` (site layer): check what changed since the last run, merge into its result.

The pages changed since the last successful run of the same scope are read from recent changes
(edits, new pages, imports, moves, deletions). They are checked again; the pages that link to them
are compared again through the universe index (their own text has not changed, so their page
findings stand); every cross-page rule is recomputed over the whole index, which is cheap. The
result equals a full check, at the cost of what changed.
"""
from __future__ import annotations

import sys

import pywikibot

from bots.core.check.checker import Checker, CheckResult
from bots.core.check.state import CheckState, config_fingerprint, load_state, save_state, state_path
from bots.core.check.parallel import check_outcomes
from bots.site.read import page_generator, read_texts

__all__ = ["run_since", "scope_of", "save_full_run", "changed_since"]


def scope_of(gen_args: list[str]) -> str:
    return " ".join(sorted(gen_args)) or "(all content pages)"


def _scope_titles(site, gen_args: list[str], existing: set[str]) -> set[str]:
    """The titles the scope covers now: no text is read, only the listing."""
    if not gen_args:
        return set(existing)
    gen = page_generator(site, gen_args)
    return {p.title() for p in gen} if gen else set(existing)


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
    save_state(path, CheckState(wiki, scope_of(gen_args), config_fingerprint(config), started, checker.state(),
                                frozenset(checker.existing_titles or ())))


def run_since(site, gen_args: list[str], config, schemas, processes: int = 1) -> CheckResult | None:
    """The merged result, or None when there is no usable last run (the caller then runs in full)."""
    path, wiki = _state_file(site, gen_args)
    state = load_state(path, wiki, scope_of(gen_args), config)
    if state is None:
        print("note: no earlier run of this check to start from: checking everything", file=sys.stderr)
        return None
    started = site.server_time().isoformat()
    changed = changed_since(site, state.started)
    # Which pages exist: the last run's list, brought up to date by what changed (no listing).
    existing = set(state.existing)
    if changed:
        for page in site.preloadpages([pywikibot.Page(site, t) for t in changed], content=False, quiet=True):
            (existing.add if page.exists() else existing.discard)(page.title())
    in_scope = _scope_titles(site, gen_args, existing)
    checker = Checker(config, schemas, existing)
    checker.restore(state.data)
    known = set(checker.titles)
    gone = {t for t in changed | known if t not in in_scope}
    for title in gone:
        checker.forget(title)
    reread = sorted((changed & in_scope))
    dependents = {s.title for s in checker.index.pages.values()
                  if s.title not in changed and any(t in changed for t, _line in s.links)}
    found = set()

    def texts():
        for page in read_texts(site, reread):
            found.add(page.title)
            checker.note_revision(page.revid)
            yield page.title, page.text

    for outcome in check_outcomes(checker, texts(), processes):   # each page within its budget
        checker.add_outcome(outcome)
    for title in set(reread) - found:       # deleted since
        checker.forget(title)
    result = checker.finish()
    print(f"since {state.started}: {len(reread)} changed pages checked again, {len(dependents)} pages that "
          f"link to them compared again, {len(gone)} gone; {result.pages} pages in the result", file=sys.stderr)
    save_state(path, CheckState(wiki, scope_of(gen_args), config_fingerprint(config), started, checker.state(),
                                frozenset(existing)))
    return result
