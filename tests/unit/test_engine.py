"""-engine: the option (declared once for check and harvest), the scheduler guard, and the keyed folds
of the cross-page index: exact whatever order Dask folds and combines them in, and bounded per key."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from bots.cli import ENGINE, UsageError
from bots.core.check.checker import Checker
from bots.core.check.config import CheckConfig
from bots.core.check.crossindex import _KEEP
from bots.core.check.rules.base import Finding
from bots.core.engine import Engine, check_scheduler, parse_engine
from bots.core.sources import SourcePage
from bots.core.writeguard import WriteRefused
from bots.core.wikitext.schema import load_schemas

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("raw, engine", [
    ("local", Engine("local")), ("dask", Engine("dask")),
    ("dask:tcp://127.0.0.1:8786", Engine("dask", "tcp://127.0.0.1:8786")),
    ("dask:tcp://[::1]:8786", Engine("dask", "tcp://[::1]:8786")),
])
def test_engines_parse(raw, engine):
    assert ENGINE.convert(raw) == engine


@pytest.mark.parametrize("raw", ["spark", "dask:", "dask:127.0.0.1:8786", "dask:tcp://host", "dask:tcp://h:0",
                                 "dask:tcp://h:99999", "dask:tcp://user@h:8786", "dask:tcp://h:8786/x",
                                 "dask:http://h:8786", "local:4"])
def test_bad_engines_are_usage_errors(raw):
    with pytest.raises(UsageError):
        ENGINE.convert(raw)


def test_a_scheduler_elsewhere_needs_its_host_listed():
    check_scheduler(parse_engine("dask:tcp://127.0.0.1:8786"), [])
    check_scheduler(parse_engine("dask:tcp://localhost:8786"), [])
    check_scheduler(parse_engine("dask:tcp://[::1]:8786"), [])
    for address in ("tcp://10.0.0.5:8786", "tcp://dask.example.org:8786", "tcp://127.0.0.1.nip.io:8786"):
        with pytest.raises(WriteRefused, match="GMW_ALLOW_HOSTS"):
            check_scheduler(parse_engine(f"dask:{address}"), [])
    check_scheduler(parse_engine("dask:tcp://dask.example.org:8786"), ["dask.example.org"])
    with pytest.raises(WriteRefused):
        check_scheduler(parse_engine("dask:tcp://dask.example.org:8786"), ["other.example.org"])


@pytest.mark.parametrize("bot", ["check", "harvest"])
def test_both_bots_take_the_engine_and_refuse_a_scheduler_elsewhere(bot, tmp_path):
    (tmp_path / "A.wikitext").write_text("{{Universe|Earth-1389}}\nText.\n")
    env = {"PATH": "/usr/bin:/bin", "GMW_ALLOW_HOSTS": ""}
    res = subprocess.run([sys.executable, "-m", f"bots.{bot}", f"-source:{tmp_path}",
                          "-engine:dask:tcp://192.0.2.7:8786"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 2 and "refusing the Dask scheduler tcp://192.0.2.7:8786" in res.stderr, res.stderr
    res = subprocess.run([sys.executable, "-m", f"bots.{bot}", "-help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert "-engine:local|dask|dask:tcp://HOST:PORT" in res.stdout


def test_a_scheduler_that_does_not_answer_is_one_line_and_exit_6(tmp_path):
    (tmp_path / "A.wikitext").write_text("{{Universe|Earth-1389}}\nText.\n")
    env = {"PATH": "/usr/bin:/bin"}
    res = subprocess.run([sys.executable, "-m", "bots.check", f"-source:{tmp_path}",
                          "-engine:dask:tcp://127.0.0.1:9"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 6 and "the Dask scheduler at tcp://127.0.0.1:9 cannot be reached" in res.stderr, \
        res.stderr[-2000:]
    assert "Traceback" not in res.stderr


def _pages(rng: random.Random, n: int) -> list[SourcePage]:
    """One universe, few base titles and few name/date keys: big overlapping duplicate groups."""
    pages = []
    for i in range(n):
        base = f"Battle {rng.randint(0, 3)}"
        title = base if rng.random() < 0.2 else f"{base} (Earth-{rng.randint(1, 400)})"
        name = rng.choice(["Siege", "Siege", "Raid", None])
        box = f"{{{{Infobox historical event\n| name = {name}\n| date = 1 May 1400\n}}}}\n" if name else ""
        pages.append(SourcePage(title, "{{Universe|Earth-1389}}\n" + box + f"Text [[Battle {i % 5}]].\n", f"x:{i}"))
    return pages


# -- the partitioned join, as Dask shuffles it: records grouped by their partition, in any order ----
def _shuffle(records, rng):
    """Bag.groupby's shape: (key, payload) records to {key: [payload, ...]}, the payloads in any order."""
    records = list(records)
    rng.shuffle(records)
    out: dict = {}
    for key, payload in records:
        out.setdefault(key, []).append(payload)
    return out


def _linked_pages(rng: random.Random, n: int) -> list[SourcePage]:
    """_pages, and links between them: to a redirect (dated, of another universe), to a hub every page
    links to, to missing pages; and titles given twice."""
    pages = _pages(rng, n)
    pages.append(SourcePage("Hub", "{{Universe|Earth-1263}}\nThe hub, on 3 March 1300.\n", "x:hub"))
    pages.append(SourcePage("Old battle", "#REDIRECT [[Battle 2]]\n", "x:redirect"))
    pages.append(SourcePage("Battle 2", "{{Universe|Earth-1389}}\nBattle 2 was on 1 May 1400.\n", "x:b2"))
    out = []
    for i, p in enumerate(pages):
        links = f"\nSee [[Hub]], and the [[Old battle]] of {rng.randint(1, 28)} May 1400."
        if i % 7 == 0:
            links += f" Also [[Missing {i % 3}]]."
        out.append(SourcePage(p.title, p.text + links + "\n", p.origin))
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_the_partitioned_join_gives_the_broadcast_table_s_lookups_and_the_local_findings(seed):
    from bots.core.check.crossindex import (Assembly, Entry, PieceResult, finish_piece, join_lookups,
                                            lookups, pack_bundle, unpack)
    rng = random.Random(seed)
    schemas, config = load_schemas(), CheckConfig()
    pages = _linked_pages(rng, 300)
    local = Checker(config, schemas)
    seen = set()
    for p in pages:
        if p.title in seen:                         # offline_pages: a title's first place only
            local.add_error(f"dup {p.title}")
            continue
        seen.add(p.title)
        local.add_page(p.title, p.text)
    expected = local.finish()
    rules = set(local.crosspage_rules)

    checker = Checker(config, schemas)
    size = rng.randint(10, 80)
    results = []
    for n, start in enumerate(range(0, len(pages), size)):
        outcomes = [checker.check_page(p.title, p.text) for p in pages[start:start + size]]
        entries = [Entry((n, i), o.title, o.title, pages[start + i].origin, o) for i, o in enumerate(outcomes)]
        results.append(PieceResult.of(n, entries))
    assert all(e.outcome.summary is None for r in results for e in r.entries)      # the client's part: lean
    assembly = Assembly(Checker(config, schemas))
    for r in results:                               # as the pieces come, in order
        assembly.add(r.entries)
    repeated = assembly.repeated
    parts = rng.randint(1, 9)
    first_round = _shuffle((rec for r in results for rec in lookups(r.piece, unpack(r.pages), repeated, parts)), rng)

    def join(bundles, follow):
        return join_lookups([pack_bundle(b) for b in bundles], parts, follow)
    out1 = [o for n, bundles in first_round.items() for o in join(bundles, True)]
    second_round = _shuffle(((n, b) for kind, n, b in out1 if kind == "part"), rng)
    out2 = [o for n, bundles in second_round.items() for o in join(bundles, False)]
    answers = _shuffle(((p, a) for kind, p, a in out1 + out2 if kind == "piece"), rng)
    assert all(kind == "piece" for kind, _, _ in out2)                  # one hop, as MediaWiki follows

    # what each piece got: exactly the summaries the broadcast table gives for what it links to
    table = local.index.pages
    for r in results:
        own = [s for seq, s in unpack(r.pages) if seq not in repeated]
        wanted = {t for s in own for t in [*(t for t, _ in s.links), *(d.target for d in s.dated_links)]}
        wanted |= {table[t].redirect for t in wanted if t in table and table[t].redirect in table}
        got = {t: s for a in answers.get(r.piece, []) for t, s in a.pages.items()}
        assert set(got) == {t for t in wanted if t in table}
        assert all((got[t].universe, got[t].own_dates, got[t].redirect) ==
                   (table[t].universe, table[t].own_dates, table[t].redirect) for t in got)
        assert all(not s.links and not s.dated_links for s in got.values())     # lean: no links travel
    hub = [a for r in results for a in answers.get(r.piece, []) if "Hub" in a.pages]
    assert len(hub) == len(results)                        # the hub: one answer a piece, not one a link
    folds = [g for ps in answers.values() for a in ps for g in a.groups.values()]
    assert max(len(g[1]) for g in folds) <= _KEEP                 # a group's fold is bounded, however big
    assert max(g[0] for g in folds) > 50                          # ... the group is

    crosspage = {}
    for r in results:
        for seq, found, universe in finish_piece(unpack(r.pages), answers.get(r.piece, []), repeated, rules):
            crosspage[seq] = (found, universe)
    result = assembly.finish(crosspage)

    def rows(findings: list[Finding]):
        return [(f.page, f.line, f.rule, f.message) for f in findings]
    assert rows(result.findings) == rows(expected.findings)
    assert {"cross-universe-link", "link-to-missing-page", "cross-page-date-conflict", "duplicate-event"} <= \
        {f.rule for f in result.findings}
    assert any(f.rule == "duplicate-event" and "more in" in f.message for f in result.findings)
    assert any("[[Old battle]]" in f.message for f in result.findings if f.rule == "cross-page-date-conflict") \
        or any("[[Battle 2]]" in f.message for f in result.findings if f.rule == "cross-page-date-conflict")
    assert len(result.errors) == len(expected.errors) > 0
    assert result.universes == expected.universes


def test_the_join_holds_no_fold_for_a_group_of_one_member():
    # Nearly every duplicate-event group has one member: the join folds only the groups that have
    # more, so its memory is what the titles and their summaries take (one partition of the Dask join).
    import tracemalloc

    from bots.core.check.crossindex import join_lookups, lookups, pack_bundle
    from bots.core.check.rules.crosspage import PageSummary

    def summary(i: int, name: int) -> PageSummary:
        return PageSummary(f"Event {i} (Earth-1389)", "Earth-1389", True, name_key=f"the battle of place {name}",
                           date_key=f"13{name % 100:02d}-05-{name % 28 + 1:02d}")

    pieces = [[((p, i), summary(p * 500 + i, p * 500 + i)) for i in range(500)] for p in range(12)]
    pieces[2][5] = ((2, 5), summary(1005, 7))        # the same name and date as piece 0's page 7
    blobs = [pack_bundle(b) for p, pages in enumerate(pieces) for _, b in lookups(p, pages, frozenset(), 1)]
    tracemalloc.start()
    out = join_lookups(blobs, 1, True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    groups = {n: a.groups for kind, n, a in out if kind == "piece" and a.groups}
    assert set(groups) == {0, 2} and all(fold[0] == 2 for g in groups.values() for fold in g.values())
    assert peak / 6000 < 1200, f"{peak / 6000:.0f} bytes a page"   # 2,264 when every group was folded


def test_the_join_reads_each_bundle_once_and_only_the_folds_again(monkeypatch):
    # A bundle's facts and asks are most of what it costs to read: the second pass, which keeps the
    # folds of the groups of more than one member, reads only the folds.
    import pickle

    from bots.core.check import crossindex
    from bots.core.check.crossindex import join_lookups, lookups, pack_bundle
    from bots.core.check.rules.crosspage import PageSummary

    pieces = [[((p, i), PageSummary(f"Event {p}-{i}", "Earth-1389", True, name_key="the battle", date_key="1389"))
               for i in range(20)] for p in range(3)]
    blobs = [pack_bundle(b) for p, pages in enumerate(pieces) for _, b in lookups(p, pages, frozenset(), 1)]
    reads: dict[bytes, int] = {}
    real = crossindex.unpack

    def counting(blob: bytes):
        reads[blob] = reads.get(blob, 0) + 1
        return real(blob)
    monkeypatch.setattr(crossindex, "unpack", counting)
    out = join_lookups(blobs, 1, True)
    assert {fold[0] for kind, _, a in out if kind == "piece" for fold in a.groups.values()} == {60}
    for blob in blobs:
        main, folds = pickle.loads(blob)
        assert (reads.get(main), reads.get(folds)) == (1, 1)


def test_every_title_and_group_key_has_a_partition():
    from bots.core.check.crossindex import part_of

    for key in ("Event 1", "Événement \ud800 (Earth-1389)", ("title", "Earth-1389", "Event 1"),
                ("name", "E", ("a", "b"))):
        assert part_of(key, 7) == part_of(key, 7) and 0 <= part_of(key, 7) < 7
