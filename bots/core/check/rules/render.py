"""Rules that only the wiki can answer: what shows after MediaWiki expands a page (`check -render`).

They have no offline check: bots/site/render.py asks the live wiki to parse each page and reports under
these ids, so that they are listed, configured and excepted like every other rule.
"""
from __future__ import annotations

import re

from .base import Severity, declare_rule

__all__ = ["GROUP", "RENDER_RULES", "error_spans", "red_links", "raw_template_code"]

GROUP = "render"

RENDER_RULES = {
    "render-missing-template": (Severity.ERROR, "The page calls a template that does not exist (a red link "
                                                "where the template's output should be)."),
    "render-template-loop": (Severity.ERROR, "A template calls itself, directly or through others "
                                             "(MediaWiki's 'Pages with template loops')."),
    "render-parser-function-error": (Severity.ERROR, "A parser function (#expr, #time, #if...) gives an "
                                                     "error in the rendered page."),
    "render-lua-error": (Severity.ERROR, "A Lua module (#invoke) raises a script error "
                                         "(MediaWiki's 'Pages with script errors')."),
    "render-error-category": (Severity.WARNING, "The page is in one of MediaWiki's error tracking categories "
                                                "(expansion depth, include size, expensive functions, broken "
                                                "file links...)."),
    "render-red-link": (Severity.WARNING, "The rendered page links to a page that does not exist (a red link), "
                                          "from the page's own text or from a template."),
    "render-raw-template": (Severity.ERROR, "The rendered page shows raw template code ('{{', '}}', '{{{'): a "
                                            "template call or parameter that MediaWiki did not expand."),
}
for _id, (_sev, _doc) in RENDER_RULES.items():
    declare_rule(_id, _sev, _doc, GROUP)

# What ParserFunctions and Scribunto put in the HTML for an error.
_ERROR_SPAN = re.compile(r'<(?:strong|span|div)\b[^>]*class="(?:[^"]*\s)?(error|scribunto-error)(?:\s[^"]*)?"[^>]*>'
                         r"(.*?)</(?:strong|span|div)>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def error_spans(html: str) -> list[tuple[str, str]]:
    """(kind, text) of every error MediaWiki rendered: kind "lua", "loop" or "parser-function"."""
    out = []
    for m in _ERROR_SPAN.finditer(html):
        text = _TAGS.sub("", m.group(2)).strip()
        if m.group(1) == "scribunto-error" or text.startswith(("Lua error", "Script error")):
            kind = "lua"
        elif text.startswith("Template loop detected"):
            kind = "loop"
        else:
            kind = "parser-function"
        out.append((kind, text))
    return out


# A red link: MediaWiki gives the link class "new" and a title "X (page does not exist)".
_RED_LINK = re.compile(r'<a\b[^>]*\bclass="(?:[^"]*\s)?new(?:\s[^"]*)?"[^>]*>', re.S)
_TITLE_ATTR = re.compile(r'\btitle="([^"]*)"')
_HIDDEN = re.compile(r"<(pre|code|tt|kbd|samp|nowiki|script|style|textarea)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_RAW = re.compile(r"\{\{|\}\}")


def red_links(html: str) -> list[str]:
    """The targets of the red links in rendered HTML, in order, each once."""
    import html as htmllib

    out = []
    for m in _RED_LINK.finditer(html):
        title = _TITLE_ATTR.search(m.group(0))
        if title:
            name = htmllib.unescape(title.group(1))
            name = re.sub(r"\s*\((?:page does not exist|page not found)\)$", "", name)
            if name not in out:
                out.append(name)
    return out


def raw_template_code(html: str) -> list[str]:
    """Short excerpts of the visible text where raw `{{` or `}}` shows (code and pre blocks aside)."""
    import html as htmllib

    visible = htmllib.unescape(_TAGS.sub("", _HIDDEN.sub("", html)))
    out = []
    for m in _RAW.finditer(visible):
        excerpt = visible[max(0, m.start() - 20):m.end() + 30].replace("\n", " ").strip()
        if not out or excerpt not in out[-1]:
            out.append(excerpt)
    return out
