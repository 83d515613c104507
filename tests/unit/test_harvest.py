"""Harvest: the seed's dated facts; the corpus parses, round-trips and harvests without raising."""
import json
import sys
from pathlib import Path

import pytest

from bots.core.wikitext.article import Article
from bots.core.wikitext.harvest import harvest_article, harvest_page
from bots.core.wikitext.schema import load_schemas

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from corpus_pages import corpus_files, iter_file_pages  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def test_seed_facts_with_calendar_and_line():
    seed = (ROOT / "data/seed/000_6832f791a49da166.txt").read_text(encoding="utf-8")
    rec = harvest_page("October Revolution", seed, SCHEMAS)
    facts = {(f["text"], f["calendar"], f["line"]) for f in rec["facts"]}
    assert ("October 25th 1389", "julian", 3) in facts
    assert ("November 7th 1389", "gregorian", 3) in facts
    assert ("October 24th, 1389", "julian", 7) in facts
    assert ("November 12th, 1389", "unstated", 9) in facts
    assert ("January 5th 1390", "unstated", 9) in facts
    assert rec["pairs"] == [{"old_style": "1389-10-25", "new_style": "1389-11-07", "line": 3,
                             "consistent": False, "expected_new_style": "1389-11-02"}]


def test_infobox_dates_take_the_calendar_of_their_parameter():
    text = "{{Infobox historical event|name=X|universe=E|date=2 November 1389|date_os=25 October 1389}}"
    facts = {f["source"]: f for f in harvest_page("X", text, SCHEMAS)["facts"]}
    assert facts["infobox:date"]["calendar"] == "gregorian"
    assert facts["infobox:date_os"]["calendar"] == "julian"


@pytest.mark.corpus
@pytest.mark.parametrize("name", [str(p.relative_to(CORPUS)) for p in corpus_files(CORPUS)] if CORPUS.is_dir()
                         else ["(corpus absent)"])
def test_corpus_round_trips_and_harvests(corpus_dir, name):
    pages = 0
    for origin, title, text in iter_file_pages(corpus_dir / name):
        art = Article(title, text)
        assert str(art) == text, f"round trip lost bytes: {origin}"
        json.dumps(harvest_article(art, SCHEMAS))
        pages += 1
    assert pages > 0 or name.startswith(("dbpedia-extraction-framework/dataparser",
                                         "mediawiki-core-import-xml", "sweble-wikitext/dumpreader")), name


def test_the_harvest_and_the_date_rules_read_infobox_dates_alike():
    """One calendar convention (bots.core.dates.convention): date is N.S. where date_os exists."""
    from bots.core.wikitext.article import Article
    from bots.core.wikitext.harvest import infobox_dates
    from bots.core.check.rules.base import PageView
    from bots.core.check.rules.datebase import box_dates
    from bots.core.wikitext.schema import load_schemas

    schemas = load_schemas()
    text = ("{{Infobox historical event\n| name = X\n| date = 2 November 1389\n| date_os = 25 October 1389\n"
            "| end_date = 30 February 1390\n}}\n")
    harvested = {name: date for name, _value, date in infobox_dates(Article("X", text), schemas)}
    view = PageView("X", text, {"schemas": schemas})
    ruled = {name: bd.date for name, bd in box_dates(view, view.article.infobox).items()}
    assert harvested == ruled
    assert harvested["date"].calendar.value == "gregorian" and harvested["date_os"].calendar.value == "julian"


def test_facts_name_their_section_and_the_phrase_they_were_read_from():
    text = ("The '''Siege''' began on 3 May 1389 after a long winter.\n\n== Aftermath ==\n"
            "Peace was signed in [[Treaty of Narva|the treaty]] on 9 June 1390. Later things happened.\n")
    facts = {f["date"]: f for f in harvest_page("Siege", text, SCHEMAS)["facts"]}
    assert facts["1389-05-03"]["section"] is None
    assert facts["1389-05-03"]["phrase"] == "The Siege began on 3 May 1389 after a long winter."
    assert facts["1390-06-09"]["section"] == "Aftermath"
    assert facts["1390-06-09"]["phrase"] == "Peace was signed in the treaty on 9 June 1390."


def test_a_long_sentence_is_quoted_short_around_its_date():
    text = "Words " * 60 + "and then on 3 May 1389 it began " + "more " * 60 + "."
    fact = harvest_page("X", text, SCHEMAS)["facts"][0]
    assert "3 May 1389" in fact["phrase"] and len(fact["phrase"]) <= 160


def test_dated_links_are_harvested_from_the_same_scan():
    text = "It followed the [[October Revolution]] of 25 October 1389 (O.S.). See [[Petrograd]]."
    rec = harvest_page("X", text, SCHEMAS)
    assert rec["dated_links"] == [{"target": "October Revolution", "line": 1, "date": "1389-10-25",
                                   "calendar": "julian", "precision": "day", "text": "25 October 1389"}]


def test_the_harvest_of_many_pages_keeps_every_page():
    """Pages are handed to the workers ahead of their results (chunks of 50): a page's place in the
    stream, not the number of pages waiting, names it (the old key collided after 200 pages)."""
    from bots.harvest import harvest
    from bots.core.sources import SourcePage

    items = [SourcePage(f"Page {i}", f"It happened on {i % 28 + 1} May 1389.", f"f:{i}") for i in range(320)]
    doc = harvest(iter(items), SCHEMAS)
    assert doc["errors"] == [] and [r["title"] for r in doc["records"]] == [f"Page {i}" for i in range(320)]


def _items_with_errors():
    """A source's items: a page, a read error, a page over the budget's shape, its title again, pages."""
    from bots.core.sources import SourceError, SourcePage
    TEMPLATE_FLOOD = "{{a|" * 16384        # refused by its shape, at once

    return [SourcePage("Alpha", "On 3 May 1389 it began.", "d:1"),
            SourceError("d:2", "not well-formed XML"),
            SourcePage("Flood", TEMPLATE_FLOOD, "d:3"),
            SourcePage("Beta", "On 4 May 1389 it began.", "d:4"),
            SourcePage("Flood", "On 5 May 1389 it began.", "d:5"),      # the same title: one error
            SourcePage("alpha", "On 6 May 1389 it began.", "d:6"),      # "alpha" is "Alpha"
            SourcePage("Gamma", "On 7 May 1389 it began.", "d:7")]


def test_errors_are_in_the_source_s_order_whatever_the_workers_finish_first():
    from bots.core.check.run import once_each
    from bots.core.harvesting import harvest

    doc = harvest(once_each(_items_with_errors()), SCHEMAS, processes=2, echo=False)   # as offline_pages reads
    assert [e["origin"] for e in doc["errors"]] == ["d:2", "d:3", "d:5", "d:6"]


def test_pieces_harvested_apart_merge_into_the_document_of_the_whole_source():
    """A dump's pieces are harvested in separate tasks (-engine:dask): a title given twice across two
    pieces is the same error, at the same place, as when the source is read in one stream."""
    from bots.core.check.run import once_each
    from bots.core.harvesting import harvest, harvest_pieces, merge_docs
    from bots.core.sources.dumppieces import Piece

    items = _items_with_errors()
    whole = harvest(once_each(items), SCHEMAS, echo=False)      # the whole source, as offline_pages reads it
    for cut in range(len(items) + 1):       # the page over the budget and its title again: apart, or in one piece
        halves = {"first": items[:cut], "second": items[cut:]}
        parts = list(harvest_pieces([Piece("first"), Piece("second")], SCHEMAS, processes=2,
                                    read=lambda piece: iter(halves[piece.path]), echo=False))
        assert merge_docs(parts, echo=False) == whole, cut
