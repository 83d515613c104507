"""Page sources: .wikitext folders, MediaWiki XML exports, pagefromfile files."""
from __future__ import annotations

import bz2
import gzip
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bots.core.sources.pagefile import parse_pagefile
from bots.core.sources import SourceError, SourcePage, detect_kind, iter_pages
from bots.core.sources.xmldump import sniff_encoding


def pages_of(items: list) -> list[SourcePage]:
    return [i for i in items if isinstance(i, SourcePage)]


def errors_of(items: list) -> list[SourceError]:
    return [i for i in items if isinstance(i, SourceError)]


def export(body: str, version: str = "0.10") -> str:
    return (
        f'<mediawiki xmlns="http://www.mediawiki.org/xml/export-{version}/" version="{version}">\n'
        f"{body}</mediawiki>\n"
    )


def page(title: str, *revisions: str, ns: int | None = 0) -> str:
    ns_line = f"    <ns>{ns}</ns>\n" if ns is not None else ""
    return f"  <page>\n    <title>{title}</title>\n{ns_line}" + "".join(revisions) + "  </page>\n"


def rev(revid: int, text: str, ts: str = "2024-01-01T00:00:00Z") -> str:
    return (
        f"    <revision>\n      <id>{revid}</id>\n      <timestamp>{ts}</timestamp>\n"
        f'      <contributor><username>U</username><id>7</id></contributor>\n'
        f'      <text xml:space="preserve">{text}</text>\n    </revision>\n'
    )


# --- dispatch ---------------------------------------------------------------


def test_detect_kind(tmp_path: Path) -> None:
    assert detect_kind(tmp_path) == "folder"
    for name in ("a.xml", "a.XML", "a.xml.bz2", "a.bz2", "a.xml.gz", "dump.xml-p1p2.bz2"):
        assert detect_kind(tmp_path / name) == "xml", name
    for name in ("pages.txt", "dict"):
        assert detect_kind(tmp_path / name) == "pagefile", name
    assert detect_kind(tmp_path / "a.wikitext") == "file"


def test_single_wikitext_file_is_one_page(tmp_path: Path) -> None:
    (tmp_path / "October_Revolution.wikitext").write_text("Text.", encoding="utf-8")
    [page] = list(iter_pages(tmp_path / "October_Revolution.wikitext"))
    assert (page.title, page.text) == ("October Revolution", "Text.")


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    [err] = list(iter_pages(tmp_path / "nope.xml"))
    assert isinstance(err, SourceError)
    assert "nope.xml" in err.origin


# --- folder -----------------------------------------------------------------


def test_folder_reads_wikitext_files_in_order(tmp_path: Path) -> None:
    (tmp_path / "b_page.wikitext").write_text("B\r\ntext", encoding="utf-8")
    (tmp_path / "Module:Dates%2Fdata.wikitext").write_text("return {}", encoding="utf-8")
    (tmp_path / "A.wikitext").write_bytes("\ufeff#REDIRECT [[B]]".encode())
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Deep.wikitext").write_text("not read", encoding="utf-8")
    items = list(iter_pages(tmp_path))
    assert [p.title for p in items] == ["A", "Module:Dates/data", "b page"]
    assert items[0].text == "#REDIRECT [[B]]"  # BOM dropped
    assert items[2].text == "B\r\ntext"  # otherwise byte for byte
    assert items[2].origin == str(tmp_path / "b_page.wikitext")


def test_folder_non_utf8_file_is_an_error_and_the_rest_goes_on(tmp_path: Path) -> None:
    (tmp_path / "Good.wikitext").write_text("fine", encoding="utf-8")
    (tmp_path / "Latin1.wikitext").write_bytes(b"line one\ncaf\xe9\n")
    (tmp_path / "Zed.wikitext").write_text("also fine", encoding="utf-8")
    items = list(iter_pages(tmp_path))
    assert [p.title for p in pages_of(items)] == ["Good", "Zed"]
    [err] = errors_of(items)
    assert err.origin == f"{tmp_path / 'Latin1.wikitext'}:2"
    assert "offset 12" in err.message and "0xe9" in err.message
    assert err.title == "Latin1"


# --- XML: hand-made exports ---------------------------------------------------


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_export_0_3_without_ns(tmp_path: Path) -> None:
    path = write(tmp_path, "old.xml", export(page("Pear", rev(1, "old"), rev(2, "new &amp; &lt;b&gt;"), ns=None), "0.3"))
    [p] = list(iter_pages(path))
    assert (p.title, p.text, p.namespace, p.revid) == ("Pear", "new & <b>", None, 2)
    assert p.timestamp == "2024-01-01T00:00:00Z"
    assert p.origin == f"{path}:2"


def test_multi_revision_page_gives_the_newest(tmp_path: Path) -> None:
    body = page("A", rev(10, "first"), rev(11, "second"), rev(12, "third", "2024-02-02T00:00:00Z"))
    # Special:Export can list a history newest first: the id decides, not the order.
    body += page("B", rev(30, "newest"), rev(20, "older"), ns=1)
    items = list(iter_pages(write(tmp_path, "hist.xml", export(body))))
    assert [(p.title, p.text, p.revid, p.namespace) for p in items] == [
        ("A", "third", 12, 0),
        ("B", "newest", 30, 1),
    ]
    assert items[0].timestamp == "2024-02-02T00:00:00Z"


def test_redirects_are_ordinary_pages(tmp_path: Path) -> None:
    body = page("R", rev(1, "#REDIRECT [[T]]")).replace("<ns>0</ns>", '<ns>0</ns><redirect title="T" />')
    [p] = list(iter_pages(write(tmp_path, "r.xml", export(body))))
    assert p.text == "#REDIRECT [[T]]"


def test_bad_pages_are_errors_and_the_rest_goes_on(tmp_path: Path) -> None:
    deleted = '    <revision><id>5</id><text deleted="deleted" /></revision>\n'
    no_text = "    <revision><id>6</id></revision>\n"
    body = (
        page("Good one", rev(1, "x"))
        + page("Deleted", deleted)
        + page("No text", no_text)
        + page("No revision")
        + page("Bad ns", rev(2, "x")).replace("<ns>0</ns>", "<ns>main</ns>")
        + "  <page><ns>0</ns>" + rev(3, "x") + "</page>\n"
        + page("Empty", rev(4, ""))
    )
    items = list(iter_pages(write(tmp_path, "bad.xml", export(body))))
    assert [(type(i).__name__, i.title) for i in items] == [
        ("SourcePage", "Good one"),
        ("SourceError", "Deleted"),
        ("SourceError", "No text"),
        ("SourceError", "No revision"),
        ("SourceError", "Bad ns"),
        ("SourceError", None),
        ("SourcePage", "Empty"),
    ]
    assert "deleted" in items[1].message
    assert "no <text>" in items[2].message
    assert items[6].text == ""
    assert all(":" in i.origin for i in items)


def test_0_11_main_slot_text(tmp_path: Path) -> None:
    revision = (
        "    <revision><id>4</id><model>wikitext</model>\n"
        '      <text bytes="5" xml:space="preserve">Hello</text>\n'
        "      <content><role>extra</role><text>This is a slot</text></content>\n"
        "    </revision>\n"
    )
    slots_only = (
        "    <revision><id>5</id>\n"
        "      <content><role>extra</role><text>not this</text></content>\n"
        "      <content><role>main</role><text>main slot</text></content>\n"
        "    </revision>\n"
    )
    path = write(tmp_path, "s.xml", export(page("S", revision) + page("T", slots_only), "0.11"))
    assert [p.text for p in iter_pages(path)] == ["Hello", "main slot"]


def test_truncated_xml_yields_pages_then_one_error(tmp_path: Path) -> None:
    full = export(page("One", rev(1, "a")) + page("Two", rev(2, "b")) + page("Three", rev(3, "c")))
    cut = full[: full.index("<title>Three") + 10]
    items = list(iter_pages(write(tmp_path, "cut.xml", cut)))
    assert [p.title for p in pages_of(items)] == ["One", "Two"]
    assert isinstance(items[-1], SourceError) and len(errors_of(items)) == 1
    assert "malformed XML" in items[-1].message
    assert items[-1].origin.rsplit(":", 1)[1].isdigit()


def test_malformed_xml_reports_the_parsers_line(tmp_path: Path) -> None:
    text = export(page("One", rev(1, "a")) + "  <page><title>Two</titel></page>\n" + page("Three", rev(3, "c")))
    items = list(iter_pages(write(tmp_path, "bad.xml", text)))
    assert [p.title for p in pages_of(items)] == ["One"]
    [err] = errors_of(items)
    bad_line = text[: text.index("</titel>")].count("\n") + 1
    assert err.origin == f"{tmp_path / 'bad.xml'}:{bad_line}"
    assert "mismatched tag" in err.message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "iso-8859-1"])
def test_declared_encodings(tmp_path: Path, encoding: str) -> None:
    label = {"utf-8-sig": "UTF-8", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16"}.get(encoding, encoding.upper())
    text = f'<?xml version="1.0" encoding="{label}"?>\r\n' + export(page("Café", rev(1, "Zürich\r\nok")))
    [p] = list(iter_pages(write(tmp_path, "enc.xml", text, encoding)))
    assert (p.title, p.text) == ("Café", "Zürich\nok")  # XML turns CRLF into LF
    assert p.origin.endswith(":3")


def test_sniff_encoding() -> None:
    assert sniff_encoding(b"\xff\xfe<\x00") == "utf-16"
    assert sniff_encoding(b"\x00<\x00?\x00x") == "utf-16-be"
    assert sniff_encoding(b"<mediawiki>") == "utf-8"
    assert sniff_encoding(b'<?xml version="1.0" encoding="windows-1252"?>') == "cp1252"


@pytest.mark.parametrize(("name", "compress"), [("d.xml.bz2", bz2.compress), ("d.xml.gz", gzip.compress)])
def test_compressed_exports(tmp_path: Path, name: str, compress) -> None:
    path = tmp_path / name
    path.write_bytes(compress(export(page("Z", rev(1, "zipped"))).encode()))
    assert [p.text for p in iter_pages(path)] == ["zipped"]


def test_truncated_archive_is_an_error(tmp_path: Path) -> None:
    data = bz2.compress(export("".join(page(f"P{i}", rev(i, "x" * 50)) for i in range(200))).encode())
    path = tmp_path / "cut.xml.bz2"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_pages(path))
    assert isinstance(items[-1], SourceError) and len(errors_of(items)) == 1


def test_xml_that_is_not_an_export(tmp_path: Path) -> None:
    [err] = list(iter_pages(write(tmp_path, "other.xml", "<testValues><v>1</v></testValues>")))
    assert "not a MediaWiki export" in err.message
    assert list(iter_pages(write(tmp_path, "empty.xml", export("")))) == []


_SAMPLE = export(page("One", rev(1, "a")) + page("Two", rev(2, "b")) + page("Three", rev(3, "c")))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=len(_SAMPLE)))
def test_any_truncation_gives_pages_then_at_most_one_error(tmp_path_factory, cut: int) -> None:
    path = tmp_path_factory.mktemp("cut") / "x.xml"
    path.write_bytes(_SAMPLE[:cut].encode())
    items = list(iter_pages(path))
    kinds = [isinstance(i, SourcePage) for i in items]
    assert kinds == sorted(kinds, reverse=True)  # pages first, then errors
    assert len(errors_of(items)) <= 1


# --- pagefromfile -------------------------------------------------------------


PAGEFILE = """Notes before the first block are ignored.
{{-start-}}
'''October Revolution''' was a [[revolution]].

See also '''other bold'''.
{{-stop-}}
between blocks
{{-start-}}
No bold title in this block.
{{-stop-}}
{{-start-}}'''Talk:X'''{{-stop-}}
"""


def test_pagefile_blocks(tmp_path: Path) -> None:
    path = write(tmp_path, "dict.txt", PAGEFILE)
    items = list(iter_pages(path))
    assert [type(i).__name__ for i in items] == ["SourcePage", "SourceError", "SourcePage"]
    first, missing, last = items
    assert first.title == "October Revolution"
    # pagefromfile's default: the bold title stays in the text, which is stripped.
    assert first.text == "'''October Revolution''' was a [[revolution]].\n\nSee also '''other bold'''."
    assert first.origin == f"{path}:2"
    assert missing.origin == f"{path}:8" and "bold title" in missing.message
    assert (last.title, last.text, last.origin) == ("Talk:X", "'''Talk:X'''", f"{path}:11")


def test_pagefile_crlf_and_unterminated_block() -> None:
    data = b"{{-start-}}\r\n'''A'''\r\ntext\r\n{{-stop-}}\r\n{{-start-}}\r\n'''B''' never closed\r\n"
    items = list(parse_pagefile(data, "f.txt"))
    assert items[0] == SourcePage("A", "'''A'''\ntext", "f.txt:1")
    assert isinstance(items[1], SourceError) and items[1].origin == "f.txt:5"
    assert "{{-stop-}}" in items[1].message


def test_pagefile_without_blocks() -> None:
    [err] = list(parse_pagefile(b"just text", "f.txt"))
    assert "no {{-start-}}" in err.message


def test_pagefile_bad_bytes_spoil_only_their_block() -> None:
    data = b"{{-start-}}'''Good'''{{-stop-}}\r\n{{-start-}}\r\n'''Bad''' caf\xe9{{-stop-}}{{-start-}}'''Next'''{{-stop-}}"
    items = list(parse_pagefile(data, "f.txt"))
    assert [(type(i).__name__, i.title) for i in items] == [
        ("SourcePage", "Good"),
        ("SourceError", "Bad"),
        ("SourcePage", "Next"),
    ]
    assert "0xe9" in items[1].message and "offset 59" in items[1].message
    assert items[1].origin == "f.txt:2"


@given(st.binary(max_size=200) | st.text(alphabet="{}-startop'\n\r\xe9ab", max_size=80).map(str.encode))
def test_pagefile_never_raises(data: bytes) -> None:
    for item in parse_pagefile(data, "f.txt"):
        assert isinstance(item, (SourcePage, SourceError))


# --- the third-party corpus ---------------------------------------------------


def corpus_xml_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.name.lower().endswith((".xml", ".bz2")))


@pytest.mark.corpus
def test_every_corpus_xml_file_reads(corpus_dir: Path) -> None:
    files = corpus_xml_files(corpus_dir)
    assert len(files) >= 36
    for path in files:
        for item in iter_pages(path):
            assert isinstance(item, (SourcePage, SourceError)), path


# relative path -> (pages, errors, titles that must be there)
CORPUS_EXPECTED = {
    "pywikibot-xml-exports/article-pear-0.10.xml": (1, 0, ["Pear"]),
    "pywikibot-xml-exports/article-pear.xml": (1, 0, ["Pear"]),
    "pywikibot-xml-exports/article-pyrus.xml": (1, 0, ["Pyrus"]),
    "pywikibot-xml-exports/article-pyrus-utf16.xml": (1, 0, ["Pyrus"]),
    "pywikibot-xml-exports/dummy-reflinks.xml": (2, 0, ["Fake page", "Talk:Fake page"]),
    "pywikibot-xml-exports/dummy-template.xml": (3, 0, ["Fake page with msg"]),
    "pywikibot-xml-exports/pair-0.10.xml": (2, 0, ["Çullu, Agdam", "Talk:Çullu, Agdam"]),
    "gensim-wiki-dump-samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2": (
        206, 0, ["Anarchism", "Autism", "Abraham Lincoln", "Ayn Rand", "American Revolutionary War", "AfghanistanHistory"]),
    "gensim-wiki-dump-samples/enwiki-table-markup.xml.bz2": (5, 0, [
        "Constructive vote of no confidence", "List of Prison Break characters",
        "Academy Award for Best Production Design", "Economy of Estonia", "Brahui language"]),
    "gensim-wiki-dump-samples/bgwiki-latest-pages-articles-shortened.xml.bz2": (3, 0, ["Григориански календар"]),
    "dbpedia-extraction-framework/minidumps/en-wiki.xml.bz2": (27, 0, [
        "? (film)", "Angela Merkel", "Category:Pininfarina", "Ranma ½", 'Ren & Stimpy "Adult Party Cartoon"']),
    "dbpedia-extraction-framework/minidumps/de-wiki.xml.bz2": (2, 0, ["Arthur Schopenhauer", "Berlin"]),
    "dbpedia-extraction-framework/minidumps/fr-wiki.xml.bz2": (3, 0, ["Antoine Meillet", "Autriche", "Berlin"]),
    "dbpedia-extraction-framework/minidumps/ru-wiki.xml.bz2": (1, 0, ["Берлин"]),
    "dbpedia-extraction-framework/minidumps/uk-wiki.xml.bz2": (1, 0, ["Берлін"]),
    "dbpedia-extraction-framework/minidumps/pl-wiki.xml.bz2": (1, 0, ["Berlin"]),
    "mediawiki-core-import-xml/Slots.import-1.xml": (1, 0, ["{{page1_title}}"]),
    # Test templates with placeholders, not exports: errors, not crashes.
    "mediawiki-core-import-xml/Dupes.expected.0.11.xml": (0, 1, []),
    "mediawiki-core-import-xml/SiteInfo.0.11.xml": (0, 1, []),
}
for _v in ("0.5", "0.6", "0.8", "0.9", "0.10"):
    CORPUS_EXPECTED[f"sweble-wikitext/dumpreader-schema-samples/input-{_v}.xml"] = (1, 0, ["TITLE"])
    CORPUS_EXPECTED[f"sweble-wikitext/dumpreader-schema-samples/input-{_v}-page.xml"] = (1, 0, ["TITLE"])
    CORPUS_EXPECTED[f"sweble-wikitext/dumpreader-schema-samples/input-{_v}-revision.xml"] = (0, 1, [])


@pytest.mark.corpus
@pytest.mark.parametrize("relpath", sorted(CORPUS_EXPECTED))
def test_corpus_page_counts(corpus_dir: Path, relpath: str) -> None:
    n_pages, n_errors, titles = CORPUS_EXPECTED[relpath]
    items = list(iter_pages(corpus_dir / relpath))
    found = [p.title for p in pages_of(items)]
    assert (len(found), len(errors_of(items))) == (n_pages, n_errors), errors_of(items)
    assert set(titles) <= set(found)


@pytest.mark.corpus
def test_corpus_details(corpus_dir: Path) -> None:
    xml = corpus_dir / "pywikibot-xml-exports"
    [pear] = iter_pages(xml / "article-pear.xml")
    assert (pear.revid, pear.timestamp, pear.namespace) == (188924, "2002-08-31T05:53:10Z", None)
    [pyrus] = iter_pages(xml / "article-pyrus.xml")
    [pyrus16] = iter_pages(xml / "article-pyrus-utf16.xml")  # UTF-16BE, no BOM
    assert pyrus16.text == pyrus.text and pyrus16.revid == pyrus.revid
    assert [(p.revid, p.namespace) for p in iter_pages(xml / "pair-0.10.xml")] == [(237383099, 0), (237383127, 1)]

    enwiki = pages_of(list(iter_pages(
        corpus_dir / "gensim-wiki-dump-samples/enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")))
    assert Counter(p.namespace for p in enwiki) == {0: 205, 4: 1}
    assert sum(p.text.upper().startswith("#REDIRECT") for p in enwiki) == 100

    bg = pages_of(list(iter_pages(
        corpus_dir / "gensim-wiki-dump-samples/bgwiki-latest-pages-articles-shortened.xml.bz2")))
    assert [p.namespace for p in bg] == [0, 4, 4]
    assert "\r" not in bg[0].text

    mini = pages_of(list(iter_pages(corpus_dir / "dbpedia-extraction-framework/minidumps/en-wiki.xml.bz2")))
    assert Counter(p.namespace for p in mini) == {0: 26, 14: 1}

    [slots] = iter_pages(corpus_dir / "mediawiki-core-import-xml/Slots.import-1.xml")
    assert slots.text == "Hello"  # the main slot, not the "importexporttest" one
    [sweble] = iter_pages(corpus_dir / "sweble-wikitext/dumpreader-schema-samples/input-0.5.xml")
    assert (sweble.text, sweble.revid, sweble.namespace) == ("TEXT", 123456789, None)


def test_xml_bytes_not_in_the_declared_encoding(tmp_path: Path) -> None:
    good = page("One", rev(1, "a"))
    path = tmp_path / "latin.xml"
    path.write_bytes(export(good + page("Caf\xe9", rev(2, "b"))).encode("latin-1"))
    items = list(iter_pages(path))
    assert [p.title for p in pages_of(items)] == ["One"]
    [err] = errors_of(items)
    assert "utf-8" in err.message
