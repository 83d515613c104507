"""The page budget: work in worker processes that are replaced when they overrun, and the pre-scan
that recognises the shapes mwparserfromhell tokenizes in quadratic time (its issue #364)."""
from __future__ import annotations

import os
import time
from pathlib import Path

import mwparserfromhell
import pytest

from bots.core.budget import Budget, BudgetPool, Failed, OverBudget, run_budgeted
from bots.core.prescan import REFUSE_FACTOR, estimate, refuse
from tests.hostile import SLOW_UNSEEN
from tests.processes import children

ROOT = Path(__file__).resolve().parents[2]
SMALL = Budget(cpu_seconds=0.5, memory_mb=128)
# Table rows with "<" in a cell: quadratic for mwparserfromhell, though every construct is closed (a
# real page of the sweble corpus has this shape: 64 KB take 6 s). The pre-scan does not price it:
# only the budget itself can stop it.
UNSEEN = SLOW_UNSEEN[: len("|-\n| <2 Kb\n| 0,5\n") * 1600]


def _work(item):
    kind, arg = item
    if kind == "parse":                     # time spent inside the C tokenizer
        return len(mwparserfromhell.parse(arg, skip_style_tags=True).nodes)
    if kind == "alloc":
        return len(bytearray(arg * 2**20))
    if kind == "exit":
        os._exit(arg)
    if kind == "raise":
        raise ValueError(arg)
    return arg


def test_unseen_shape_is_slow_and_passes_the_prescan():
    # The premise of the next tests: this text is slow to tokenize and the pre-scan lets it through.
    assert refuse(UNSEEN, SMALL) is None
    start = time.process_time()
    mwparserfromhell.parse(UNSEEN[:8000], skip_style_tags=True)
    assert time.process_time() - start > 0.3


def test_a_page_over_the_cpu_budget_is_stopped_inside_the_tokenizer_and_the_rest_goes_on():
    items = [("value", i) for i in range(30)]
    items[7] = ("parse", UNSEEN)
    start = time.monotonic()
    with BudgetPool(_work, SMALL, processes=2, chunksize=4) as pool:
        results = list(pool.map(items))
        assert pool.replaced == 1
    took = time.monotonic() - start
    over = results[7]
    assert isinstance(over, OverBudget) and over.kind == "cpu"
    assert over.cpu_seconds >= SMALL.cpu_seconds
    assert "0.5 s of CPU" in over.message() and "parsing was stopped after" in over.message()
    assert [r for i, r in enumerate(results) if i != 7] == [i for i in range(30) if i != 7]
    assert took < 20          # far less than the text's parse (minutes): the worker was killed


def test_memory_over_the_budget_is_refused_and_the_worker_replaced():
    with BudgetPool(_work, SMALL, processes=1, chunksize=3) as pool:
        results = list(pool.map([("value", 1), ("alloc", 400), ("value", 3), ("alloc", 10), ("value", 5)]))
        assert pool.replaced == 1
    assert results[0] == 1 and results[2] == 3 and results[3] == 10 * 2**20 and results[4] == 5
    assert isinstance(results[1], OverBudget) and results[1].kind == "memory"
    assert "128 MB" in results[1].message()


def test_a_dying_worker_or_a_raising_item_is_reported_in_place():
    with BudgetPool(_work, SMALL, processes=2, chunksize=2) as pool:
        results = list(pool.map([("value", 0), ("exit", 9), ("value", 2), ("raise", "boom"), ("value", 4)]))
    assert results[0] == 0 and results[2] == 2 and results[4] == 4
    assert isinstance(results[1], OverBudget) and results[1].kind == "crashed" and "exit 9" in results[1].detail
    assert results[3] == Failed("ValueError: boom")


def test_results_come_in_order_and_the_pool_serves_single_calls():
    with BudgetPool(_work, SMALL, processes=3, chunksize=5) as pool:
        assert list(pool.map(("value", i) for i in range(200))) == list(range(200))
        assert pool.run(("value", "one")) == "one"
        assert isinstance(pool.run(("parse", UNSEEN)), OverBudget)
        assert pool.run(("value", "after")) == "after"
    assert run_budgeted(_work, ("value", 42), SMALL) == 42


def test_an_error_of_the_input_is_raised_after_the_items_before_it():
    def items():
        yield ("value", 1)
        yield ("value", 2)
        raise ConnectionError("gone")

    got = []
    with BudgetPool(_work, SMALL) as pool, pytest.raises(ConnectionError):
        for r in pool.map(items()):
            got.append(r)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_leaves_no_late_answers():
    with BudgetPool(_work, SMALL, processes=2, chunksize=2) as pool:
        for r in pool.map(("value", i) for i in range(50)):
            if r == 3:
                break
        assert list(pool.map([("value", "x"), ("value", "y")])) == ["x", "y"]


# -- the pre-scan ---------------------------------------------------------------------------------
KNOWN = ["{{a|", "[[a|{{b|", "{{{a|", "{{a|\n", "[[a|", "<span a=", "{|\n|-\n|a\n", "x<y ", "{{a|b="]


@pytest.mark.parametrize("shape", KNOWN)
def test_known_shapes_at_64_kb_are_refused_without_parsing(shape):
    text = shape * (65536 // len(shape))
    start = time.process_time()
    found = refuse(text, Budget())
    assert time.process_time() - start < 1.0
    assert found is not None and found.kind == "shape"
    assert "opened and never closed" in found.detail and "issue #364" in found.detail


@pytest.mark.parametrize("shape", KNOWN[:4])
def test_the_estimate_follows_the_real_cost(shape):
    text = shape * (6000 // len(shape))
    start = time.process_time()
    mwparserfromhell.parse(text, skip_style_tags=True)
    real = time.process_time() - start
    assert 0.3 * real < estimate(text).seconds < 3 * real + 0.05


def test_ordinary_pages_are_not_refused():
    seed = (ROOT / "data/seed/000_6832f791a49da166.txt").read_text(encoding="utf-8")
    assert refuse(seed * 200, Budget()) is None
    closed = "{{a|[[b|c]]|d=<span>e</span>}}\n" * 20000      # 600 KB of closed constructs
    assert estimate(closed).seconds == 0
    assert refuse(closed, Budget(cpu_seconds=0.05)) is None
    nowiki = "<nowiki>{{a|</nowiki> <!-- {{b| --> text\n" * 5000   # openers that are not markup
    assert estimate(nowiki).seconds == 0


TOKEN_TEXTS = [" \t{|\n|a\n|}", "{|\n|-\n|}}", "x\n  {| a\n|b\n \t|}\n", "a{|b", "<!-- c -->{{a|b}}<br/>",
               "[http://a b] [//c] [[d|e]]", "<span a=b>c</span><nowiki>{{</nowiki>", "}}]]]\n|}\n"] + KNOWN


@pytest.mark.parametrize("text", TOKEN_TEXTS)
def test_the_scan_finds_the_tokens_a_search_of_every_position_finds(text):
    from bots.core import prescan

    seed = (ROOT / "data/seed/000_6832f791a49da166.txt").read_text(encoding="utf-8")
    for t in (text, text * 3, seed + text, text + seed):
        found, pos = [], 0
        while (m := prescan._next_token(t, pos)) is not None:
            found.append((m.start(), m.end()))
            pos = m.end()
        assert found == [(m.start(), m.end()) for m in prescan._TOKEN.finditer(t)]


@pytest.mark.corpus
def test_no_corpus_page_is_refused(corpus_dir):
    from tests.corpus_pages import iter_corpus_pages
    refused = [origin for origin, _title, text in iter_corpus_pages(corpus_dir)
               if estimate(text).seconds > REFUSE_FACTOR * Budget().cpu_seconds / 2]
    assert refused == []


def test_several_pages_over_budget_in_one_chunk_leave_the_others_alone():
    items = [("parse", UNSEEN) if i in (2, 3, 6, 9) else ("value", i) for i in range(12)]
    with BudgetPool(_work, SMALL, processes=1, chunksize=12) as pool:
        results = list(pool.map(items))
        assert pool.replaced == 4
    assert [i for i, r in enumerate(results) if isinstance(r, OverBudget) and r.kind == "cpu"] == [2, 3, 6, 9]
    assert [r for i, r in enumerate(results) if i not in (2, 3, 6, 9)] == [i for i in range(12) if i not in (2, 3, 6, 9)]


def test_the_finding_s_message_does_not_depend_on_the_measured_time():
    """A run's findings are the same however busy the machine was: the message names the budget, not
    the CPU time measured (0.5 s in one run, 0.6 s in the next; a killed Dask worker's rerun)."""
    for kind in ("cpu", "memory", "wall", "crashed"):
        texts = {OverBudget(kind, SMALL, cpu_seconds=cpu, memory_mb=mb, detail="signal 9" if kind == "crashed" else "")
                 .message() for cpu, mb in ((0.52, 130.0), (0.61, 190.5))}
        assert len(texts) == 1, texts
        assert "0.5 s of CPU" in texts.pop()


def _stamp(item):
    path, seq = item
    with open(path, "a") as f:
        f.write(f"{seq} {time.monotonic()}\n")
    return seq


def test_an_idle_worker_gets_the_items_already_read_before_more_are_read(tmp_path):
    # Reading the source (a dump's bz2 streams) is the caller's work: a worker that waits for it
    # sits idle. Items after the first window are slow to read (0.4 s each); the second chunk is
    # already read when the first is done, so it must start at once, not after two more reads.
    stamps = tmp_path / "stamps"

    def items():
        for seq in range(12):
            if seq >= 8:
                time.sleep(0.4)
            yield str(stamps), seq

    with BudgetPool(_stamp, SMALL, processes=1, chunksize=2) as pool:
        assert list(pool.map(items())) == list(range(12))
    started = {int(s): float(t) for s, t in (line.split() for line in stamps.read_text().splitlines())}
    assert started[2] - started[1] < 0.3


# -- items that expand in the worker (a dump's piece read there, its pages each within the budget) --
def _expand(item):
    """An item is a list of sub-items; ("slow read", s) spends s seconds of CPU before the next one,
    ("broken read", msg) raises, as a reader would on a corrupt stream."""
    for sub in item:
        if sub[0] == "slow read":
            end = time.process_time() + sub[1]
            while time.process_time() < end:
                pass
            continue
        if sub[0] == "broken read":
            raise OSError(sub[1])
        yield sub


def _label(sub):
    return f"{sub[0]}:{str(sub[1])[:10]}"


def test_an_item_expanded_in_the_worker_gives_each_sub_item_its_budget_and_its_label():
    pieces = [[("value", 10 * p + i) for i in range(6)] for p in range(5)]
    pieces[1][2] = ("parse", UNSEEN)                   # over the CPU budget, inside the tokenizer
    pieces[3][4] = ("exit", 9)                         # kills its worker
    pieces[3][1] = ("raise", "boom")
    with BudgetPool(_work, SMALL, processes=2, chunksize=1, expand=_expand, label=_label) as pool:
        results = list(pool.map(pieces))
        assert pool.replaced == 2
    assert len(results) == 5 and [len(r) for r in results] == [6] * 5
    over = results[1][2]
    assert isinstance(over, OverBudget) and over.kind == "cpu" and over.label == _label(("parse", UNSEEN))
    died = results[3][4]
    assert isinstance(died, OverBudget) and died.kind == "crashed" and died.label == "exit:9"
    assert results[3][1] == Failed("ValueError: boom", label="raise:boom")
    for p, piece in enumerate(pieces):                # every other sub-item as in a run without them
        for i, sub in enumerate(piece):
            if sub[0] == "value":
                assert results[p][i] == sub[1], (p, i)


def test_a_reading_that_fails_ends_its_item_after_the_sub_items_before_it():
    pieces = [[("value", 1), ("value", 2), ("broken read", "stream at byte 7 is corrupt"), ("value", 3)],
              [("value", 4)]]
    with BudgetPool(_work, SMALL, processes=1, chunksize=1, expand=_expand, label=_label) as pool:
        first, second = pool.map(pieces)
    assert first[:2] == [1, 2] and len(first) == 3
    assert isinstance(first[2], Failed) and first[2].label is None and "stream at byte 7 is corrupt" in first[2].error
    assert second == [4]


def test_a_reading_over_the_budget_ends_its_item_and_the_next_items_go_on():
    pieces = [[("value", 1), ("slow read", 3.0), ("value", 2)], [("value", 3)]]
    start = time.monotonic()
    with BudgetPool(_work, SMALL, processes=1, chunksize=1, expand=_expand, label=_label) as pool:
        first, second = pool.map(pieces)
    assert first[0] == 1 and len(first) == 2
    assert isinstance(first[1], OverBudget) and first[1].kind == "cpu" and first[1].label is None
    assert second == [3]
    assert time.monotonic() - start < 20


def _frozen(_item):
    import gc
    return gc.get_freeze_count()


def test_a_worker_leaves_what_it_inherited_to_the_parent():
    # The worker's garbage collections skip the objects it inherited (gc.freeze at its start): they
    # would walk them and copy the pages they touch.
    with BudgetPool(_frozen, Budget(cpu_seconds=5, memory_mb=256), 1) as pool:
        inherited = list(pool.map([0]))[0]
    assert inherited > 1000


def _spin_then_mark(path: str, seconds: float):
    def warm():
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass
        Path(path).write_text(str(os.getpid()))
    return warm


def test_workers_started_early_warm_up_before_any_item_and_the_warm_up_is_no_item_s_cost(tmp_path):
    # A caller forks the workers before it has its items (an incremental check, while the wiki answers):
    # `warm` runs in each at once, and its CPU is not billed to the first item.
    mark = tmp_path / "warm"
    with BudgetPool(_work, SMALL, processes=1, warm=_spin_then_mark(str(mark), 1.5 * SMALL.cpu_seconds)) as pool:
        pool.start(1)
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mark.exists()            # no item was sent yet
        assert pool.run(("value", 7)) == 7
        assert pool.replaced == 0


def test_a_worker_is_forked_only_when_there_is_work_for_it():
    # Ten items in one chunk need one worker of the four allowed; forty items in four chunks, four.
    before = set(children(os.getpid()))
    with BudgetPool(lambda item: os.getpid(), SMALL, processes=4, chunksize=10) as pool:
        assert len(set(pool.map(range(10)))) == 1
        assert len(set(children(os.getpid())) - before) == 1
        assert len(set(pool.map(range(40)))) > 1


def test_closing_does_not_wait_for_a_worker_still_warming_up(tmp_path):
    # An incremental check that finds nothing changed closes its warmed workers at once.
    before = set(children(os.getpid()))
    pool = BudgetPool(_work, SMALL, processes=2, warm=_spin_then_mark(str(tmp_path / "warm"), 30))
    pool.start()
    assert len(set(children(os.getpid())) - before) == 2
    start = time.monotonic()
    pool.close()
    assert time.monotonic() - start < 3
    assert set(children(os.getpid())) - before == set()
