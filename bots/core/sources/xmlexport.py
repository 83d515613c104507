"""Write a MediaWiki XML export (schema 0.11, as MediaWiki 1.39 writes it) for Special:Import.

The document is streamed: each page is escaped, checked and written on its
own, so a bulk export never sits whole in memory. ``bots.core.sources.xmldump``
reads the output back with every page's text exactly as given.

Two details keep the text exact. Carriage returns are written as ``&#13;``
because an XML parser turns a literal CR LF into LF. Characters XML 1.0 cannot
hold at all (most C0 controls, lone surrogates, U+FFFE, U+FFFF) make the page
unexportable: ``check_page`` says why before anything is written.
"""
from __future__ import annotations

import bz2
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import BinaryIO

from bots.core.wikitext.titles import NAMESPACES, namespace_of

__all__ = [
    "ExportPage",
    "NotExportable",
    "write_export",
    "export_bytes",
    "check_exportable",
    "check_page",
    "sha1_base36",
    "content_model",
]

_XMLNS = "http://www.mediawiki.org/xml/export-0.11/"
_ROOT = (
    f'<mediawiki xmlns="{_XMLNS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    f' xsi:schemaLocation="{_XMLNS} http://www.mediawiki.org/xml/export-0.11.xsd"'
    ' version="0.11" xml:lang="en">\n'
)
_GENERATOR = "gmw-bots xmlexport"
# XML 1.0 "Char": everything else cannot appear in a document, not even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_FORMATS = {
    "wikitext": "text/x-wiki",
    "css": "text/css",
    "javascript": "text/javascript",
    "json": "application/json",
    "Scribunto": "text/plain",
}


@dataclass(frozen=True)
class ExportPage:
    """One page to export, as a single revision."""

    title: str  # full title, namespace prefix included ("Template:Foo")
    text: str
    namespace: int = 0
    timestamp: str | None = None  # "2026-11-26T12:00:00Z"; None: the time of writing (UTC)
    comment: str = ""
    username: str = ""  # "": no contributor (the importer records "Unknown user")
    minor: bool = False


class NotExportable(ValueError):
    """A page an XML export cannot carry; `title` and `reason` say which and why."""

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(f"{title!r}: {reason}")
        self.title = title
        self.reason = reason


def _escape(value: str) -> str:
    return value.translate(_ESCAPES)


def sha1_base36(text: str) -> str:
    """SHA-1 of the UTF-8 text in base 36, 31 digits: MediaWiki's rev_sha1 and <sha1>."""
    number = int.from_bytes(hashlib.sha1(text.encode("utf-8")).digest(), "big")
    digits = []
    while number:
        number, digit = divmod(number, 36)
        digits.append(_B36[digit])
    return "".join(reversed(digits)).rjust(31, "0")


def content_model(title: str, namespace: int) -> str:
    """The content model MediaWiki (with Scribunto) gives a new page of this title.

    Written out because the importer trusts <model>: a module or a site
    script imported as wikitext would stop working.
    """
    if namespace == 828:
        if title.endswith("/doc"):
            return "wikitext"
        return "json" if title.endswith(".json") else "Scribunto"
    if namespace == 8 or (namespace == 2 and "/" in title):
        for suffix, model in ((".css", "css"), (".js", "javascript"), (".json", "json")):
            if title.endswith(suffix):
                return model
    return "wikitext"


def check_exportable(text: str) -> str | None:
    """Why `text` cannot go into an XML export, or None if it can."""
    bad = _NOT_XML.search(text)
    if bad is None:
        return None
    char = bad.group()
    return f"character U+{ord(char):04X} at offset {bad.start()} is not allowed in XML 1.0"


def check_page(page: ExportPage) -> str | None:
    """Why `page` cannot be exported, or None if it can; write_export raises for these."""
    if not page.title or page.title != page.title.strip():
        return "title is empty or has surrounding whitespace"
    if page.namespace not in NAMESPACES or page.namespace < 0:
        return f"namespace {page.namespace} cannot be imported"
    # The importer splits the title by the <siteinfo> names: the prefix must be the canonical one.
    prefix = f"{NAMESPACES[page.namespace]}:" if page.namespace else ""
    if not page.title.startswith(prefix) or namespace_of(page.title[len(prefix) :]) != 0:
        return f"title does not start with the canonical prefix of namespace {page.namespace} ({prefix!r})"
    if page.timestamp is not None and not _valid_timestamp(page.timestamp):
        return f"timestamp {page.timestamp!r} is not YYYY-MM-DDTHH:MM:SSZ"
    for field in ("title", "text", "comment", "username"):
        reason = check_exportable(getattr(page, field))
        if reason:
            return f"{field}: {reason}"
    return None


def _valid_timestamp(value: str) -> bool:
    if not _TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return False
    return True


def _siteinfo(sitename: str, dbname: str, base: str) -> str:
    for name, value in (("sitename", sitename), ("dbname", dbname), ("base", base)):
        reason = check_exportable(value)
        if reason:
            raise ValueError(f"{name}: {reason}")
    lines = [
        "  <siteinfo>",
        f"    <sitename>{_escape(sitename)}</sitename>",
        f"    <dbname>{_escape(dbname)}</dbname>",
        f"    <base>{_escape(base)}</base>",
        f"    <generator>{_GENERATOR}</generator>",
        "    <case>first-letter</case>",
        "    <namespaces>",
    ]
    for key, name in sorted(NAMESPACES.items()):
        attrs = f'key="{key}" case="first-letter"'
        tail = f">{_escape(name)}</namespace>" if name else " />"
        lines.append(f"      <namespace {attrs}{tail}")
    lines += ["    </namespaces>", "  </siteinfo>", ""]
    return "\n".join(lines)


def _page(page: ExportPage, now: str) -> str:
    reason = check_page(page)
    if reason:
        raise NotExportable(page.title, reason)
    model = content_model(page.title, page.namespace)
    contributor = (
        f"<contributor>\n        <username>{_escape(page.username)}</username>\n      </contributor>"
        if page.username
        else "<contributor />"
    )
    lines = [
        "  <page>",
        f"    <title>{_escape(page.title)}</title>",
        f"    <ns>{page.namespace}</ns>",
        "    <revision>",
        f"      <timestamp>{page.timestamp or now}</timestamp>",
        f"      {contributor}",
    ]
    if page.minor:
        lines.append("      <minor />")
    if page.comment:  # MediaWiki leaves out an empty <comment>, so do we
        lines.append(f"      <comment>{_escape(page.comment)}</comment>")
    sha1 = sha1_base36(page.text)
    size = len(page.text.encode("utf-8"))
    lines += [
        f"      <model>{model}</model>",
        f"      <format>{_FORMATS[model]}</format>",
        f'      <text bytes="{size}" sha1="{sha1}" xml:space="preserve">{_escape(page.text)}</text>',
        f"      <sha1>{sha1}</sha1>",
        "    </revision>",
        "  </page>",
        "",
    ]
    return "\n".join(lines)


def write_export(
    pages: Iterable[ExportPage],
    out: BinaryIO,
    sitename: str = "Great Multiverse Wiki",
    dbname: str = "gmw",
    base: str = "http://127.0.0.1/index.php/Main_Page",
) -> int:
    """Write `pages` to `out` as one UTF-8 export document; return how many were written.

    A page that check_page() refuses raises NotExportable (a ValueError naming
    the title) before any of it is written; the document is then unfinished,
    so callers filter with check_page() first and report what they leave out.
    """
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # one time for the whole file
    out.write(b'<?xml version="1.0" encoding="utf-8"?>\n')
    out.write((_ROOT + _siteinfo(sitename, dbname, base)).encode("utf-8"))
    count = 0
    for page in pages:
        out.write(_page(page, now).encode("utf-8"))
        count += 1
    out.write(b"</mediawiki>\n")
    return count


def export_bytes(pages: Iterable[ExportPage], **kw: str) -> bytes:
    """The export document for `pages` as bytes (write_export's keywords apply)."""
    buffer = io.BytesIO()
    write_export(pages, buffer, **kw)
    return buffer.getvalue()


def write_multistream(pages: Iterable[ExportPage], out: BinaryIO, index: BinaryIO, per_stream: int = 100,
                      **kw: str) -> int:
    """Write `pages` as Wikimedia writes a multistream dump: one bz2 stream for the header, one for
    every `per_stream` pages, one for the footer; and its index (`index`, bz2 text) with one line
    "offset:pageid:title" per page, the offset being the byte where its page's stream starts.
    Page ids are 1, 2, ... in order. Returns how many pages were written."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    head = '<?xml version="1.0" encoding="utf-8"?>\n' + _ROOT + _siteinfo(
        kw.get("sitename", "Great Multiverse Wiki"), kw.get("dbname", "gmw"),
        kw.get("base", "http://127.0.0.1/index.php/Main_Page"))
    offset = out.write(bz2.compress(head.encode("utf-8")))
    lines = bz2.BZ2Compressor()
    count = 0
    batch: list[ExportPage] = []

    def flush() -> int:
        data = bz2.compress("".join(_page(p, now) for p in batch).encode("utf-8"))
        for n, p in enumerate(batch, start=count - len(batch) + 1):
            index.write(lines.compress(f"{offset}:{n}:{p.title}\n".encode("utf-8")))
        batch.clear()
        return out.write(data)

    for page in pages:
        batch.append(page)
        count += 1
        if len(batch) >= per_stream:
            offset += flush()
    if batch:
        offset += flush()
    out.write(bz2.compress(b"</mediawiki>\n"))
    index.write(lines.flush())
    return count
