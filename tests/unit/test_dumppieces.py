"""Dumps in pieces: multistream dumps split by stream offset, split dump files by file, any other
dump as one piece; hostile dumps and indexes give errors naming the file and the offset, and the
rest of the dump is read."""
from __future__ import annotations

import bz2
import gzip
import tracemalloc
from pathlib import Path

import pytest

from bots.core.sources import SourceError, SourcePage, iter_pages
from bots.core.sources.dumppieces import iter_dump, plan_dump, read_piece
from bots.core.sources.xmldump import iter_xml
from bots.core.sources.xmlexport import export_bytes
from tests.dumps import event_pages, write_dump


def pages_of(items) -> list[tuple[str, str]]:
    return [(i.title, i.text) for i in items if isinstance(i, SourcePage)]


def errors_of(items) -> list[SourceError]:
    return [i for i in items if isinstance(i, SourceError)]


def index_lines(index: Path) -> list[str]:
    return bz2.decompress(index.read_bytes()).decode().splitlines()


def write_index(index: Path, lines: list[str]) -> None:
    index.write_bytes(bz2.compress(("\n".join(lines) + "\n").encode()))


@pytest.fixture
def dump(tmp_path):
    pages = event_pages(347, pathological=False)
    path, index = write_dump(tmp_path, pages, per_stream=100)
    return path, index, [(p.title, p.text) for p in pages]


def test_a_multistream_dump_is_split_by_stream_and_every_page_is_read_once_in_order(dump):
    path, index, expected = dump
    plan = plan_dump(path, pages_per_piece=100)
    assert plan.kind == "multistream" and not plan.errors
    assert len(plan.pieces) == 4 and [p.pages for p in plan.pieces] == [100, 100, 100, len(expected) - 300]
    assert all(p.offsets[0] > 0 for p in plan.pieces)          # the header stream is not a piece
    # each piece on its own (as a worker reads it), in any order: together the whole dump
    by_piece = {p.label: pages_of(read_piece(p)) for p in reversed(plan.pieces)}
    assert [t for p in plan.pieces for t in by_piece[p.label]] == expected
    assert pages_of(iter_xml(path)) == expected                 # the one-stream reader agrees
    assert pages_of(iter_pages(path)) == expected and not errors_of(iter_pages(path))


def test_pieces_group_streams_and_origins_name_the_stream(dump):
    path, _, expected = dump
    plan = plan_dump(path, pages_per_piece=250)
    assert [p.pages for p in plan.pieces] == [300, len(expected) - 300]
    first = next(i for i in read_piece(plan.pieces[1]) if isinstance(i, SourcePage))
    assert first.origin.startswith(f"{path}@{plan.pieces[1].offsets[0]}:")


def test_a_plain_bz2_a_gzip_and_a_plain_xml_are_one_piece_each(tmp_path):
    pages = event_pages(30, pathological=False)
    data = export_bytes(pages)
    files = {"one.xml": data, "one.xml.bz2": bz2.compress(data), "one.xml.gz": gzip.compress(data),
             # a multistream dump without its index: one reader over every stream
             "lone-multistream.xml.bz2": None}
    write_dump(tmp_path / "m", pages, per_stream=7, name="lone-multistream")
    (tmp_path / "m" / "lone-multistream-index.txt.bz2").unlink()
    expected = [(p.title, p.text) for p in pages]
    for name, content in files.items():
        path = tmp_path / "m" / name if content is None else tmp_path / name
        if content is not None:
            path.write_bytes(content)
        plan = plan_dump(path)
        assert plan.kind == "single" and len(plan.pieces) == 1, name
        assert pages_of(iter_dump(path)) == expected, name


def test_split_dump_files_are_pieces_in_page_range_order(tmp_path):
    pages = event_pages(40, pathological=False)
    folder = tmp_path / "split"
    folder.mkdir()
    parts = [(1, 9), (10, 25), (26, 100)]     # names sort p10 before p1 as text: the ranges decide
    chunks = [pages[:9], pages[9:25], pages[25:]]
    for (lo, hi), chunk in zip(parts, chunks):
        (folder / f"gmwiki-pages-articles{lo}.xml-p{lo}p{hi}.bz2").write_bytes(bz2.compress(export_bytes(chunk)))
    plan = plan_dump(folder)
    assert plan.kind == "files" and len(plan.pieces) == 3
    assert [Path(p.path).name.split("-p")[-1] for p in plan.pieces] == ["1p9.bz2", "10p25.bz2", "26p100.bz2"]
    assert pages_of(iter_pages(folder)) == [(p.title, p.text) for p in pages]


def test_an_index_offset_that_starts_no_stream_loses_that_stream_only(dump):
    path, index, expected = dump
    lines = index_lines(index)
    bad = int(lines[100].split(":")[0])
    write_index(index, [f"{bad + 7}:{rest}" if line.startswith(f"{bad}:") else line
                        for line in lines for _, rest in [line.split(":", 1)]])
    items = list(iter_dump(path, pages_per_piece=100))
    errors = errors_of(items)
    assert any(e.origin.startswith(f"{path}@{bad + 7}") and "no bz2 stream starts at byte" in str(e)
               for e in errors)
    # the stream before now seems to end 7 bytes into the next one: said so, its pages kept
    assert len(errors) == 2 and all("the index does not match the dump" in str(e) for e in errors), errors
    assert pages_of(items) == expected[:100] + expected[200:]


def test_a_truncated_dump_reports_the_stream_and_keeps_the_pages_before(dump):
    path, index, expected = dump
    third = int(index_lines(index)[200].split(":")[0])
    data = path.read_bytes()
    path.write_bytes(data[: third + 2000])                    # cut inside the third page stream
    items = list(iter_dump(path))
    errors = errors_of(items)
    # the index's lines past the cut: one error for all of them; the cut stream: one error
    assert len(errors) == 2 and "past the end of the dump" in errors[0].message, errors
    errors = errors[1:]
    assert errors[0].origin.startswith(f"{path}@{third}")
    assert f"stream at byte {third} is truncated" in errors[0].message
    got = pages_of(items)
    assert got == expected[: len(got)] and len(got) >= 200


def test_a_corrupt_stream_is_an_error_and_the_next_streams_are_read(dump):
    path, index, expected = dump
    second = int(index_lines(index)[100].split(":")[0])
    data = bytearray(path.read_bytes())
    for i in range(second + 500, second + 540):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    items = list(iter_dump(path, pages_per_piece=100))
    errors = errors_of(items)
    assert len(errors) == 1 and errors[0].origin.startswith(f"{path}@{second}")
    assert "corrupt" in errors[0].message or "malformed" in errors[0].message
    got = pages_of(items)
    assert got[:100] == expected[:100] and got[100:] == expected[200:]


def test_an_index_that_does_not_match_the_dump_is_reported_line_by_line(dump):
    path, index, expected = dump
    lines = index_lines(index)
    first = lines[0].split(":")[0]
    lines = lines[:1] + [f"{first}:999:Not in the dump"] + lines[1:] + [
        "garbage line", f"{path.stat().st_size + 10}:1000:Past the end"]
    write_index(index, lines)
    items = list(iter_dump(path))
    messages = [str(e) for e in errors_of(items)]
    assert any(f"{index}:{len(lines) - 1}" in m and "not an index line" in m for m in messages)
    assert any(f"{index}:{len(lines)}" in m and "past the end of the dump" in m for m in messages)
    assert any(f"{path}@{first}" in m and "lists 101 pages" in m and "holds 100" in m for m in messages)
    assert pages_of(items) == expected                       # every page is still read


def test_reading_a_dump_holds_one_page_not_the_dump(tmp_path):
    """Peak memory of reading (and dropping) every page does not grow with the dump."""
    peaks = []
    for n in (300, 3000):
        pages = event_pages(n, pathological=False, filler=200)
        path, _ = write_dump(tmp_path / str(n), pages)
        tracemalloc.start()
        count = sum(1 for i in iter_dump(path) if isinstance(i, SourcePage))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count == len(pages)
        del pages
    assert peaks[1] < 1.5 * peaks[0], peaks
