"""Small holes in reading sources: exit codes, long titles, '#' in file names, duplicate titles, NUL."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.check import main as check_main
from bots.core.wikitext.article import Article
from bots.core.publish.items import Item, Rejected, iter_items
from bots.core.wikitext.schema import load_schemas
from bots.core.sources import SourceError, iter_pages
from bots.core.wikitext.titles import MAX_STEM_BYTES, TITLE_INDEX, filename_to_title, is_shortened, title_to_filename
from bots.generate import main as generate_main

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
LONG = "The very long and carefully documented " + "history of the assembly of delegates " * 5 + "and their records (Earth-1389)"


def test_the_long_title_is_valid_and_too_long_for_a_file_name():
    from bots.core.wikitext.titles import validate_title
    # 254 bytes: a valid title (at most 255), and with ".wikitext" too long for a file name (255)
    assert len(LONG.encode()) == 254 and validate_title(LONG) == LONG


@pytest.mark.parametrize("make", ["non-utf8", "malformed-xml", "bad-records"])
def test_check_exits_3_when_a_source_cannot_be_read(tmp_path, capsys, make):
    if make == "non-utf8":
        (tmp_path / "Good.wikitext").write_text("{{Universe|Earth-1389}}\nFine.\n", encoding="utf-8")
        (tmp_path / "Latin1.wikitext").write_bytes(b"caf\xe9")
        source = tmp_path
    elif make == "malformed-xml":
        source = tmp_path / "dump.xml"
        source.write_text("<mediawiki><page><title>A</title><revision><text>x</text></revision></page><page>",
                          encoding="utf-8")
    else:
        source = tmp_path / "records.yaml"
        source.write_text("universe: Earth-1389\narticles:\n  - title: A\n    nonsense: 1\n", encoding="utf-8")
    assert check_main(f"-source:{source}", "-format:json") == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out)["errors"] and "error:" in captured.err


def test_generate_shortens_a_long_title_and_check_and_publish_read_it_back(tmp_path, capsys):
    records = tmp_path / "r.yaml"
    records.write_text(
        "universe: Earth-1389\narticles:\n"
        f"  - title: {LONG}\n    infobox: {{name: Long, date: 1 May 1389}}\n    lead: A long one.\n"
        "  - title: Short one\n    infobox: {name: Short, date: 2 May 1389}\n    lead: A short one.\n",
        encoding="utf-8")
    out = tmp_path / "out"
    assert generate_main(f"-source:{records}", f"-out:{out}", "-format:json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["written"] == [LONG, "Short one"] and doc["errors"] == []
    names = sorted(p.name for p in out.iterdir())
    long_file = [n for n in names if n.endswith(".wikitext") and n != "Short_one.wikitext"]
    assert len(long_file) == 1 and is_shortened(long_file[0]) and TITLE_INDEX in names
    assert len(long_file[0].encode()) <= MAX_STEM_BYTES + len(".wikitext")
    pages = {p.title: p for p in iter_pages(out)}
    assert set(pages) == {LONG, "Short one"}
    items = [i for i in iter_items(out, SCHEMAS)]
    assert sorted(i.title for i in items if isinstance(i, Item)) == sorted([LONG, "Short one"])
    assert check_main(f"-source:{out}", "-format:json") == 0
    assert json.loads(capsys.readouterr().out)["pages"] == 2
    # Generated again: nothing changes, the index is not appended to twice.
    assert generate_main(f"-source:{records}", f"-out:{out}", "-format:json") == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == [LONG, "Short one"]
    assert (out / TITLE_INDEX).read_text(encoding="utf-8").count("\n") == 1


def test_a_shortened_name_without_its_index_is_an_error_not_a_wrong_title(tmp_path):
    (tmp_path / (title_to_filename(LONG) + ".wikitext")).write_text("x", encoding="utf-8")
    [item] = list(iter_pages(tmp_path))
    assert isinstance(item, SourceError) and TITLE_INDEX in item.message
    (tmp_path / TITLE_INDEX).write_text(f"{title_to_filename(LONG)}\tSomething else\n", encoding="utf-8")
    [item] = list(iter_pages(tmp_path))
    assert isinstance(item, SourceError) and "would differ" in item.message


def test_names_that_look_shortened_are_escaped_and_round_trip():
    title = "Event~0123456789abcdef"
    name = title_to_filename(title)
    assert not is_shortened(name) and filename_to_title(name) == title


def test_a_hash_in_a_file_name_is_rejected_by_check_and_publish(tmp_path, capsys):
    (tmp_path / "Foo#bar.wikitext").write_text("{{Universe|Earth-1389}}\nText.\n", encoding="utf-8")
    (tmp_path / "Other.wikitext").write_text("{{Universe|Earth-1389}}\nText.\n", encoding="utf-8")
    items = list(iter_items(tmp_path, SCHEMAS))
    [rejected] = [i for i in items if isinstance(i, Rejected)]
    assert "'#' in the file name" in rejected.reason and "Foo#bar.wikitext" in rejected.origin
    assert [i.title for i in items if isinstance(i, Item)] == ["Other"]
    assert check_main(f"-source:{tmp_path}", "-format:json") == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["pages"] == 1 and any("'#' in the file name" in e for e in doc["errors"])


def test_check_and_publish_agree_on_duplicate_titles(tmp_path, capsys):
    for name in ("Foo_bar", "foo bar", "Other"):
        (tmp_path / f"{name}.wikitext").write_text("{{Universe|Earth-1389}}\nText.\n", encoding="utf-8")
    published = [i for i in iter_items(tmp_path, SCHEMAS)]
    [dup] = [i for i in published if isinstance(i, Rejected)]
    assert check_main(f"-source:{tmp_path}", "-format:json") == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["pages"] == 2
    [error] = doc["errors"]
    first = next(i.origin for i in published if isinstance(i, Item) and i.title == "Foo bar")
    assert error.startswith(dup.origin) and f"the same page as {first}" in error
    assert dup.reason.replace("published", "checked") in error


def test_text_after_nul_is_kept_in_the_parsed_model():
    text = "{{Universe|Earth-1389}}\nBefore\x00after [[Hidden link]] {{Infobox historical event|name=X}}\x00end"
    article = Article("Nul", text)
    assert str(article) == text
    assert [link.target for link in article.links] == ["Hidden link"]
    assert article.infobox is not None and article.universe == "Earth-1389"


def test_check_sees_the_markup_after_a_nul(tmp_path, capsys):
    (tmp_path / "Nul.wikitext").write_text("{{Universe|Earth-1389}}\nA\x00 [[Nowhere page]]\n", encoding="utf-8")
    check_main(f"-source:{tmp_path}", "-format:json")
    doc = json.loads(capsys.readouterr().out)
    assert [f["rule"] for f in doc["findings"]] == ["link-to-missing-page"]
