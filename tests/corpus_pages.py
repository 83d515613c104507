"""Every page of the third-party corpus (../shared/corpus), for round-trip tests and benchmarks.

Yields (origin, title, text): pages of the XML exports, loose wikitext files, the wikitext inputs and
articles of MediaWiki's parser tests, and the inputs of mwparserfromhell's .mwtest cases.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bots.core.sources import SourcePage, iter_pages

__all__ = ["corpus_files", "iter_file_pages", "iter_corpus_pages"]

_LOOSE = ("wtf_wikipedia-cache/*.txt", "wpcleaner-test-pages/*.txt", "sweble-wikitext/*/*.wikitext",
          "dbpedia-extraction-framework/wikitext-snippets/*.wiki")
_XML = ("**/*.xml", "**/*.bz2")
_PARSER_TESTS = ("parsoid-parsertests/*ParserTests.txt", "parsoid-parsertests/parserTests.txt",
                 "parsoid-parsertests/separatorTests.txt", "mediawiki-extension-parsertests/*.txt")
_SECTION = re.compile(r"^!!\s*(\w+)\s*$")


def corpus_files(corpus: Path) -> list[Path]:
    files: set[Path] = set()
    for pattern in _LOOSE + _XML + _PARSER_TESTS + ("mwparserfromhell-mwtest/*.mwtest",):
        files.update(p for p in corpus.glob(pattern) if p.is_file() and p.name != "SOURCES.md")
    # dbpedia's dataparser XML files are not exports; they hold no pages and yield only errors.
    return sorted(files)


def _parser_test_pages(path: Path) -> Iterator[tuple[str, str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    section, start, name = None, 0, ""
    for i, line in enumerate(lines + ["!! end"]):
        m = _SECTION.match(line)
        if not m:
            continue
        if section in ("wikitext", "text"):
            yield f"{path}:{start + 1}", name or f"Test {start + 1}", "\n".join(lines[start:i])
        section, start = m.group(1), i + 1
        if section in ("test", "article"):
            name = lines[i + 1].strip() if i + 1 < len(lines) else ""


def _mwtest_pages(path: Path) -> Iterator[tuple[str, str, str]]:
    for i, line in enumerate(path.read_text(encoding="utf-8").split("\n")):
        if line.startswith("input:"):
            # As mwparserfromhell's own loader reads it: the quotes dropped, backslash escapes decoded.
            raw = line[len("input:"):].strip()[1:-1]
            yield f"{path}:{i + 1}", f"Mwtest {i + 1}", raw.encode("raw_unicode_escape").decode("unicode_escape")


def iter_file_pages(path: Path) -> Iterator[tuple[str, str, str]]:
    name = path.name
    if path.suffix == ".mwtest":
        yield from _mwtest_pages(path)
    elif name.endswith((".xml", ".bz2")):
        for item in iter_pages(path):
            if isinstance(item, SourcePage):
                yield item.origin, item.title, item.text
    elif "parsertests" in str(path.parent):
        yield from _parser_test_pages(path)
    else:
        yield str(path), path.stem.replace("-", " "), path.read_text(encoding="utf-8", errors="replace")


def iter_corpus_pages(corpus: Path) -> Iterator[tuple[str, str, str]]:
    for path in corpus_files(corpus):
        yield from iter_file_pages(path)
