"""Read MediaWiki XML exports (schema 0.3 to 0.11), plain or compressed, as a stream.

Follows pywikibot's xmlreader (ElementTree, one ``<page>`` at a time, elements
cleared as soon as they are read) with three differences:

- Element names are matched by local name, so every schema version's xmlns
  works, and so do files whose root is a lone ``<page>``.
- Each page's text is its newest revision: the highest ``<id>`` (pywikibot's
  ``revisions='latest'``). In an export that is the last ``<revision>``; the
  ids also cover a history exported newest-first.
- ElementTree's ``iterparse`` cannot say where an element starts, so we feed
  its ``XMLPullParser`` (what ``iterparse`` runs on) one line at a time and
  know each page's line. For that we decode the bytes ourselves, with the
  encoding the file declares (BOM, UTF-16 without BOM, or ``encoding=``).
"""
from __future__ import annotations

import bz2
import codecs
import gzip
import lzma
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from bots.core.sources import MAX_PAGE_BYTES, SourceError, SourcePage

__all__ = ["iter_xml", "sniff_encoding", "MAX_REVISION_CHARS"]

_LINE_LIMIT = 1 << 20  # feed very long lines in pieces, not whole
# The XML of one revision: a bigger one is skipped (its page is an error), so that one page cannot
# hold more than this in memory. The text of a page is at most MAX_PAGE_BYTES; escaping (&lt;) can
# make its XML longer.
MAX_REVISION_CHARS = 2 * MAX_PAGE_BYTES
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _open_binary(path: Path) -> IO[bytes]:
    """Open `path` for reading, decompressing by content, not by name."""
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller's `with`
    magic = raw.peek(6)[:6]
    if magic.startswith(b"BZh"):
        raw.close()
        return bz2.open(path, "rb")
    if magic.startswith(b"\x1f\x8b"):
        raw.close()
        return gzip.open(path, "rb")
    if magic.startswith(b"\xfd7zXZ\x00"):
        raw.close()
        return lzma.open(path, "rb")
    return raw


def sniff_encoding(head: bytes) -> str:
    """Python codec for an XML document starting with `head` (XML 1.0 appendix F)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the codec reads and drops the BOM
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    declared = _DECLARED.match(head)
    if declared:
        name = declared.group(1).decode("ascii")
        # "UTF-16" declared in ASCII-compatible bytes cannot be true (no BOM,
        # no zero bytes): read them as UTF-8, as expat would.
        if not name.lower().startswith(("utf-16", "utf-32")):
            return codecs.lookup(name).name
    return "utf-8"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _child(elem: Element, name: str) -> Element | None:
    for sub in elem:
        if _local(sub.tag) == name:
            return sub
    return None


def _int_or_none(elem: Element | None) -> int | None:
    """Integer content of `elem`; None when absent; ValueError when not a number."""
    if elem is None:
        return None
    return int((elem.text or "").strip())


class _Revision:
    """What we keep of one <revision> once its element is freed."""

    __slots__ = ("revid", "timestamp", "text", "problem")

    def __init__(self, elem: Element) -> None:
        self.problem: str | None = None
        self.text: str | None = None
        ts = _child(elem, "timestamp")
        self.timestamp = ((ts.text or "").strip() or None) if ts is not None else None
        id_elem = _child(elem, "id")
        try:
            self.revid = _int_or_none(id_elem)
        except ValueError:
            self.revid = None
            self.problem = f"revision <id> is not a number: {id_elem.text!r}"
            return
        text = _child(elem, "text")
        if text is None:
            # 0.11 with slots: the main slot may sit in <content><role>main</role>.
            for content in (c for c in elem if _local(c.tag) == "content"):
                role = _child(content, "role")
                if role is not None and (role.text or "").strip() == "main":
                    text = _child(content, "text")
        name = f"revision {self.revid}" if self.revid is not None else "revision"
        if text is None:
            self.problem = f"newest {name} has no <text>"
        elif text.get("deleted") is not None:
            self.problem = f"text of newest {name} is deleted (<text deleted={text.get('deleted')!r}>)"
        else:
            self.text = text.text or ""


class _PageBuilder:
    """Collects one <page>: header fields and the newest revision so far."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.newest: _Revision | None = None
        self.count = 0

    def add(self, rev: _Revision) -> None:
        self.count += 1
        newest = self.newest
        # Later in the file wins unless both ids say otherwise.
        if newest is None or rev.revid is None or newest.revid is None or rev.revid >= newest.revid:
            self.newest = rev

    def finish(self, elem: Element, path: str) -> SourcePage | SourceError:
        origin = f"{path}:{self.line}"
        title_elem = _child(elem, "title")
        title = (title_elem.text or "").strip() if title_elem is not None else ""
        if not title:
            return SourceError(origin, "<page> has no <title>")
        ns_elem = _child(elem, "ns")
        try:
            ns = _int_or_none(ns_elem)
        except ValueError:
            return SourceError(origin, f"<ns> is not a number: {ns_elem.text!r}", title)
        rev = self.newest
        if rev is None:
            return SourceError(origin, "<page> has no <revision>", title)
        if rev.problem or rev.text is None:
            return SourceError(origin, rev.problem or "no text", title)
        return SourcePage(title, rev.text, origin, ns, rev.timestamp, rev.revid)


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """Decoded lines of the document, each ending in "\\n" (the last one may not).

    Decoded line by line, not in big blocks, so that a bad byte stops the
    reading at its own line and the pages before it are still yielded.
    """
    head = stream.peek(1024)[:1024] if hasattr(stream, "peek") else b""
    decoder = codecs.getincrementaldecoder(sniff_encoding(head))(errors="strict")
    pending = ""
    # A UTF-16 line break is two bytes: the incremental decoder carries the
    # half that readline() leaves over to the next line.
    while raw := stream.readline(_LINE_LIMIT):
        *lines, pending = (pending + decoder.decode(raw)).split("\n")
        for line in lines:
            yield line + "\n"
        if len(pending) >= _LINE_LIMIT:
            yield pending
            pending = ""
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def iter_xml(path: str | Path, stream: IO[bytes] | None = None,
             label: str | None = None) -> Iterator[SourcePage | SourceError]:
    """Yield one SourcePage per <page> of the export at `path` (or of `stream`, already opened and
    decompressed, named `label` in origins: a piece of a dump, bots.core.sources.dumppieces).

    A page that cannot be used (no title, no revision, deleted or missing
    text, a non-numeric <ns> or <id>, a revision over MAX_REVISION_CHARS of
    XML) is a SourceError and the next page follows. Malformed XML, a DOCTYPE
    (entity declarations: refused, MediaWiki never writes one) or a broken
    archive ends the file: the pages before it are yielded, then one
    SourceError with the line and column.
    """
    name = label or str(path)
    path = Path(path)
    state = _Reader(name)
    try:
        with (stream if stream is not None else _open_binary(path)) as stream:
            chunks = _lines(stream)
            for chunk in chunks:
                if state.root_name is None and "<!DOCTYPE" in state.prolog(chunk):
                    yield SourceError(f"{name}:{state.line}", "a DOCTYPE (entity declarations) is not accepted in "
                                      "an export; reading stops here")
                    return
                state.fed += len(chunk)
                state.parser.feed(chunk)
                yield from state.drain()
                if chunk.endswith("\n"):
                    state.line += 1
                if state.oversized():
                    yield state.skipped_page()
                    yield from state.resync(chunks)
            state.parser.close()
            yield from state.drain()
    except ParseError as exc:
        yield from _safe_drain(state.drain)
        err_line, column = exc.position
        yield SourceError(f"{name}:{err_line + state.line_offset}",
                          f"malformed XML, reading stops here: {exc} (column {column})")
        return
    except UnicodeDecodeError as exc:
        yield SourceError(
            f"{name}:{state.line}", f"cannot decode as {exc.encoding} ({exc.reason}); reading stops here"
        )
        return
    except (OSError, EOFError, LookupError) as exc:
        # Unreadable file, corrupt or truncated archive, unknown declared encoding.
        yield SourceError(f"{name}:{state.line}", f"cannot read, reading stops here: {exc}")
        return
    if state.pages == 0 and state.root_name != "mediawiki":
        found = f"<{state.root_name}>" if state.root_name else "no element"
        yield SourceError(name, f"not a MediaWiki export: no <page> found (root is {found})")


_PAGE_END = re.compile(r"</(?:[\w.-]+:)?page\s*>")


class _Reader:
    """The parse of one export: the pull parser, the open elements, and where we are."""

    def __init__(self, path: str) -> None:
        self.path = path            # as origins name it
        self.parser = XMLPullParser(events=("start", "end"))
        self.stack: list[Element] = []
        self.builders: list[_PageBuilder] = []
        self.pages = 0
        self.line = 1
        self.line_offset = 0        # lines before the current parser's first (after a resync)
        self.root_name: str | None = None
        self.fed = 0                # characters fed so far
        self.revision_at: int | None = None   # `fed` when the open <revision> started
        self._head = ""

    def prolog(self, chunk: str) -> str:
        """The text before the root element, as far as seen (a DOCTYPE lives there)."""
        self._head = (self._head + chunk)[-4096:]
        return self._head

    def drain(self) -> Iterator[SourcePage | SourceError]:
        for event, elem in self.parser.read_events():
            name = _local(elem.tag)
            if event == "start":
                if self.root_name is None:
                    self.root_name = name
                self.stack.append(elem)
                if name == "page":
                    self.builders.append(_PageBuilder(self.line))
                elif name == "revision":
                    self.revision_at = self.fed
                continue
            self.stack.pop()
            parent = self.stack[-1] if self.stack else None
            if name == "revision":
                self.revision_at = None
            if name == "revision" and self.builders and parent is not None and _local(parent.tag) == "page":
                self.builders[-1].add(_Revision(elem))
                parent.remove(elem)  # a long history must not pile up in memory
            elif name == "page" and self.builders:
                self.pages += 1
                yield self.builders.pop().finish(elem, self.path)
                elem.clear()
                if parent is not None:
                    parent.remove(elem)

    def oversized(self) -> bool:
        return self.revision_at is not None and self.builders and self.fed - self.revision_at > MAX_REVISION_CHARS

    def skipped_page(self) -> SourceError:
        page = next((e for e in reversed(self.stack) if _local(e.tag) == "page"), None)
        title_elem = _child(page, "title") if page is not None else None
        title = (title_elem.text or "").strip() or None if title_elem is not None else None
        return SourceError(f"{self.path}:{self.builders[-1].line}",
                           f"a revision of more than {MAX_REVISION_CHARS} characters of XML: the page is skipped",
                           title)

    def resync(self, chunks: Iterator[str]) -> Iterator[SourcePage | SourceError]:
        """Skip to the end of the oversized page and go on with a fresh parser after it."""
        for chunk in chunks:
            if chunk.endswith("\n"):
                self.line += 1
            end = _PAGE_END.search(chunk)
            if end is None:
                continue
            self.parser = XMLPullParser(events=("start", "end"))
            self.parser.feed("<mediawiki>")       # stands for the real root, whose end tag follows
            self.stack, self.builders, self.revision_at = [], [], None
            self.line_offset = self.line - 1
            rest = chunk[end.end():]
            self.fed += len(rest)
            self.parser.feed(rest)
            yield from self.drain()
            return


def _safe_drain(drain: Callable[[], Iterator[SourcePage | SourceError]]) -> Iterator[SourcePage | SourceError]:
    """Pages completed before a parse error, if the parser still holds any."""
    try:
        yield from drain()
    except ParseError:
        return
