"""-engine:local on a dump in pieces: each worker reads its pieces and checks their pages, the parent
reads nothing; the result is the one of a single reader (run_checks over offline_pages), with pages
over the budget, a corrupt stream and a title given twice across pieces."""
from __future__ import annotations

import bz2
import json
import os
from pathlib import Path

import pytest

from bots.core.budget import Budget
from bots.core.check.checker import Checker
from bots.core.check.config import CheckConfig
from bots.core.check.parallel import check_pieces
from bots.core.check.report import json_document
from bots.core.check.run import check_source, offline_pages, run_checks
from bots.core.sources.dumppieces import iter_dump, read_piece, source_pieces
from bots.core.sources.xmlexport import ExportPage
from bots.core.wikitext.schema import load_schemas
from tests.dumps import PATHOLOGICAL, event_pages, write_dump
from tests.hostile import SLOW_UNSEEN

CONFIG = CheckConfig(budget=Budget(cpu_seconds=0.5, memory_mb=512))


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    pages = event_pages(500)
    pages.insert(250, ExportPage("Slow table", SLOW_UNSEEN))       # over the CPU budget, not refused by shape
    path, index = write_dump(tmp_path_factory.mktemp("pieces"), pages, per_stream=50)
    lines = bz2.decompress(index.read_bytes()).decode().splitlines()
    fourth = int(lines[150].split(":")[0])                          # a corrupt stream loses its 50 pages
    data = bytearray(path.read_bytes())
    for i in range(fourth + 400, fourth + 440):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.fixture(scope="module")
def schemas():
    return load_schemas()


def document(result) -> str:
    doc = json_document(result.pages, result.findings, result.counts(), result.errors)
    return json.dumps([doc, result.edits, result.universes], default=str)


def test_a_dump_checked_in_pieces_by_the_workers_gives_the_result_of_one_reader(dump, schemas):
    pieces, _ = source_pieces(dump, workers=2)
    assert len(pieces) == 11                       # one stream each: 8 pieces a worker would be smaller
    one = run_checks(offline_pages(dump, schemas), CONFIG, schemas, processes=2)
    mine = check_source(dump, CONFIG, schemas, processes=2)
    assert document(mine) == document(one)
    # what the dump holds, so that equality means something
    for title in (PATHOLOGICAL, "Slow table"):
        assert [f.rule for f in mine.findings if f.page == title] == ["page-too-complex"]
    assert "parsing was stopped after" in next(f.message for f in mine.findings if f.page == "Slow table")
    assert {"cross-page-date-conflict", "duplicate-event", "link-to-missing-page"} <= {f.rule for f in mine.findings}
    assert any("the same page as" in e for e in mine.errors)
    assert any("is corrupt" in e for e in mine.errors)
    assert mine.pages > 450


def recording_reader(readers: Path):
    """read_piece, writing the reading process's id to `readers` for each piece."""
    def read(piece):
        with open(readers, "a") as f:
            f.write(f"{os.getpid()}\n")
        yield from read_piece(piece)
    return read


def test_the_workers_read_the_pieces_and_the_parent_reads_none(dump, tmp_path):
    readers = tmp_path / "readers"
    pieces, _ = source_pieces(dump, workers=2)
    checker = Checker(CONFIG, load_schemas())
    got = list(check_pieces(checker, list(enumerate(pieces)), 2, recording_reader(readers)))
    assert [n for n, _ in got] == list(range(len(pieces)))
    assert sum(len(entries) for _, entries in got) == sum(1 for _ in iter_dump(dump))    # pages and errors
    pids = readers.read_text().split()
    # each piece read once by a worker, the piece of "Slow table" once more after its worker was killed
    assert len(pids) == len(pieces) + 1 and str(os.getpid()) not in pids and len(set(pids)) >= 2


def test_pieces_are_made_small_enough_for_every_worker_down_to_one_stream(dump):
    assert len(source_pieces(dump)[0]) == 1        # 1,000 pages a piece without a number of workers
    assert len(source_pieces(dump, workers=1)[0]) == 6           # 555 pages: 69 a piece, two streams
    assert len(source_pieces(dump, workers=2)[0]) == 11          # 34 a piece: one stream each
    assert len(source_pieces(dump, pages_per_piece=50, workers=1)[0]) == 11


def test_a_dump_harvested_in_pieces_by_the_workers_gives_the_document_of_one_reader(dump, schemas, tmp_path, capsys):
    from bots.core.harvesting import harvest, harvest_pieces, harvest_source

    def printed_errors() -> list[str]:
        return sorted(line for line in capsys.readouterr().err.splitlines() if line.startswith("error: "))

    one = harvest(offline_pages(dump, schemas), schemas, CONFIG.budget, 2)
    one_printed = printed_errors()
    mine = harvest_source(dump, schemas, CONFIG.budget, processes=2)
    assert json.dumps(mine, sort_keys=True) == json.dumps(one, sort_keys=True)
    assert printed_errors() == one_printed and any("[Event_3]: the same page as" in e for e in one_printed)
    messages = [e["message"] for e in mine["errors"]]
    assert sum("page-too-complex" in m for m in messages) == 2        # the slow table and the flood
    assert any("is corrupt" in m for m in messages) and any("the same page as" in m for m in messages)
    assert mine["pages"] > 450
    readers = tmp_path / "readers"
    pieces, _ = source_pieces(dump, workers=2)
    docs = list(harvest_pieces(pieces, schemas, CONFIG.budget, 2, recording_reader(readers), echo=False))
    assert len(docs) == len(pieces) and str(os.getpid()) not in readers.read_text().split()
