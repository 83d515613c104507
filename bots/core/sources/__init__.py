"""Where pages come from: a folder of .wikitext files, an XML export, a pagefromfile file.

Every reader yields SourcePage or SourceError values and never raises on bad
input, so one broken file or page cannot stop a bulk run: the caller reports
the errors and goes on with the pages.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bots.core.wikitext.lines import line_of
from bots.core.wikitext.titles import TITLE_INDEX, filename_to_title, is_shortened, shortened_for

__all__ = [
    "SourcePage",
    "SourceError",
    "SourceUnavailable",
    "same_page_message",
    "iter_pages",
    "detect_kind",
    "iter_folder",
    "XML_SUFFIXES",
    "MAX_PAGE_BYTES",
    "title_index",
    "add_to_title_index",
]

# Compressed files are taken for XML dumps: that is what Wikimedia ships.
XML_SUFFIXES = (".xml", ".bz2", ".gz")
# One page's text, as a file or in an export: 8 times MediaWiki's default $wgMaxArticleSize (2 MB).
# A bigger one could not be saved on a wiki anyway; refusing it bounds what one page can cost.
MAX_PAGE_BYTES = 16 * 1024 * 1024
_MAX_INDEX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class SourcePage:
    """One page as the source gives it."""

    title: str  # as given by the source, not yet validated
    text: str
    origin: str  # "path" or "path:line" where the page starts, for messages
    namespace: int | None = None
    timestamp: str | None = None  # revision timestamp when the source has one
    revid: int | None = None
    user: str | None = None       # who saved that revision (the live wiki)
    pageid: int | None = None     # the page's id (the live wiki)


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
        from bots.core.sources.dumppieces import is_dump_set, iter_dump

        yield from (iter_dump(path) if is_dump_set(path) else iter_folder(path))
    elif kind == "file":
        yield from _read_files([path])
    elif kind == "xml":
        # A multistream dump with its index is read stream by stream (a bad stream loses only its
        # pages); any other XML file in one stream.
        from bots.core.sources.dumppieces import iter_dump

        yield from iter_dump(path)
    else:
        from bots.core.sources.pagefile import iter_pagefile

        yield from iter_pagefile(path)


def iter_folder(folder: str | Path) -> Iterator[SourcePage | SourceError]:
    """One page per *.wikitext file in `folder` (not recursive), in name order.

    The title comes from the file name (filename_to_title), or for a name that
    was shortened (a title too long for a file name) from the folder's title
    index (TITLE_INDEX). The text is the file's exact content, line endings
    included, except a leading UTF-8 byte order mark: editors add it unseen,
    and on the wiki it would sit invisibly before "#REDIRECT" or the first
    template.
    """
    folder = Path(folder)
    try:
        files = sorted(p for p in folder.glob("*.wikitext") if p.is_file())
    except OSError as exc:
        yield SourceError(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    yield from _read_files(files)


def title_index(folder: Path) -> dict[str, str]:
    """The folder's index of shortened file names: name (without ".wikitext") -> title."""
    path = Path(folder) / TITLE_INDEX
    try:
        if path.stat().st_size > _MAX_INDEX_BYTES:
            return {}
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    index = {}
    for line in text.splitlines():
        name, tab, title = line.partition("\t")
        if tab and name and title:
            index[name] = title       # the last line for a name wins
    return index


def add_to_title_index(folder: Path, name: str, title: str) -> None:
    """Record a shortened file name's title (appended: a run killed midway loses no line)."""
    if title_index(folder).get(name) == title:
        return
    with open(Path(folder) / TITLE_INDEX, "a", encoding="utf-8") as f:
        f.write(f"{name}\t{title}\n")


def _title_of(file: Path, indexes: dict[Path, dict[str, str]]) -> tuple[str | None, str | None]:
    """(title, None) or (title if known, why the file cannot be read as a page)."""
    stem = file.name.removesuffix(".wikitext")
    if is_shortened(stem):
        if file.parent not in indexes:
            indexes[file.parent] = title_index(file.parent)
        title = indexes[file.parent].get(stem)
        if title is None:
            return None, (f"a shortened file name (its title was too long for a file name), and "
                          f"{TITLE_INDEX} in its folder does not list it: its title is unknown")
        if not shortened_for(stem, title):
            return title, f"{TITLE_INDEX} gives it the title {title!r}, whose file name would differ"
        return title, None
    title = filename_to_title(file.name)
    if "#" in title:
        return title, ("'#' in the file name: a page title cannot contain '#' (it starts a link to a "
                       "section; the page would be published as the part before it). Rename the file")
    return title, None


def _read_files(files: list[Path]) -> Iterator[SourcePage | SourceError]:
    indexes: dict[Path, dict[str, str]] = {}
    for file in files:
        title, problem = _title_of(file, indexes)
        if problem:
            yield SourceError(str(file), problem, title)
            continue
        try:
            size = file.stat().st_size
            if size > MAX_PAGE_BYTES:
                yield SourceError(str(file), f"{size} bytes: over the limit of {MAX_PAGE_BYTES} bytes for one "
                                  "page", title)
                continue
            data = file.read_bytes()
        except OSError as exc:
            yield SourceError(str(file), f"cannot read: {exc.strerror or exc}", title)
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = line_of(data, exc.start)
            yield SourceError(
                f"{file}:{line}",
                f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} ({exc.reason})",
                title,
            )
            continue
        yield SourcePage(title=title, text=text.removeprefix("\ufeff"), origin=str(file))
