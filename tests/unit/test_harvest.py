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


def test_harvest_of_hundreds_of_pages_keeps_every_page():
    """The pool reads ahead while results come back: pages were numbered by len() of a dict that
    results are popped from, so the 200th page or so raised KeyError (or took another's place)."""
    from bots.core.harvesting import harvest as harvest_pages
    from bots.core.sources import SourcePage
    from bots.core.wikitext.schema import load_schemas

    pages = [SourcePage(f"Page {i}", f"{{{{Universe|Earth-1389}}}}\nText {i}.\n", f"x:{i}") for i in range(400)]
    doc = harvest_pages(iter(pages), load_schemas(), processes=1)
    assert [r["title"] for r in doc["records"]] == [p.title for p in pages]
