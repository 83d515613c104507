"""The Dask engine (`-engine:dask`, `-engine:dask:tcp://HOST:PORT`): check and harvest a source's pieces
as Dask tasks. The only code that imports Dask.

What runs where:
- The pieces (bots.core.sources.dumppieces: streams of a multistream dump, files of a split dump, or
  the whole source as one) are a dask.bag, one partition each. A task's page-budget worker (forked
  from the Dask worker by bots.core.budget) reads the piece and checks its pages, as the local check's
  workers do (bots.core.check.parallel.check_pieces; the workers need the dump's path: a shared file
  system), so one hostile page costs at most its budget.
- A piece's entries (findings, fixes, errors) come to the client as the piece is done, as the local
  check's parent records every finding; the cluster keeps only each piece's cross-page summaries,
  packed (a compressed pickle, ~40 KB a piece of 1,000 pages).
- The cross-page lookups are a join by hash in Dask's task shuffle (`Bag.groupby`) into partitions
  whose number grows with the dump (a partition holds the titles of ~12 pieces): lean summaries (no
  links) and the titles each piece links to, once a piece; a second round for redirect targets;
  duplicate-event groups folded per piece and merged by key. The answers go back to their piece,
  which runs the local check's own `UniverseIndex.page_findings` (bots.core.check.crossindex).
  So a worker holds a share of the packed summaries and its tasks' partitions, never a table of
  every title; what is held can spill to disk (the LocalCluster's `memory_limit="auto"`).
- The cross-page findings come back by place (piece, position) and are recorded in source order, so
  the findings, the errors and their order are those of `-engine:local` (tests/integration/test_dask.py).
- A worker that dies has its tasks run again by the scheduler (`distributed.scheduler.allowed-failures`):
  a piece's task only reads its piece, and every later task only its inputs, so running one
  twice gives the same result.

Dask workers are daemon processes by default, and a daemon process may not start children: the page
budget needs them, so a LocalCluster here is started with `distributed.worker.daemon: False`, and a
cluster's workers must be started so too (README, "Running on a cluster").
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import dask
import dask.bag as db
try:    # the task shuffle Bag.groupby(shuffle="tasks") runs, with a hash of our own (see _shuffle)
    from dask.bag.core import groupby_tasks
except ImportError:     # a Dask that moved it: Bag.groupby, with its own hash (correct, more memory)
    groupby_tasks = None
from dask.distributed import Client, LocalCluster, as_completed, futures_of

from bots.core.budget import Budget
from bots.core.budget.worker import die_with_parent
from bots.core.check.checker import CheckResult, Checker
from bots.core.check.config import CheckConfig
from bots.core.check.crossindex import (Assembly, PieceResult, finish_piece, join_lookups, lookups, pack,
                                        pack_bundle, unpack)
from bots.core.check.parallel import check_pieces
from bots.core.engine import Engine, check_scheduler
from bots.core.gcpause import gc_paused
from bots.core.progress import Progress
from bots.core.sources import SourceUnavailable, detect_kind
from bots.core.sources.dumppieces import PAGES_PER_PIECE, Piece, is_dump_set, read_piece, source_pieces

__all__ = ["open_client", "check_source", "harvest_source", "WorkerIsDaemon"]


class WorkerIsDaemon(RuntimeError):
    """A Dask worker that runs as a daemon process cannot start the page-budget workers."""


# A LocalCluster's workers are forked (see open_client), and a fork inherits every open file: a worker
# forked second held the pipe by which the first one learns that the bot is gone, and the first the
# second's when both pipes were made before either fork. Then a bot killed with SIGKILL left both
# workers running (5 runs of 40 of tests/integration/test_dask.py's kill test). So each process forked
# while a LocalCluster of this process runs is tied to the thread that forked it, and ends with it.
_forker = {"pid": 0, "tied": False}


def _remember_forker() -> None:
    _forker["pid"] = os.getpid()


def _tie_to_forker() -> None:
    if _forker["tied"]:
        die_with_parent()
        if os.getppid() != _forker["pid"]:     # the forker ended before the tie was made
            os._exit(1)


os.register_at_fork(before=_remember_forker, after_in_child=_tie_to_forker)


@contextmanager
def open_client(engine: Engine, workers: int) -> Iterator[Client]:
    """A client of the engine's scheduler: a LocalCluster of `workers` processes (one thread each: the
    work is CPU-bound Python), or the scheduler at engine.address (loopback or GMW_ALLOW_HOSTS)."""
    check_scheduler(engine)
    # The workers' statistical profiler (a stack sample every 10 ms, merged in the event loop) cost
    # 1.4 s of the workers' CPU and 0.7 s of the scheduler's on 5,000 pages with 2 workers (~0.4 ms a
    # page, one run on a shared machine): off (a cluster's workers take their own configuration, README).
    # The event loop's health tick (every 20 ms), the dashboard's system monitor (500 ms) and the memory
    # monitor (100 ms) kept an idle LocalCluster of 2 workers busy for 0.07 s of CPU a second (workers
    # and the process that holds the scheduler and the nannies), 0.017 s at 200 ms, 2 s and 500 ms: in
    # a check of 26,000 pages, 0.5-0.8 s less CPU before the join. A check needs no dashboard; memory is
    # still looked at twice a second, where a piece's task grows by a few MB a second.
    with dask.config.set({"distributed.worker.daemon": False, "distributed.scheduler.allowed-failures": 5,
                          "distributed.worker.profile.enabled": False,
                          "distributed.admin.tick.interval": "200ms",
                          "distributed.admin.system-monitor.interval": "2s",
                          "distributed.worker.memory.monitor-interval": "500ms"}):
        if engine.address:
            try:
                client = Client(engine.address, timeout="10s")
            except OSError as exc:          # refused, unreachable, timed out: one line, exit 6
                raise SourceUnavailable(f"the Dask scheduler at {engine.address} cannot be reached: {exc}") from None
            with client:
                yield client
            return
        # Everything on loopback (the scheduler, the workers, the HTTP endpoints): a LocalCluster
        # serves no one else. Its workers are forked from this process, which has loaded the check
        # (a supported Dask setting): a spawned worker started a new interpreter and imported it all
        # again, 0.45 s of every run's start and 0.1 s of its close on this 2-core machine (fork:
        # 0.09 s and 0.02 s). Buffered output is written first, so that no worker writes it twice.
        sys.stdout.flush()
        sys.stderr.flush()
        forked = dask.config.set({"distributed.worker.multiprocessing-method": "fork"})
        _forker["tied"] = True
        with _untie_after(), forked, \
                LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", memory_limit="auto") as cluster, \
                Client(cluster) as client:
            yield client


@contextmanager
def _untie_after() -> Iterator[None]:
    try:
        yield
    finally:
        _forker["tied"] = False


def _read(piece: Piece, schemas: dict):
    """A piece's pages: a dump's through the dump reader; another source's as check and harvest read
    it locally (records are generated into pages)."""
    if piece.offsets or detect_kind(piece.path) == "xml" or is_dump_set(Path(piece.path)):
        return read_piece(piece)
    from bots.core.check.run import source_pages
    return source_pages(Path(piece.path), schemas)


def _not_daemon() -> None:
    if multiprocessing.current_process().daemon:
        raise WorkerIsDaemon("this Dask worker is a daemon process and cannot start the page-budget workers: "
                             "start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False (see the README)")


def _check_task(pieces: list[tuple[int, Piece]], config: CheckConfig, schemas: dict):
    _not_daemon()
    checker = Checker(config, schemas)
    # The task receives a piece's outcomes and packs its summaries (~30,000 objects, no cycle) in a
    # Dask worker's large heap: the cyclic GC's passes over it are work for nothing, as in _join.
    with gc_paused():
        return [PieceResult.of(n, entries)
                for n, entries in check_pieces(checker, pieces, 1, lambda piece: _read(piece, schemas))]


def _entries(part):
    return [r.entries for r in part]


def _pages(part):
    return [(r.piece, r.pages) for r in part]


# What travels through the shuffles is packed (bots.core.check.crossindex.pack): a few bytes a record
# where Python objects take ~1 KB, so what a shuffle holds on a worker, or spills, stays small.
def _lookups(part, repeated, parts: int):
    with gc_paused():       # as _join: ~40,000 objects a piece, no cycle
        return [(n, pack_bundle(b)) for piece, blob in part for n, b in lookups(piece, unpack(blob), repeated, parts)]


def _join(groups, parts: int, follow: bool):
    # A partition's join unpickles its bundles (bots.core.check.crossindex.join_lookups) and builds
    # ~100,000 objects that form no cycle: the cyclic GC, run over them again and again, took half of
    # its time (9 pieces in one partition: 0.36 s with it, 0.17 s without).
    with gc_paused():
        return [(kind, n, pack_bundle(out) if kind == "part" else pack(out)) for _, records in groups
                for kind, n, out in join_lookups([b for _, b in records], parts, follow)]


def _second(part):
    return [(n, b) for kind, n, b in part if kind == "part"]


def _answers(part):
    return [(n, ("answer", a)) for kind, n, a in part if kind == "piece"]


def _own(part):
    return [(piece, ("pages", blob)) for piece, blob in part]


def _finish(groups, repeated, rules: set[str]):
    out = []
    with gc_paused():       # as _join
        for _, records in groups:          # one piece at a time: its summaries and its answers
            pages = [unpack(blob) for _, (kind, blob) in records if kind == "pages"]
            answers = [unpack(a) for _, (kind, a) in records if kind == "answer"]
            out += finish_piece(pages[0], answers, repeated, rules)
        return [pack(out)]


def _key(record):
    return record[0]


def _same(n: int) -> int:
    return n


def _shuffle(bag: db.Bag) -> db.Bag:
    """Bag.groupby(_key, shuffle="tasks") with the partition number as its own hash: the records of
    partition n (or piece n) end in output partition n (mod their number), one to a task. Bag.groupby
    hashes keys with tokenize, and two partitions of the join landing in one task doubled its memory."""
    if groupby_tasks is None:
        return bag.groupby(_key, shuffle="tasks", npartitions=bag.npartitions)
    return groupby_tasks(bag, _key, hash=_same)


def _gathered(client: Client, bag: db.Bag, label: str | None = None, total: int = 0,
              each: Callable[[Any], None] | None = None) -> list:
    """A persisted bag's partitions, in order, each fetched as it is done and released on the
    cluster at once (nothing waits there for the last one); with `each`, each partition is given to
    it in order as soon as the ones before it have come, and not kept. With a label, progress on
    stderr: done/total, rate, ETA."""
    order = {key: n for n, key in enumerate(bag.__dask_keys__())}
    parts: list = [_MISSING] * len(order)
    given = 0
    futures = futures_of(bag)
    progress = Progress(label, total, quiet=0) if label else None     # few pieces, each of many pages
    for future in as_completed(futures):
        parts[order[future.key]] = future.result()
        future.release()
        while each is not None and given < len(parts) and parts[given] is not _MISSING:
            each(parts[given])
            parts[given] = None
            given += 1
        if progress:
            progress.advance()
    if progress:
        progress.finish()
    return parts


_MISSING = object()


# A partition of the join holds the titles of about this many pieces: the number of partitions grows
# with the dump, and a shuffle of P partitions is ~P x P small tasks in one stage (Dask's task shuffle).
# At 4 the join took 3.3 s of a 30 s check of 26,000 pages; at 14, 2.2 s (one run each, idle machine).
# A partition's task holds ~12,000 lean summaries, a few MB, whatever the dump's size.
PIECES_PER_PART = 12


def check_source(client: Client, source: Path, config: CheckConfig, schemas: dict,
                 pages_per_piece: int = PAGES_PER_PIECE, pieces_per_part: int = PIECES_PER_PART) -> CheckResult:
    """The check of `source` on the cluster: the result `run_checks(offline_pages(source))` gives."""
    pieces, plan_errors = source_pieces(source, pages_per_piece)
    checker = Checker(config, schemas)
    rules = set(checker.crosspage_rules)
    numbered = db.from_sequence(list(enumerate(pieces)), npartitions=max(1, len(pieces)))
    checked = numbered.map_partitions(_check_task, config, schemas)
    entries, pages = dask.persist(checked.map_partitions(_entries), checked.map_partitions(_pages))
    del checked
    # The entries come to this process as each piece is done, and are recorded in order at once, as the
    # local check records every finding; the cluster keeps only each piece's packed summaries.
    assembly = Assembly(checker, [str(e) for e in plan_errors])

    def record(part) -> None:
        for piece_entries in part:
            assembly.add(piece_entries)
    _gathered(client, entries, "check (pieces)", len(pieces), record)
    del entries
    crosspage: dict = {}
    if rules:
        repeated = assembly.repeated
        parts = max(1, -(-len(pieces) // pieces_per_part))
        common = dask.delayed(repeated, traverse=False)
        first = pages.map_partitions(_lookups, common, parts).repartition(parts)
        first = _shuffle(first).map_partitions(_join, parts, True)
        second = _shuffle(first.map_partitions(_second)).map_partitions(_join, parts, False)
        # The finish is a task per partition of pieces: more of them than the join's partitions, so that
        # the workers share it evenly (3 tasks of 9 pieces on 2 workers: the last one ran alone for a
        # third of the phase), and few (a task shuffle of P partitions is P x P small tasks).
        workers = max(1, len(client.scheduler_info()["workers"]))
        finishes = min(len(pieces), max(parts, 4 * workers))
        back = db.concat([pages.map_partitions(_own).repartition(parts), first.map_partitions(_answers),
                          second.map_partitions(_answers)]).repartition(finishes)
        outs = _shuffle(back).map_partitions(_finish, common, rules).persist()
        del first, second, back
        # This process holds every page's outcome by now: the GC's passes over that heap, while the
        # cross-page findings were unpacked, took 2.3 s of 2.5 at 104,000 pages (0.2 s without them).
        with gc_paused():
            for part in _gathered(client, outs):
                for blob in part:
                    crosspage.update((seq, (found, universe)) for seq, found, universe in unpack(blob))
    del pages
    return assembly.finish(crosspage)


def _harvest_task(pieces: list[tuple[int, Piece]], schemas: dict, budget: Budget):
    _not_daemon()
    from bots.core.harvesting import harvest_pieces
    return list(harvest_pieces([piece for _, piece in pieces], schemas, budget, 1,
                               lambda piece: _read(piece, schemas), echo=False))


def harvest_source(client: Client, source: Path, schemas: dict, budget: Budget,
                   pages_per_piece: int = PAGES_PER_PIECE) -> dict:
    """Harvest `source` on the cluster: the document `harvest(offline_pages(source))` gives (a title
    given twice across pieces is joined in `merge_docs`, on the client, which holds the document)."""
    from bots.core.harvesting import merge_docs

    pieces, plan_errors = source_pieces(source, pages_per_piece)
    numbered = db.from_sequence(list(enumerate(pieces)), npartitions=max(1, len(pieces)))
    docs = numbered.map_partitions(_harvest_task, schemas, budget).persist()
    done = _gathered(client, docs, "harvest (pieces)", len(pieces))
    first = {"pages": 0, "records": [], "errors": [{"origin": e.origin, "message": e.message} for e in plan_errors]}
    return merge_docs([first, *(doc for part in done for doc in part)])
