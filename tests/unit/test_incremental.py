"""The incremental check's core (bots.core.check.incremental + state): a run over the changed pages,
merged into the stored state, gives the result of a full check of the wiki as it now is; it reads
and writes only the rows of the pages it can affect; a run killed while saving keeps the old state."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bots.core.check.checker import Checker
from bots.core.check.config import CheckConfig
from bots.core.check.incremental import apply_changes, full_rows
from bots.core.check.state import open_state, save_full
from bots.core.wikitext.schema import load_schemas

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
CONFIG = CheckConfig().with_exceptions([("link-to-missing-page", "Event 41", 3)])
GROUPS = {"crosspage", "markup"}
WIKI, SCOPE = "http://127.0.0.1/api.php", "(all content pages)"
BOX = "{{{{Universe|Earth-5}}}}\n{{{{Infobox historical event|name={name}|date={day} May 1500}}}}\n"


def wiki(n: int) -> dict[str, str]:
    """Events linking back (dated), to half their number (dated by year) and forward; a few copies
    (the same event by name and date), one by base title, a redirect with a dated link to it."""
    pages = {}
    for i in range(n):
        pages[f"Event {i}"] = (BOX.format(name=f"Event {i}", day=i % 28 + 1)
                               + f"'''Event {i}''' followed the [[Event {max(i - 1, 0)}]] of {max(i - 1, 0) % 28 + 1}"
                               f" May 1500 and the [[Event {i // 2}]] in 1500, before [[Event {(i + 1) % n}]].\n")
    for i in range(0, n, 50):
        pages[f"Copy {i}"] = BOX.format(name=f"Event {i}", day=i % 28 + 1) + "Another page.</br>\n"
    pages["Event 3 (Earth-5)"] = "{{Universe|Earth-5}}\nThe same, by its title.\n"
    pages["Alias 5"] = "#REDIRECT [[Event 5]]\n"
    pages["Via alias"] = "{{Universe|Earth-5}}\nIt followed the [[Alias 5]] of 6 May 1500.\n"
    return pages


def full(pages: dict[str, str], path: Path | None = None):
    """A full check, pages read in title order (as the wiki lists them); its state saved at `path`."""
    checker = Checker(CONFIG, SCHEMAS, set(pages), groups=GROUPS)
    for n, title in enumerate(sorted(pages)):
        checker.note_revision(n + 1)
        checker.add_page(title, pages[title])
    result = checker.finish()
    if path is not None:
        rows, links = full_rows(checker)
        save_full(path, WIKI, SCOPE, CONFIG, "2026-01-01T00:00:00Z", rows, links, set(pages), checker.revisions)
    return result


def since(path: Path, before: dict[str, str], after: dict[str, str], step=None):
    """The incremental run over what differs between `before` and `after`: (result, store)."""
    store = open_state(path, WIKI, SCOPE, CONFIG)
    assert store is not None
    changed = {t for t in before.keys() | after.keys() if before.get(t) != after.get(t)}
    checker = Checker(CONFIG, SCHEMAS, groups=GROUPS)
    outcomes = [checker.check_page(t, after[t]) for t in sorted(changed) if t in after]
    gone = {t for t in changed if t not in after}
    result = apply_changes(store, checker, outcomes, gone, {t: t in after for t in changed},
                           "2026-01-02T00:00:00Z", step)
    return result, store


def same(a, b) -> None:
    assert [f.as_dict() for f in a.findings] == [f.as_dict() for f in b.findings]
    assert (a.pages, a.edits, a.universes) == (b.pages, b.edits, b.universes)


def edited(pages: dict[str, str]) -> dict[str, str]:
    after = dict(pages)
    after["Event 10"] = after["Event 10"].replace("date=11 May", "date=20 May")    # Event 11 dates it 11 May
    del after["Event 20"]                          # Event 21, 40 and 41 link to it
    after["Copy 30"] = BOX.format(name="Event 30", day=3) + "A new copy.\n"           # joins Event 30
    after["Copy 50"] = after["Copy 50"].replace("name=Event 50", "name=Event 51")    # leaves Event 50's group
    after["Event 5"] = after["Event 5"].replace("date=6 May", "date=9 May")          # Via alias dates it 6 May
    after["Event 7"] = "#REDIRECT [[Event 8]]\n"
    after["Event 60"] = after["Event 60"].replace("Earth-5", "Earth-6")              # 59, 61, 120, 121 link to it
    after["Event 3 (Earth-5)"] = "{{Universe|Earth-5}}\nNo longer a duplicate by title? It is.\n"
    return after


def test_the_incremental_result_is_a_full_check_of_the_wiki_as_it_now_is(tmp_path):
    before = wiki(200)
    path = tmp_path / "state.sqlite"
    first = full(before, path)
    assert any(f.rule == "duplicate-event" for f in first.findings)
    after = edited(before)
    result, _store = since(path, before, after)
    now = full(after)
    same(result, now)
    found = {(f.page, f.rule) for f in result.findings}
    # A changed page gives findings on other pages, which were not changed.
    assert ("Event 11", "cross-page-date-conflict") in found
    assert ("Event 21", "link-to-missing-page") in found and ("Event 40", "link-to-missing-page") in found
    assert ("Via alias", "cross-page-date-conflict") in found
    assert ("Event 59", "cross-universe-link") in found
    assert ("Event 30", "duplicate-event") in found and ("Event 50", "duplicate-event") not in found
    assert ("Event 41", "link-to-missing-page") not in found          # an accepted exception, still used
    # And a second round on top of the first one's state.
    again = dict(after)
    again["Event 20"] = before["Event 20"]
    again["Event 11"] = again["Event 11"].replace("[[Event 10]] of 11 May", "[[Event 10]] of 20 May")
    result2, _store = since(path, after, again)
    same(result2, full(again))
    # The state's link and existence tables are those a full run of the wiki as it is would save.
    fresh = tmp_path / "fresh.sqlite"
    full(again, fresh)
    assert _tables(path) == _tables(fresh)


def _tables(path: Path) -> tuple:
    with sqlite3.connect(path) as db:
        return (db.execute("SELECT target, source FROM link ORDER BY target, source").fetchall(),
                db.execute("SELECT title FROM existing ORDER BY title").fetchall(),
                db.execute("SELECT title, redirect, key_title, key_name FROM page ORDER BY title").fetchall())


def test_a_changed_page_that_breaks_another_pages_link_gives_that_pages_finding(tmp_path):
    before = wiki(60)
    path = tmp_path / "state.sqlite"
    assert ("Event 33", "link-to-missing-page") not in {(f.page, f.rule) for f in full(before, path).findings}
    after = dict(before)
    del after["Event 34"]           # Event 33 links forward to it, Event 35 back
    result, _store = since(path, before, after)
    found = [(f.page, f.rule, f.message) for f in result.findings if f.rule == "link-to-missing-page"]
    assert ("Event 33", "link-to-missing-page", "[[Event 34]] does not exist") in found
    assert ("Event 35", "link-to-missing-page", "[[Event 34]] does not exist") in found


def test_an_incremental_run_reads_and_writes_only_the_rows_it_can_affect(tmp_path):
    before = wiki(3000)
    path = tmp_path / "state.sqlite"
    full(before, path)
    after = dict(before)
    after["Event 1500"] = after["Event 1500"].replace("date=17 May", "date=18 May")
    result, store = since(path, before, after)
    same(result, full(after))
    # Read: Event 1500 itself, the pages linking to it (1499, 1501, 3000, 3001) and those it links
    # to (1499, 750, 1501), and the rows with something to report (the result lists them all).
    with sqlite3.connect(path) as db:
        reported = db.execute("SELECT count(*) FROM page WHERE flagged = 1").fetchone()[0]
    assert reported < 150
    assert store.rows_read - reported <= 12, (store.rows_read, reported)
    assert store.rows_written <= 3, store.rows_written     # Event 1500 and the page dating it wrongly now


def _rows(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT * FROM page ORDER BY title").fetchall() + \
            db.execute("SELECT * FROM meta ORDER BY key").fetchall()


CHILD = """
import os, sys
from pathlib import Path
from tests.unit import test_incremental as t
calls = []
def step():
    calls.append(1)
    if len(calls) == int(sys.argv[2]):
        os._exit(9)          # killed in the middle of the save
before = t.wiki(200)
t.since(Path(sys.argv[1]), before, t.edited(before), step)
"""


@pytest.mark.parametrize("at", [1, 4, 9])
def test_a_run_killed_while_saving_leaves_the_old_state(tmp_path, at):
    before = wiki(200)
    path = tmp_path / "state.sqlite"
    full(before, path)
    old = _rows(path)
    res = subprocess.run([sys.executable, "-c", CHILD, str(path), str(at)], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 9, res.stderr[-3000:]
    assert _rows(path) == old
    store = open_state(path, WIKI, SCOPE, CONFIG)
    assert store is not None and store.started == "2026-01-01T00:00:00Z"
    store.close()
    result, _store = since(path, before, edited(before))      # and the next run starts from it
    same(result, full(edited(before)))


def test_a_full_run_killed_while_saving_leaves_the_old_state(tmp_path, monkeypatch):
    before = wiki(60)
    path = tmp_path / "state.sqlite"
    full(before, path)
    old = _rows(path)

    def broken():
        yield from []
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        save_full(path, WIKI, SCOPE, CONFIG, "2026-02-01T00:00:00Z", broken(), {}, (), None)
    assert _rows(path) == old


def test_a_damaged_or_foreign_state_is_not_used(tmp_path):
    path = tmp_path / "state.sqlite"
    full(wiki(20), path)
    assert open_state(path, WIKI, "-cat:Other", CONFIG) is None
    assert open_state(path, WIKI, SCOPE, CheckConfig()) is None           # other exceptions
    path.write_bytes(b"not a database" * 100)
    assert open_state(path, WIKI, SCOPE, CONFIG) is None


def test_a_summary_pickles_whole():
    """PageSummary and DatedLink pickle as tuples of their fields (fast): every field must be in it."""
    import dataclasses
    import pickle

    from bots.core.check.rules.base import PageView
    from bots.core.check.rules.crosspage import PageSummary, summarize
    from bots.core.wikitext.datedlinks import DatedLink
    text = "{{Universe|Earth-1}}\n{{Infobox historical event|name=X|universe=Earth-2|date=3 May 1500}}\n" \
           "It followed the [[Y]] of 2 May 1500.\n"
    summary = summarize(PageView("X", text), SCHEMAS)
    assert summary.conflict and summary.dated_links and summary.own_dates and summary.name_key
    assert pickle.loads(pickle.dumps(summary)) == summary
    for cls, value in ((PageSummary, summary), (DatedLink, summary.dated_links[0])):
        assert cls.__reduce__(value)[1] == tuple(getattr(value, f.name) for f in dataclasses.fields(cls))
