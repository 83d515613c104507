"""Tests for bots.core.sources.xmlexport: what we write reads back exactly, and MediaWiki's hashes."""
from __future__ import annotations

import io
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.core.sources import SourcePage, iter_pages
from bots.core.wikitext.titles import NAMESPACES
from bots.core.sources.xmlexport import (
    ExportPage,
    NotExportable,
    check_exportable,
    check_page,
    content_model,
    export_bytes,
    sha1_base36,
    write_export,
)

NS = "{http://www.mediawiki.org/xml/export-0.11/}"
TS = "2026-11-26T12:00:00Z"

TRICKY = {
    "Cdata end": "a ]]> b <![CDATA[ c ]]>",
    "Ampersands": "&amp; & &#13; &lt; <ref name=\"x\">y</ref> 'q' \"dq\"",
    "Emoji": "🌌 multiverse 😀 — ünïcödé 日本語 \U0010fffd",
    "Crlf": "line one\r\nline two\r\n\r\nlone cr\rend",
    "Whitespace": "  \n\t leading and trailing \t \n\n  ",
    "Empty": "",
    "Controls allowed": "tab\there\x7f\x85\u2028 end",
    "Template:Infobox": "{{{1|}}} <includeonly>x</includeonly>",
    "Module:Data": "return { a = '<&>' }",
}


def read_back(tmp_path: Path, data: bytes) -> list[SourcePage]:
    path = tmp_path / "export.xml"
    path.write_bytes(data)
    items = list(iter_pages(path))
    assert all(isinstance(item, SourcePage) for item in items), items
    return items  # type: ignore[return-value]


def ns_of(title: str) -> int:
    prefix = title.partition(":")[0]
    return {name: key for key, name in NAMESPACES.items()}.get(prefix, 0) if ":" in title else 0


def test_round_trip_tricky_text(tmp_path: Path) -> None:
    pages = [ExportPage(title, text, ns_of(title), TS) for title, text in TRICKY.items()]
    got = read_back(tmp_path, export_bytes(pages))
    assert [(p.title, p.text, p.namespace, p.timestamp) for p in got] == [
        (p.title, p.text, p.namespace, TS) for p in pages
    ]


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)).filter(lambda c: check_exportable(c) is None)))
def test_round_trip_any_exportable_text(text: str) -> None:
    data = export_bytes([ExportPage("Fuzz", text, timestamp=TS)])
    root = ET.fromstring(data)
    assert (root.find(f"{NS}page/{NS}revision/{NS}text").text or "") == text
    # and through our own reader, which feeds the parser line by line
    with tempfile.TemporaryDirectory() as tmp:
        [page] = read_back(Path(tmp), data)
    assert page.text == text


def test_write_export_streams_and_counts(tmp_path: Path) -> None:
    class Recorder(io.BytesIO):
        writes = 0

        def write(self, b: bytes) -> int:  # type: ignore[override]
            Recorder.writes += 1
            return super().write(b)

    out = Recorder()
    n = write_export((ExportPage(f"Page {i}", f"text {i}", timestamp=TS) for i in range(50)), out)
    assert n == 50
    assert Recorder.writes >= 50  # one write per page at least, never one big string
    got = read_back(tmp_path, out.getvalue())
    assert [p.title for p in got] == [f"Page {i}" for i in range(50)]


def test_document_shape_follows_mediawiki_0_11() -> None:
    data = export_bytes([ExportPage("Template:X", "x", 10, TS, "why", "Bot", minor=True)])
    root = ET.fromstring(data)
    assert root.tag == f"{NS}mediawiki"
    assert root.get("version") == "0.11"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert [c.tag for c in root] == [f"{NS}siteinfo", f"{NS}page"]
    siteinfo = root.find(f"{NS}siteinfo")
    assert [c.tag.removeprefix(NS) for c in siteinfo] == [
        "sitename", "dbname", "base", "generator", "case", "namespaces"
    ]
    assert siteinfo.findtext(f"{NS}sitename") == "Great Multiverse Wiki"
    spaces = {int(n.get("key")): (n.text or "") for n in siteinfo.find(f"{NS}namespaces")}
    assert spaces == NAMESPACES
    assert {n.get("case") for n in siteinfo.find(f"{NS}namespaces")} == {"first-letter"}
    page = root.find(f"{NS}page")
    assert [c.tag.removeprefix(NS) for c in page] == ["title", "ns", "revision"]
    revision = page.find(f"{NS}revision")
    assert [c.tag.removeprefix(NS) for c in revision] == [
        "timestamp", "contributor", "minor", "comment", "model", "format", "text", "sha1"
    ]
    assert revision.findtext(f"{NS}contributor/{NS}username") == "Bot"
    text = revision.find(f"{NS}text")
    assert text.get("bytes") == "1"
    assert text.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"
    assert text.get("sha1") == revision.findtext(f"{NS}sha1") == sha1_base36("x")


def test_optional_revision_fields_left_out_like_mediawiki() -> None:
    revision = ET.fromstring(export_bytes([ExportPage("X", "x", timestamp=TS)])).find(f"{NS}page/{NS}revision")
    assert [c.tag.removeprefix(NS) for c in revision] == [
        "timestamp", "contributor", "model", "format", "text", "sha1"
    ]
    assert list(revision.find(f"{NS}contributor")) == []


def test_bytes_counts_utf8_of_exact_text() -> None:
    text = "😀 é\r\n "
    root = ET.fromstring(export_bytes([ExportPage("X", text, timestamp=TS)]))
    assert root.find(f"{NS}page/{NS}revision/{NS}text").get("bytes") == str(len(text.encode("utf-8")))


# --- sha1 ----------------------------------------------------------------------

# Values from MediaWiki's own 0.11 test exports (tests/phpunit/data/dumps).
@pytest.mark.parametrize(
    ("text", "sha1"),
    [
        ("Lorem ipsum dolor sit amet", "6nfnbjxiegpvuooe4zsuf5h1610qbrt"),
        ("Hello", "syvtbocopvw4f81bf07ocly0sl8ybqo"),
        ("This is a slot", "p2w9gtded1hduym7e0wokxbezokvq8c"),
        # MediaWiki's hash of the empty text (revision rows of empty pages).
        ("", "phoiac9h4m842xq45sp7s6u21eteeq1"),
    ],
)
def test_sha1_base36_known_values(text: str, sha1: str) -> None:
    assert sha1_base36(text) == sha1


def test_sha1_base36_is_padded_to_31_digits() -> None:
    for text in ("a", "b", "Pear", "x" * 1000):
        assert re.fullmatch("[0-9a-z]{31}", sha1_base36(text))


@pytest.mark.corpus
def test_sha1_matches_corpus_exports(corpus_dir: Path) -> None:
    """Every real (not placeholder) <sha1> in pywikibot's test exports matches its text."""
    checked = 0
    for path in sorted((corpus_dir / "pywikibot-xml-exports").glob("*.xml")):
        for revision in ET.parse(path).getroot().iter():
            if not revision.tag.endswith("}revision"):
                continue
            fields = {c.tag.rpartition("}")[2]: c for c in revision}
            if "sha1" in fields and "text" in fields and fields["sha1"].text:
                text = fields["text"].text or ""
                if path.name in {"dummy-reflinks.xml", "dummy-template.xml"}:
                    continue  # hand-made files with made-up hashes ("...87b1", "...87b2")
                assert sha1_base36(text) == fields["sha1"].text, path.name
                checked += 1
    assert checked >= 5


# --- what cannot be exported -----------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x0b", "\x0c", "\x1f", "\ufffe", "\uffff", "\ud800"])
def test_non_xml_characters_are_reported(bad: str) -> None:
    reason = check_exportable(f"ok{bad}ok")
    assert reason and f"U+{ord(bad):04X}" in reason and "offset 2" in reason
    with pytest.raises(ValueError, match="Broken page") as info:
        export_bytes([ExportPage("Broken page", f"ok{bad}", timestamp=TS)])
    assert isinstance(info.value, NotExportable)
    assert info.value.title == "Broken page"


def test_error_leaves_only_whole_pages_written() -> None:
    out = io.BytesIO()
    pages = [ExportPage("Good", "fine", timestamp=TS), ExportPage("Bad", "\x00", timestamp=TS)]
    with pytest.raises(NotExportable):
        write_export(pages, out)
    data = out.getvalue().decode("utf-8")
    assert data.count("<page>") == data.count("</page>") == 1
    assert "Bad" not in data


def test_caller_can_filter_with_check_page(tmp_path: Path) -> None:
    pages = [ExportPage(title, text, timestamp=TS) for title, text in (("A", "a"), ("B", "b\x08"), ("C", "c"))]
    kept = [p for p in pages if check_page(p) is None]
    assert [p.title for p in read_back(tmp_path, export_bytes(kept))] == ["A", "C"]


@pytest.mark.parametrize(
    ("page", "words"),
    [
        (ExportPage("Foo", "x", 10), "canonical prefix"),
        (ExportPage("Template:Foo", "x", 0), "canonical prefix"),
        (ExportPage("Image:Foo", "x", 6), "canonical prefix"),
        (ExportPage("Special:Foo", "x", -1), "cannot be imported"),
        (ExportPage("Foo", "x", 99), "cannot be imported"),
        (ExportPage("", "x"), "title"),
        (ExportPage(" Foo", "x"), "title"),
        (ExportPage("Foo", "x", timestamp="2026-11-26 12:00:00"), "timestamp"),
        (ExportPage("Foo", "x", timestamp="2026-02-30T12:00:00Z"), "timestamp"),
        (ExportPage("Foo", "x", comment="\x07"), "comment"),
        (ExportPage("Foo", "x", username="\x07"), "username"),
    ],
)
def test_check_page_reasons(page: ExportPage, words: str) -> None:
    reason = check_page(page)
    assert reason and words in reason
    with pytest.raises(NotExportable):
        export_bytes([page])


# --- determinism and defaults --------------------------------------------------------


def test_output_is_deterministic_with_fixed_timestamps() -> None:
    pages = [ExportPage(title, text, ns_of(title), TS, "c", "U") for title, text in TRICKY.items()]
    assert export_bytes(pages) == export_bytes(list(pages))
    assert export_bytes(pages, sitename="S", dbname="d", base="http://x/") != export_bytes(pages)


def test_default_timestamp_is_now_utc(tmp_path: Path) -> None:
    [page] = read_back(tmp_path, export_bytes([ExportPage("X", "x")]))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", page.timestamp or "")


def test_siteinfo_values_are_escaped() -> None:
    root = ET.fromstring(export_bytes([], sitename="A & <B>", base="http://x/?a=1&b=2"))
    assert root.findtext(f"{NS}siteinfo/{NS}sitename") == "A & <B>"
    assert root.findtext(f"{NS}siteinfo/{NS}base") == "http://x/?a=1&b=2"


def test_empty_export_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(export_bytes([]))
    assert list(iter_pages(path)) == []


@pytest.mark.parametrize(
    ("title", "ns", "model", "fmt"),
    [
        ("Foo", 0, "wikitext", "text/x-wiki"),
        ("Module:Foo", 828, "Scribunto", "text/plain"),
        ("Module:Foo/doc", 828, "wikitext", "text/x-wiki"),
        ("Module:Foo.json", 828, "json", "application/json"),
        ("MediaWiki:Common.css", 8, "css", "text/css"),
        ("MediaWiki:Common.js", 8, "javascript", "text/javascript"),
        ("User:Bot/common.js", 2, "javascript", "text/javascript"),
        ("User:Foo.css", 2, "wikitext", "text/x-wiki"),
    ],
)
def test_content_model_follows_mediawiki_defaults(title: str, ns: int, model: str, fmt: str) -> None:
    assert content_model(title, ns) == model
    revision = ET.fromstring(export_bytes([ExportPage(title, "x", ns, TS)])).find(f"{NS}page/{NS}revision")
    assert (revision.findtext(f"{NS}model"), revision.findtext(f"{NS}format")) == (model, fmt)
