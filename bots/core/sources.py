"""Where pages come from: a folder of .wikitext files, an XML export, a pagefromfile file.

Every reader yields SourcePage or SourceError values and never raises on bad
input, so one broken file or page cannot stop a bulk run: the caller reports
the errors and goes on with the pages.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bots.core.titles import filename_to_title

__all__ = [
    "SourcePage",
    "SourceError",
    "SourceUnavailable",
    "same_page_message",
    "iter_pages",
    "detect_kind",
    "iter_folder",
    "XML_SUFFIXES",
]

# Compressed files are taken for XML dumps: that is what Wikimedia ships.
XML_SUFFIXES = (".xml", ".bz2", ".gz")


@dataclass(frozen=True)
class SourcePage:
    """One page as the source gives it."""

    title: str  # as given by the source, not yet validated
    text: str
    origin: str  # "path" or "path:line" where the page starts, for messages
    namespace: int | None = None
    timestamp: str | None = None  # revision timestamp when the source has one
    revid: int | None = None


@dataclass(frozen=True)
class SourceError:
    """Something in a source that could not be read as a page."""

    origin: str  # file path, with ":line" when known
    message: str  # what is wrong, for a human; for XML, the parser's message
    title: str | None = None

    def __str__(self) -> str:
        where = f" [{self.title}]" if self.title else ""
        return f"{self.origin}{where}: {self.message}"


class SourceUnavailable(RuntimeError):
    """The source stopped answering in the middle of a read (the wiki: a broken or truncated
    response, a lost connection). Raised by the site layer's page readers; the bots stop reading,
    report what they have, and exit 6."""


def same_page_message(first_origin: str, verb: str) -> str:
    """What a page given a second time is told (by check and by publish alike): titles that differ
    only in the case of the first letter or in spaces and underscores are one page."""
    return f"the same page as {first_origin}: {verb} once, from there"


def detect_kind(path: str | Path) -> str:
    """"folder", "file" (one .wikitext page), "xml" or "pagefile", from what `path` is and its name."""
    path = Path(path)
    if path.is_dir():
        return "folder"
    if path.name.lower().endswith(XML_SUFFIXES):
        return "xml"
    if path.suffix == ".wikitext":
        return "file"
    return "pagefile"


def iter_pages(path: str | Path) -> Iterator[SourcePage | SourceError]:
    """Yield the pages of a folder, XML export or pagefromfile file, and errors in place."""
    path = Path(path)
    if not path.exists():
        yield SourceError(str(path), "no such file or directory")
        return
    kind = detect_kind(path)
    # Imported here, not at the top: xmldump and pagefile import the
    # dataclasses above, and either module may be imported first.
    if kind == "folder":
        yield from iter_folder(path)
    elif kind == "file":
        yield from _read_files([path])
    elif kind == "xml":
        from bots.core.xmldump import iter_xml

        yield from iter_xml(path)
    else:
        from bots.core.pagefile import iter_pagefile

        yield from iter_pagefile(path)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def iter_folder(folder: str | Path) -> Iterator[SourcePage | SourceError]:
    """One page per *.wikitext file in `folder` (not recursive), in name order.

    The title comes from the file name (filename_to_title). The text is the
    file's exact content, line endings included, except a leading UTF-8 byte
    order mark: editors add it unseen, and on the wiki it would sit invisibly
    before "#REDIRECT" or the first template.
    """
    folder = Path(folder)
    try:
        files = sorted(p for p in folder.glob("*.wikitext") if p.is_file())
    except OSError as exc:
        yield SourceError(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    yield from _read_files(files)


def _read_files(files: list[Path]) -> Iterator[SourcePage | SourceError]:
    for file in files:
        title = filename_to_title(file.name)
        try:
            data = file.read_bytes()
        except OSError as exc:
            yield SourceError(str(file), f"cannot read: {exc.strerror or exc}", title)
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = _line_of(data, exc.start)
            yield SourceError(
                f"{file}:{line}",
                f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} ({exc.reason})",
                title,
            )
            continue
        yield SourcePage(title=title, text=text.removeprefix("\ufeff"), origin=str(file))
