"""A dump in pieces that can be read independently, in any process: the unit of parallel work.

- A multistream dump (``*-multistream.xml.bz2`` with its ``*-multistream-index.txt.bz2`` beside it)
  is split by stream offset: Wikimedia compresses every 100 pages as one bz2 stream, and the
  index's lines ``offset:pageid:title`` say where each stream starts. A piece is a run of
  consecutive streams; each stream is read on its own (seek, decompress), so a corrupt or
  truncated stream loses only its own pages: one error naming the file and the offset, then the
  next stream.
- A set of split dump files (a folder of ``pages-articles1.xml-p1p41242.bz2`` ...) is split by
  file, in page-range order.
- Anything else (a plain single-stream bz2, a gzip, a plain .xml, a multistream dump without its
  index) is one piece, read by one reader.

Every piece is read by bots.core.sources.xmldump (one XML reader), decompressing 64 KB at a time:
memory is bounded by one page, never by the dump. A stream's pages lack the ``<mediawiki>`` root
(it opens in the header stream and closes in the footer stream), so the reader gives them one.

The standard library's bz2 decompresses; no dump library does this split (mwxml reads one stream,
``bz2.open`` runs all streams together): this module is the seek-and-decompress part only.
"""
from __future__ import annotations

import bz2
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bots.core.sources import SourceError, SourcePage, detect_kind

__all__ = ["Piece", "DumpPlan", "plan_dump", "source_pieces", "total_pages", "read_piece", "iter_dump", "index_for",
           "is_dump_set", "PAGES_PER_PIECE", "PIECES_PER_WORKER"]

PAGES_PER_PIECE = 1000       # ~10 streams: a task's worth of work (seconds), small next to its overhead
# With the number of workers given, pieces are made smaller (down to one stream) until each worker has
# this many: the last pieces of a run leave workers idle, one piece's time at most.
PIECES_PER_WORKER = 8
_READ = 64 * 1024
_DUMP_FILE = re.compile(r"\.xml(?:-p\d+p\d+)?(?:\.bz2|\.gz)?$", re.I)
_RANGE = re.compile(r"-p(\d+)p(\d+)")
_FOOTER = b"</mediawiki>"


@dataclass(frozen=True)
class Piece:
    """One independent piece of a dump: a whole file (`offsets` empty), or the bz2 streams that start
    at `offsets` in `path` (the last one ends at `end`), with the page count the index gives each."""

    path: str
    offsets: tuple[int, ...] = ()
    end: int | None = None
    counts: tuple[int, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.path}@{self.offsets[0]}" if self.offsets else self.path

    @property
    def pages(self) -> int | None:
        return sum(self.counts) if self.offsets else None


@dataclass
class DumpPlan:
    pieces: list[Piece]
    errors: list[SourceError]        # problems of the index itself (the rest of it is used)
    kind: str                        # "multistream", "files" or "single"


def index_for(path: Path) -> Path | None:
    """The multistream index beside `path`: NAME.xml.bz2 -> NAME-index.txt.bz2 (or -index.txt)."""
    name = path.name
    if not name.lower().endswith(".xml.bz2"):
        return None
    stem = name[: -len(".xml.bz2")]
    for candidate in (f"{stem}-index.txt.bz2", f"{stem}-index.txt"):
        if (path.parent / candidate).is_file():
            return path.parent / candidate
    return None


def _dump_files(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_file() and _DUMP_FILE.search(p.name)]


def is_dump_set(folder: Path) -> bool:
    """A folder of XML dump files and no .wikitext pages (a folder of pages is read as pages)."""
    return folder.is_dir() and not any(folder.glob("*.wikitext")) and bool(_dump_files(folder))


def _file_order(p: Path) -> tuple:
    m = _RANGE.search(p.name)
    return (int(m.group(1)), int(m.group(2)), p.name) if m else (float("inf"), 0, p.name)


def plan_dump(path: str | Path, pages_per_piece: int = PAGES_PER_PIECE, workers: int | None = None) -> DumpPlan:
    """The pieces of the dump at `path` (a file or a folder of split files), in dump order; with
    `workers`, a multistream dump's pieces are smaller where that gives each worker PIECES_PER_WORKER."""
    path = Path(path)
    if path.is_dir():
        files = sorted((p for p in _dump_files(path) if not p.name.lower().endswith(("-index.txt.bz2",))),
                       key=_file_order)
        return DumpPlan([Piece(str(p)) for p in files], [], "files")
    index = index_for(path)
    if index is None:
        return DumpPlan([Piece(str(path))], [], "single")
    return _plan_multistream(path, index, max(1, pages_per_piece), workers)


def total_pages(pieces: list[Piece]) -> int | None:
    """How many pages the index lists in `pieces` (progress with a total); None where a piece is a
    whole file, whose pages are counted only by reading it."""
    counts = [piece.pages for piece in pieces]
    return None if None in counts else sum(counts)


def source_pieces(source: str | Path, pages_per_piece: int = PAGES_PER_PIECE,
                  workers: int | None = None) -> tuple[list[Piece], list[SourceError]]:
    """A dump's pieces (see plan_dump); any other source (folder, records, pagefromfile file) is one piece."""
    source = Path(source)
    if detect_kind(source) == "xml" or is_dump_set(source):
        plan = plan_dump(source, pages_per_piece, workers)
        return plan.pieces, plan.errors
    return [Piece(str(source))], []


def _index_streams(index: Path, size: int) -> tuple[dict[int, int], list[SourceError]]:
    """Stream offset -> how many pages the index lists in it; bad lines are errors (with the line)."""
    counts: dict[int, int] = {}
    errors: list[SourceError] = []
    opener = bz2.open if index.name.endswith(".bz2") else open
    line_no = 0
    past: tuple[int, int] | None = None
    past_count = 0
    try:
        with opener(index, "rt", encoding="utf-8", errors="replace") as lines:
            for line_no, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                offset_s, sep, _rest = line.partition(":")
                if not sep or not offset_s.isdigit():
                    errors.append(SourceError(f"{index}:{line_no}", "not an index line (offset:pageid:title): "
                                              f"{line.strip()[:80]!r}; skipped"))
                    continue
                offset = int(offset_s)
                if offset >= size:
                    past = past or (line_no, offset)    # a truncated dump: one error, not one a page
                    past_count += 1
                    continue
                counts[offset] = counts.get(offset, 0) + 1
    except (OSError, EOFError) as exc:
        errors.append(SourceError(f"{index}:{line_no + 1}", f"cannot read the index, the rest of it is "
                                  f"not used: {exc}"))
    if past:
        errors.append(SourceError(f"{index}:{past[0]}", f"offset {past[1]} is past the end of the dump ({size} "
                                  f"bytes), and so are {past_count - 1} more lines: the index does not match "
                                  "the dump (is it truncated?); those lines are skipped"))
    return counts, errors


def _plan_multistream(path: Path, index: Path, pages_per_piece: int, workers: int | None) -> DumpPlan:
    size = path.stat().st_size
    counts, errors = _index_streams(index, size)
    if workers:
        pages_per_piece = max(1, min(pages_per_piece, sum(counts.values()) // (PIECES_PER_WORKER * workers)))
    offsets = sorted(counts)
    if not offsets:
        # Nothing usable in the index: one reader over the whole file still gets every page.
        errors.append(SourceError(str(index), "the index lists no stream: the dump is read as one stream"))
        return DumpPlan([Piece(str(path))], errors, "single")
    pieces: list[Piece] = []
    run: list[int] = []
    pages = 0
    for n, offset in enumerate(offsets):
        run.append(offset)
        pages += counts[offset]
        if pages >= pages_per_piece or n == len(offsets) - 1:
            end = offsets[n + 1] if n + 1 < len(offsets) else size
            pieces.append(Piece(str(path), tuple(run), end, tuple(counts[o] for o in run)))
            run, pages = [], 0
    return DumpPlan(pieces, errors, "multistream")


class _Streams(io.RawIOBase):
    """The decompressed bytes of the bz2 streams in path[start:end], inside a <mediawiki> root, read
    64 KB at a time. A range that does not start a bz2 stream, a corrupt or a truncated stream is an
    OSError naming the offset; a lone footer stream (``</mediawiki>``) is left out."""

    def __init__(self, path: str, start: int, end: int) -> None:
        self.file = open(path, "rb")  # noqa: SIM115 - closed in close()
        self.file.seek(start)
        self.start, self.end, self.left = start, end, end - start
        self.out = b"<mediawiki>"
        self.decoder: bz2.BZ2Decompressor | None = None
        self.pending = b""           # compressed bytes not yet given to the decoder
        self.stream_at = start       # where the stream being decoded starts
        self.consumed = start        # file offset of the next byte of `pending`
        self.head = b""              # a new stream's first output, held until it is known not to be the footer
        self.done = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.file.close()
        super().close()

    def _fill(self) -> bool:
        if not self.pending and self.left > 0:
            self.pending = self.file.read(min(_READ, self.left))
            self.left -= len(self.pending)
        return bool(self.pending)

    def _more(self) -> bytes:
        """Some decompressed bytes, or b"" at the end of the range."""
        while True:
            if self.decoder is None:
                if not self._fill():
                    return b""
                if not self.pending.startswith(b"BZh"):
                    raise OSError(f"no bz2 stream starts at byte {self.consumed}"
                                  + (" (the index does not match the dump)" if self.consumed == self.start else
                                     " (data after the end of a stream)"))
                self.decoder = bz2.BZ2Decompressor()
                self.stream_at = self.consumed
                self.head = b""
            if self.decoder.needs_input:
                if not self._fill():
                    if self.stream_at > self.start:     # after a whole stream: a wrong index offset
                        raise OSError(f"the bytes from {self.stream_at} to the next stream the index lists, at "
                                      f"byte {self.end}, are not a whole bz2 stream (the index does not match "
                                      "the dump)")
                    raise OSError(f"the bz2 stream at byte {self.stream_at} is truncated")
                data, self.pending = self.pending, b""
                self.consumed += len(data)
            else:
                data = b""
            try:
                chunk = self.decoder.decompress(data, _READ)
            except OSError as exc:
                raise OSError(f"the bz2 stream at byte {self.stream_at} is corrupt: {exc}") from None
            if self.decoder.eof:
                unused = self.decoder.unused_data
                self.consumed -= len(unused)
                self.pending = unused + self.pending
                self.decoder = None
                whole = (self.head or b"") + chunk
                self.head = b""
                if whole.strip() == _FOOTER:
                    continue
                if whole:
                    return whole
                continue
            if self.head is not None and len(self.head) + len(chunk) <= 64:
                self.head += chunk          # maybe the footer: wait for the end of the stream
                continue
            out, self.head = (self.head or b"") + chunk, None
            if out:
                return out

    def readinto(self, buffer) -> int:
        while not self.out and not self.done:
            self.out = self._more()
            if not self.out:
                self.out, self.done = b"</mediawiki>", True
        n = min(len(buffer), len(self.out))
        buffer[:n] = self.out[:n]
        self.out = self.out[n:]
        return n


def _read_stream(path: str, start: int, end: int, expected: int | None) -> Iterator[SourcePage | SourceError]:
    from bots.core.sources.xmldump import iter_xml

    label = f"{path}@{start}"
    found = 0
    failed = False
    reader = io.BufferedReader(_Streams(path, start, end), buffer_size=_READ)
    try:
        for item in iter_xml(path, stream=reader, label=label):
            if isinstance(item, SourceError) and "reading stops here" in item.message:
                failed = True
            else:
                found += 1
            yield item
    except OSError as exc:       # opening the file
        yield SourceError(label, f"cannot read: {exc}")
        return
    if not failed and expected is not None and found != expected:
        yield SourceError(label, f"the index lists {expected} pages in the stream at byte {start}, the dump "
                          f"holds {found} there: the index does not match the dump")


def read_piece(piece: Piece) -> Iterator[SourcePage | SourceError]:
    """The pages of one piece, in dump order, errors in place."""
    from bots.core.sources.xmldump import iter_xml

    if not piece.offsets:
        yield from iter_xml(piece.path)
        return
    ends = piece.offsets[1:] + (piece.end if piece.end is not None else os.path.getsize(piece.path),)
    for start, end, count in zip(piece.offsets, ends, piece.counts):
        yield from _read_stream(piece.path, start, end, count)


def iter_dump(path: str | Path, pages_per_piece: int = PAGES_PER_PIECE) -> Iterator[SourcePage | SourceError]:
    """Every page of a dump, piece after piece (what one process reads): the index's errors first."""
    plan = plan_dump(path, pages_per_piece)
    yield from plan.errors
    for piece in plan.pieces:
        yield from read_piece(piece)
