"""Harvest: pages -> JSON records of what they state (universe, infobox parameters, dated facts).

The records feed the cross-page checks and the `harvest` bot's JSON output:
  {"title", "universe", "universe_source", "infoboxes": [{"template", "line", "params"}],
   "facts": [{"text", "date", "calendar", "precision", "valid", "line", "role", "source", "section", "phrase"}],
   "pairs": [{"old_style", "new_style", "line", "consistent", "expected_new_style"}],
   "dated_links": [{"target", "line", "date", "calendar", "precision", "text"}],
   "links": [target, ...], "categories": [name, ...]}
`source` is "prose" or "infobox:<param>"; `section` the heading of the section a prose fact is in (None in
the lead and the infobox); `phrase` the short plain phrase it was read from (bots.core.wikitext.phrase);
`dated_links` the links a date right after them dates (bots.core.wikitext.datedlinks), from the same scan.
Dates are ISO ("1389-10-25", "1389-10", "1389").
"""
from __future__ import annotations

from bisect import bisect_right

from bots.core.wikitext.article import Article
from bots.core.dates.convention import convention_date, is_date_param
from bots.core.dates.scanner import Date, DateMention, find_dates, parse_date
from bots.core.wikitext.datedlinks import dated_links
from bots.core.wikitext.phrase import phrase_at
from bots.core.wikitext.schema import TemplateSchema

__all__ = ["harvest_article", "harvest_page", "infobox_dates"]


def infobox_dates(article: Article, schemas: dict[str, TemplateSchema]) -> list[tuple[str, str, Date]]:
    """(param, raw value, date) for the date parameters of the page's first infobox.

    In the wiki's calendar convention (bots.core.dates.convention)."""
    box = article.infobox
    if box is None:
        return []
    schema = schemas.get(box.name)
    params = box.params()
    names = set(schema.params) if schema else set(params)
    out = []
    for name, value in params.items():
        if value and is_date_param(name, schema):
            date = parse_date(value)
            if date is None:
                continue
            out.append((name, value, convention_date(name, date, names)))
    return out


def _fact(article: Article, m: DateMention, starts: list[int]) -> dict:
    d = m.date
    i = bisect_right(starts, m.start)
    return {"text": m.text, "date": d.iso(), "calendar": d.calendar.value, "precision": d.precision.value,
            "valid": d.valid, "line": m.line, "role": m.role, "source": "prose",
            "section": article.sections[i - 1].title if i else None,
            "phrase": phrase_at(article.text, m.start, m.end)}


def harvest_article(article: Article, schemas: dict[str, TemplateSchema] | None = None) -> dict:
    schemas = schemas or {}
    claims = article.universe_claims
    scan = find_dates(article.text)
    starts = [s.start for s in article.sections]
    facts = [_fact(article, m, starts) for m in scan.dates if article.infobox is None
             or not _inside_infobox(article, m.start)]
    box = article.infobox
    for name, value, date in infobox_dates(article, schemas):
        facts.append({"text": value, "date": date.iso(), "calendar": date.calendar.value,
                      "precision": date.precision.value, "valid": date.valid, "line": box.line,
                      "role": None, "source": f"infobox:{name}", "section": None,
                      "phrase": f"{name}: {' '.join(value.split())}"[:160]})
    pairs = []
    for p in scan.pairs:
        try:
            expected = p.expected_new_style().iso()
        except ValueError:
            expected = None
        pairs.append({"old_style": p.old_style.date.iso(), "new_style": p.new_style.date.iso(),
                      "line": p.line, "consistent": p.is_consistent(), "expected_new_style": expected})
    return {
        "title": article.title,
        "universe": claims[0].name if claims else None,
        "universe_source": claims[0].source if claims else None,
        "infoboxes": [{"template": b.name, "line": b.line, "params": b.params()} for b in article.infoboxes],
        "facts": facts,
        "pairs": pairs,
        "dated_links": [{"target": d.target, "line": d.line, "date": d.date.iso(),
                         "calendar": d.date.calendar.value, "precision": d.date.precision.value,
                         "text": d.text} for d in dated_links(article, scan)],
        "links": sorted({link.target for link in article.links}),
        "categories": [c.name for c in article.categories],
    }


def _inside_infobox(article: Article, offset: int) -> bool:
    return any(box.start <= offset < box.end for box in article.infoboxes)


def harvest_page(title: str, text: str, schemas: dict[str, TemplateSchema] | None = None) -> dict:
    return harvest_article(Article(title, text), schemas)
