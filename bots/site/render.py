"""`check -render` (site layer): ask MediaWiki to parse each page and report what only shows then.

One `action=parse` per page (the API parses one page a request) gives the rendered HTML, the
templates with whether they exist, and the categories, hidden tracking categories included. The
names of the error tracking categories are read once from the wiki's own messages.
"""
from __future__ import annotations

from typing import Iterable, Iterator

import pywikibot

from bots.core.wikitext.lines import line_of
from bots.core.check.rules.base import Finding, RULES
from bots.core.check.rules.render import error_spans, raw_template_code, red_links

__all__ = ["render_findings", "tracking_categories"]

# MediaWiki's message keys of the tracking categories that mean something went wrong.
_TRACKING = {"template-loop-category": "render-template-loop",
             "scribunto-common-error-category": "render-lua-error",
             "expansion-depth-exceeded-category": "render-error-category",
             "post-expand-template-inclusion-category": "render-error-category",
             "post-expand-template-argument-category": "render-error-category",
             "node-count-exceeded-category": "render-error-category",
             "expensive-parserfunction-category": "render-error-category",
             "broken-file-category": "render-error-category"}


def tracking_categories(site: pywikibot.site.APISite) -> dict[str, str]:
    """Category name (as the API gives it, underscores) -> rule id."""
    data = site.simple_request(action="query", meta="allmessages", ammessages="|".join(_TRACKING),
                               formatversion=2).submit()
    out = {}
    for msg in data["query"]["allmessages"]:
        if "content" in msg and msg["content"]:
            out[msg["content"].replace(" ", "_")] = _TRACKING[msg["name"]]
    return out


def _finding(page: str, rule: str, line: int, message: str) -> Finding:
    return Finding(page, rule, RULES[rule].severity, line, message)


def _line_of(wikitext: str, needle: str) -> int:
    at = wikitext.find(needle)
    return line_of(wikitext, at) if at >= 0 else 1


def render_findings(site: pywikibot.site.APISite, titles: Iterable[str]) -> Iterator[Finding]:
    tracking = tracking_categories(site)
    for title in titles:
        data = site.simple_request(action="parse", page=title, prop="text|templates|categories|wikitext",
                                   disablelimitreport=True, formatversion=2).submit()["parse"]
        wikitext = data.get("wikitext", "")
        for tpl in data.get("templates", []):
            if not tpl.get("exists") and tpl["ns"] == 10:
                name = tpl["title"].split(":", 1)[1]
                yield _finding(title, "render-missing-template", _line_of(wikitext, name),
                               f"calls [[{tpl['title']}]], which does not exist")
        for cat in data.get("categories", []):
            rule = tracking.get(cat["category"])
            if rule:
                yield _finding(title, rule, 1, f"in the tracking category [[:Category:{cat['category']}]]")
        by_category = {tracking[c["category"]] for c in data.get("categories", []) if c["category"] in tracking}
        kinds = {"lua": "render-lua-error", "loop": "render-template-loop",
                 "parser-function": "render-parser-function-error"}
        html = data.get("text", "")
        for kind, text in error_spans(html):
            rule = kinds[kind]
            if rule in by_category and rule != "render-parser-function-error":
                continue      # already reported through its tracking category
            yield _finding(title, rule, 1, f"rendered error: {text[:200]}")
        for target in red_links(html):
            yield _finding(title, "render-red-link", _line_of(wikitext, target.split(":", 1)[-1]),
                           f"the rendered page links to [[:{target}]], which does not exist")
        for excerpt in raw_template_code(html)[:5]:
            yield _finding(title, "render-raw-template", 1, f"raw template code in the rendered page: {excerpt!r}")
