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
from bots.core.check.crossindex import (_KEEP, Entry, assemble, earlier, group_add, group_facts,
                                        group_merge, page_results, title_fact, title_table)
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


# -- the folds, as Dask may run them: any split into parts, any order of combining ----------------
def _fold(items, binop, combine, rng):
    """foldby's shape: fold each part from None, then combine the parts' values in a random tree."""
    items = list(items)
    rng.shuffle(items)
    cuts = sorted(rng.sample(range(1, len(items)), min(len(items) - 1, rng.randint(1, 8)))) if len(items) > 1 else []
    parts, last = [], 0
    for cut in [*cuts, len(items)]:
        acc = {}
        for key, value in items[last:cut]:
            acc[key] = binop(acc.get(key), (key, value))
        parts.append(acc)
        last = cut
    while len(parts) > 1:
        rng.shuffle(parts)
        a, b = parts.pop(), parts.pop()
        for key, value in b.items():
            a[key] = combine(a.get(key), value)
        parts.append(a)
    return parts[0]


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


@pytest.mark.parametrize("seed", range(6))
def test_the_folds_give_the_local_findings_whatever_the_order(seed):
    rng = random.Random(seed)
    schemas = load_schemas()
    config = CheckConfig()
    pages = _pages(rng, 300)
    local = Checker(config, schemas)
    for p in pages:
        key = p.title
        if key in local.titles:      # offline_pages: a title's first place only
            local.add_error(f"dup {key}")
            continue
        local.add_page(p.title, p.text)
    expected = local.finish()

    checker = Checker(config, schemas)
    size = rng.randint(10, 80)
    pieces = [pages[i:i + size] for i in range(0, len(pages), size)]
    # the pages are checked in-process here: the budget workers are tested in test_budget
    entries = []
    for n, piece in enumerate(pieces):
        outcomes = iter([checker.check_page(p.title, p.text) for p in piece])
        entries.append([Entry((n, i), p.title, p.title, p.origin, next(outcomes)) for i, p in enumerate(piece)])
    flat = [e for part in entries for e in part]
    titles = _fold(((e.key, title_fact(e)) for e in flat), lambda acc, kv: earlier(acc, kv[1]), earlier, rng)
    table = title_table(titles.items())
    groups = _fold(group_facts(flat, table), group_add, group_merge, rng)
    assert max(len(g[1]) for g in groups.values()) <= _KEEP       # bounded, however big
    assert max(g[0] for g in groups.values()) > 50                               # ... the group is
    groups = {k: v for k, v in groups.items() if v[0] > 1}
    outs = [o for part in entries for o in page_results(part, table, groups, set(checker.crosspage_rules))]
    result = assemble(Checker(config, schemas), outs)

    def rows(findings: list[Finding]):
        return [(f.page, f.line, f.rule, f.message) for f in findings]
    assert rows(result.findings) == rows(expected.findings)
    assert any(f.rule == "duplicate-event" and "more in" in f.message for f in result.findings)
    assert len(result.errors) == len(expected.errors)
