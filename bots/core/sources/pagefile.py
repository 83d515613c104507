"""Read pywikibot pagefromfile files: pages between {{-start-}} and {{-stop-}}.

Matches scripts/pagefromfile.py (pywikibot-scripts 11.9) with its default
options:

- A page is the text between the markers; the markers are not part of it.
  Blocks are found with a non-greedy ``{{-start-}}(.*?){{-stop-}}``, so a
  stray ``{{-start-}}`` inside a block is page text.
- The title is the first ``'''...'''`` on one line in the block, taken as
  written. Its bold markup STAYS in the page text (only ``-notitle`` removes
  it), so the page usually opens with ``'''Title''' is ...``.
- The text is ``strip()``-ed, and line ends are ``\\n`` (pywikibot reads the
  file in text mode, which turns ``\\r\\n`` and ``\\r`` into ``\\n``).
- A block without a bold title is skipped; we yield a SourceError for it.

Where we differ, so that a bulk run sees every problem instead of silence:
bytes that are not UTF-8 spoil only the block they are in (pywikibot gives
up on the whole file), and an unterminated last block or a file with no
block at all is a SourceError (pywikibot just stops).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bots.core.wikitext.lines import line_of
from bots.core.sources import MAX_PAGE_BYTES, SourceError, SourcePage

__all__ = ["BEGIN", "END", "iter_pagefile", "parse_pagefile"]

BEGIN = "{{-start-}}"
END = "{{-stop-}}"
_BLOCK = re.compile(re.escape(BEGIN) + "(.*?)" + re.escape(END), re.DOTALL)
_TITLE = re.compile("'''(.*?)'''")  # no DOTALL: a title does not span lines
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes kept by surrogateescape
# The whole file is read at once (as pywikibot does): bounded, so that one file cannot exhaust memory.
MAX_PAGEFILE_BYTES = 256 * 1024 * 1024


def _byte_offset(raw: str, nth: int) -> int:
    """Offset in the file of the `nth` (0-based) undecodable byte."""
    # Counted in `raw`, before line ends were rewritten.
    index = next(m.start() for i, m in enumerate(_UNDECODABLE.finditer(raw)) if i == nth)
    return len(raw[:index].encode("utf-8", "surrogateescape"))


def iter_pagefile(path: str | Path) -> Iterator[SourcePage | SourceError]:
    """Yield the pages of the pagefromfile file at `path`."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PAGEFILE_BYTES:
            yield SourceError(str(path), f"{size} bytes: over the limit of {MAX_PAGEFILE_BYTES} bytes for a "
                              "pagefromfile file (split it)")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield SourceError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    yield from parse_pagefile(data, str(path))


def parse_pagefile(data: bytes, origin: str) -> Iterator[SourcePage | SourceError]:
    """Yield the pages in `data`; `origin` names the file in messages."""
    # surrogateescape keeps bad bytes findable, so only their block fails.
    raw = data.decode("utf-8", errors="surrogateescape")
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    line = 1
    pos = end = 0
    found = False
    for block in _BLOCK.finditer(text):
        found = True
        line += text.count("\n", pos, block.start())
        pos, end = block.start(), block.end()
        where = f"{origin}:{line}"
        contents = block.group(1)
        bad = _UNDECODABLE.search(contents)
        title_match = _TITLE.search(contents)
        title = title_match.group(1) if title_match else None
        if bad:
            title = title if title and not _UNDECODABLE.search(title) else None
            offset = _byte_offset(raw, len(_UNDECODABLE.findall(text, 0, block.start(1) + bad.start())))
            byte = ord(bad.group(0)) - 0xDC00
            yield SourceError(where, f"not UTF-8: byte 0x{byte:02x} at offset {offset}", title)
        elif title is None:
            yield SourceError(where, "block has no '''bold title''' (pagefromfile skips it)")
        elif len(contents) > MAX_PAGE_BYTES:
            yield SourceError(where, f"a page of more than {MAX_PAGE_BYTES} characters: skipped", title)
        else:
            yield SourcePage(title=title, text=contents.strip(), origin=where)
    stray = text.find(BEGIN, end)
    if stray != -1:
        stray_line = line_of(text, stray)
        yield SourceError(
            f"{origin}:{stray_line}", f"{BEGIN} without a matching {END}: the rest of the file is not read"
        )
    elif not found:
        yield SourceError(origin, f"no {BEGIN} ... {END} block found")
