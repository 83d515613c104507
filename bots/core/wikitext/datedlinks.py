"""Dated links: "the [[October Revolution]] of 25 October 1389 (O.S.)" dates its target. Pure.

A link "dates" its target when a date follows it in the same sentence, joined only by a short
connector: "the [[October Revolution]] of 25 October 1389 (O.S.)", "[[X]] (1389–1394)",
"[[X]] on 12 November 1389", "[[X]], in 1394", "[[X]], which began in 1394". Anything else between
the link and the date (another link, a sentence end, template or table markup, a verb that is not
about the event, more than 40 characters) and the date is not taken for the target's: a reader
must not invent claims the text does not make. Read from a page's one date scan, so the harvest
(its records) and the cross-page rules (their checks) find the same dated links.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterator

from bots.core.dates.model import Date, DateMention, DateScan
from bots.core.wikitext.article import Article
from bots.core.wikitext.titles import namespace_of, normalize_title

__all__ = ["MAX_GAP", "DatedLink", "dated_links", "is_interwiki"]

MAX_GAP = 40   # characters allowed between a link's "]]" and the date that dates it
_LINK_RE = re.compile(r"\[\[([^\[\]{}|\n]+)(?:\|[^\[\]\n]*)?\]\]")
# What may stand between a link and the date that dates it; a verb, if any, must be about the event.
_GAP_RE = re.compile(
    r"\s*,?\s*(?:(?:which|that)\s+)?(?:(?:was|were|is)\s+)?"
    r"(?:(?:first\s+)?(?:held|fought|signed|proclaimed|founded|established|began|begun|started"
    r"|took\s+place|broke\s+out|happened|occurred|met|dated)\s+)?"
    r"(?:(?:of|on|in|from)\s+(?:the\s+year\s+)?)?\(?\s*", re.I)
# Interwiki prefixes are not modelled by `titles`: links such as [[w:Foo]] or [[de:Foo]] are not pages here.
_INTERWIKI = {"w", "wikipedia", "wikt", "wiktionary", "commons", "c", "meta", "m", "mw", "wikidata", "d",
              "species", "wikiquote", "q", "wikisource", "s", "wikibooks", "b", "wikinews", "n",
              "wikiversity", "v", "wikivoyage", "voy", "phab", "gerrit"}
_LANG_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z]{2,8})?")


@dataclass(frozen=True, slots=True)
class DatedLink:
    target: str
    line: int
    date: Date
    text: str       # the date as the linking page writes it

    def __reduce__(self):       # faster than dataclasses' __getstate__ for slots classes
        return DatedLink, (self.target, self.line, self.date, self.text)


def is_interwiki(target: str) -> bool:
    prefix, colon, rest = target.partition(":")
    if not colon or " " in prefix or rest[:1] == " ":
        return False
    return prefix.lower() in _INTERWIKI or _LANG_CODE.fullmatch(prefix.lower()) is not None


def dated_links(article: Article, scan: DateScan) -> Iterator[DatedLink]:
    """The links that a date right after them dates (see the module doc), each with that date: for
    a pair its O.S. side; the end of a range and invalid dates never."""
    text = article.text
    mentions = scan.dates                      # in text order
    starts = [m.start for m in mentions]
    os_side = {id(p.new_style): p.old_style for p in scan.pairs}
    os_side.update({id(p.old_style): p.old_style for p in scan.pairs})
    for lm in _LINK_RE.finditer(text):
        i = bisect_left(starts, lm.end())
        if i == len(mentions) or mentions[i].start - lm.end() > MAX_GAP:
            continue
        gap = text[lm.end():mentions[i].start]
        if gap.count("\n") > 1 or not _GAP_RE.fullmatch(gap):
            continue
        target = normalize_title(lm.group(1))
        if not target or namespace_of(target) != 0 or is_interwiki(target):
            continue
        mention: DateMention = os_side.get(id(mentions[i]), mentions[i])   # a pair: its O.S. side
        if mention.role == "end" or not mention.date.valid:
            continue
        yield DatedLink(target, article.line_at(lm.start()), mention.date, mention.text)
