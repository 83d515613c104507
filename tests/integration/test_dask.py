"""-engine:dask on a real LocalCluster (2 worker processes): the same findings, errors and order as
-engine:local on a generated multistream dump with cross-page conflicts, a hub, duplicates and
hostile pages; the same harvest records; the same result when a worker is killed mid-run; the page
budget held inside the workers. No wiki needed: the cluster listens on loopback only."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bots.core.budget import Budget
from bots.core.check.config import CheckConfig
from bots.core.check.report import json_document
from bots.core.check.run import offline_pages, run_checks
from bots.core.engine import Engine
from bots.core.harvesting import harvest
from bots.core.sources.xmlexport import ExportPage
from bots.core.wikitext.schema import load_schemas
from tests.dumps import PATHOLOGICAL, event_pages, write_dump
from tests.hostile import SLOW_UNSEEN
from tests.processes import descendants

pytest.importorskip("distributed")
from bots.cluster.dask_engine import check_source, harvest_source, open_client  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CONFIG = CheckConfig(budget=Budget(cpu_seconds=0.5, memory_mb=512))
PER_PIECE = 100          # pieces of one stream: many tasks on a small dump
PER_PART = 3             # and 4 partitions in the join's shuffles (the default would make one)


@pytest.fixture(scope="module")
def client():
    with open_client(Engine("dask"), 2) as c:
        c.wait_for_workers(2, timeout=60)
        yield c


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    pages = event_pages(900)
    pages.insert(400, ExportPage("Slow table", SLOW_UNSEEN))         # over the CPU budget, not refused by shape
    path, _ = write_dump(tmp_path_factory.mktemp("dask"), pages, per_stream=100)
    return path


@pytest.fixture(scope="module")
def schemas():
    return load_schemas()


@pytest.fixture(scope="module")
def local(dump, schemas):
    return run_checks(offline_pages(dump, schemas), CONFIG, schemas, processes=2)


def document(result) -> str:
    doc = json_document(result.pages, result.findings, result.counts(), result.errors)
    return json.dumps([doc, result.edits, result.universes], sort_keys=False, default=str)


def test_dask_gives_exactly_the_local_findings_in_the_same_order(client, dump, schemas, local):
    rules = {f.rule for f in local.findings}
    # what the dump holds, so that equality means something
    assert {"cross-page-date-conflict", "duplicate-event", "link-to-missing-page", "cross-universe-link",
            "page-too-complex"} <= rules
    assert any("more in Earth-1389" in f.message for f in local.findings if f.rule == "duplicate-event")
    assert any("the same page as" in e for e in local.errors)
    result = check_source(client, dump, CONFIG, schemas, pages_per_piece=PER_PIECE, pieces_per_part=PER_PART)
    assert document(result) == document(local)
    assert [(f.page, f.rule, f.line, f.message) for f in result.findings] == \
        [(f.page, f.rule, f.line, f.message) for f in local.findings]


def test_a_dask_without_the_task_shuffle_function_gives_the_same_findings(client, dump, schemas, local, monkeypatch):
    """The join's shuffle uses dask.bag.core.groupby_tasks (to choose the partitions itself); a Dask
    that moved it falls back to Bag.groupby, with the same result."""
    import bots.cluster.dask_engine as engine
    monkeypatch.setattr(engine, "groupby_tasks", None)
    result = check_source(client, dump, CONFIG, schemas, pages_per_piece=PER_PIECE, pieces_per_part=PER_PART)
    assert document(result) == document(local)


def test_the_page_budget_holds_inside_the_workers(client, dump, schemas, local):
    result = check_source(client, dump, CONFIG, schemas, pages_per_piece=PER_PIECE, pieces_per_part=PER_PART)
    for title in (PATHOLOGICAL, "Slow table"):
        mine = [f for f in result.findings if f.page == title]
        assert [f.rule for f in mine] == ["page-too-complex"], mine
    slow = next(f for f in result.findings if f.page == "Slow table")
    assert "parsing was stopped after" in slow.message           # the watchdog, in a worker's child


def test_dask_harvest_gives_the_local_records(client, dump, schemas):
    budget = CONFIG.budget
    mine = harvest_source(client, dump, schemas, budget, pages_per_piece=PER_PIECE)
    theirs = harvest(offline_pages(dump, schemas), schemas, budget, 2)
    assert mine["pages"] > 900 and any("page-too-complex" in e["message"] for e in mine["errors"])
    assert json.dumps(mine, sort_keys=True) == json.dumps(theirs, sort_keys=True)


def test_a_killed_worker_s_pieces_are_run_again_and_the_result_is_the_same(client, dump, schemas, local):
    pids = client.run(os.getpid)                 # worker address -> its process
    killed: dict = {}

    def kill_one_mid_run():
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            busy = {w: tasks for w, tasks in client.processing().items() if tasks}
            if busy and len(client.who_has()) >= 1:
                address = sorted(busy)[0]
                killed["address"], killed["tasks"] = address, list(busy[address])
                os.kill(pids[address], signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_mid_run)
    killer.start()
    result = check_source(client, dump, CONFIG, schemas, pages_per_piece=PER_PIECE, pieces_per_part=PER_PART)
    killer.join()
    assert killed.get("tasks"), "no worker was busy: nothing was killed"
    client.wait_for_workers(2, timeout=60)            # the nanny started a new one
    assert killed["address"] not in client.scheduler_info()["workers"]
    assert document(result) == document(local)


_STATE = "imported"     # what a worker that imports this module sees


def _state() -> str:
    return _STATE


def _death_signal() -> int:
    import ctypes
    sig = ctypes.c_int(0)
    ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(sig))      # PR_GET_PDEATHSIG
    return sig.value


def test_a_local_cluster_s_workers_are_forked_with_what_this_process_has_loaded(monkeypatch):
    # A spawned worker starts a new interpreter and imports everything again: ~0.45 s of each run's
    # start here; a forked one has it already (benchmarks/dump.py).
    monkeypatch.setattr(sys.modules[__name__], "_STATE", "set in the parent")
    with open_client(Engine("dask"), 2) as c:
        assert set(c.run(_state).values()) == {"set in the parent"}
        # ... and is killed with the bot: a fork inherits the pipes by which the other workers learn
        # that the bot is gone (see the next test, which kills it)
        assert set(c.run(_death_signal).values()) == {signal.SIGKILL}


def run_bot(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bots.check", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


def test_the_command_line_prints_the_same_table_and_json_with_progress(dump):
    for fmt in ("-format:json", "-format:text"):
        local = run_bot(f"-source:{dump}", "-processes:2", fmt)
        mine = run_bot(f"-source:{dump}", "-engine:dask", "-processes:2", fmt)
        assert mine.returncode == local.returncode == 3, mine.stderr[-2000:]     # the title given twice
        assert "Port 8787" not in mine.stderr
        assert mine.stdout == local.stdout
    assert "check (pieces): 1/1 (100%)" in mine.stderr          # the default piece: 1000 pages


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_a_run_killed_with_sigkill_leaves_no_dask_worker_or_budget_child_behind(dump):
    # The LocalCluster's workers are forked from the bot, and fork their own budget children: when
    # the bot is killed (kill -9, a job's timeout), none of them may go on running.
    proc = subprocess.Popen([sys.executable, "-m", "bots.check", f"-source:{dump}", "-engine:dask", "-processes:2",
                             "-format:json"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline, seen = time.monotonic() + 60, set()
        while time.monotonic() < deadline and len(seen) < 3:       # two workers and a budget child
            seen = descendants(proc.pid)
            time.sleep(0.05)
        assert len(seen) >= 3 and proc.poll() is None, "the run ended before it could be killed"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(p) for p in seen):
        time.sleep(0.1)
    assert not [p for p in seen if _alive(p)]


def test_a_scheduler_elsewhere_is_refused_unless_listed(dump):
    res = run_bot(f"-source:{dump}", "-engine:dask:tcp://10.1.2.3:8786", env={"GMW_ALLOW_HOSTS": ""})
    assert res.returncode == 2 and "GMW_ALLOW_HOSTS" in res.stderr and "10.1.2.3" in res.stderr, res.stderr
