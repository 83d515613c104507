"""Markup rules: Check Wikipedia's high-priority syntax errors (tags, brackets, links, references).

Every rule works on the shared masked scan (see ``markup_scan``), so text inside comments, <nowiki>,
<pre>, <math>, <syntaxhighlight>, <code> … never fires. Precision over recall: each rule looks for one
unambiguous mistake. Importing this module also registers the heading/category/template rules of
``markup_structure``.
"""
from __future__ import annotations

import re
from typing import Iterator

from . import markup_structure  # noqa: F401  (registers the structure rules)
from .base import Hit, PageView, Severity, rule
from .markup_scan import MASKED_TAGS, scan

__all__ = ["HTML_TAGS"]

# Formatting and block tags that must be closed. Tags whose end tag HTML makes optional
# (<p>, <li>, <td>, <tr>, …) are left out: leaving them open is valid.
HTML_TAGS = ("small", "big", "center", "div", "span", "sup", "sub", "s", "u", "del", "ins", "strike",
             "blockquote", "font", "code", "tt", "b", "i", "em", "strong", "ul", "ol", "table")
_HTML_TAG_RE = re.compile(r"<(/?)(%s)\b[^<>]*?(/?)>" % "|".join(HTML_TAGS), re.I)
# Extension tags whose content is not wikitext are masked only when closed; what is left is broken.
_EXT_TAG_RE = re.compile(r"<(/?)(%s)\b[^<>]*?(/?)>" % "|".join(MASKED_TAGS + ("gallery", "poem")), re.I)
_REF_RE = re.compile(r"<ref\b[^<>]*?(/?)\s*>|</ref\s*>", re.I)
_BAD_BR_RE = re.compile(r"<\s*/\s*br\s*/?\s*>|<\s*\\\s*br\s*/?\s*>|<\s*br\s*[\\.,]+\s*/?\s*>"
                        r"|<\s*br\s*/\s*[\\.,/]+\s*>", re.I)
_REFERENCES_RE = re.compile(r"<references\b|\{\{\s*#tag:\s*references\b", re.I)
_REF_DEFAULT_GROUP_RE = re.compile(r"<ref(?![^<>]*\bgroup\s*=)(?:\s[^<>]*)?>", re.I)
# Templates that print the default reference group (our wiki uses {{Reflist}}; the rest are enwiki's).
_REFLIST_NAMES = ("reflist", "references", "refs", "reference", "ref list", "reference list",
                  "reflist-talk", "reflist talk", "footnotes", "notes", "listaref", "refsection")
# The lookbehinds come after the first character ("\[(?<!\[\[)" rather than "(?<!\[)\["): a pattern
# that starts with a plain character lets the regex engine skip ahead to it, several times faster.
_NO_SCHEME_RE = re.compile(r"\[(?<!\[\[)[ \t]*((?i:www\.)[^\s\[\]<>\"|]*)")
_DOUBLE_BRACKET_URL_RE = re.compile(r"\[\[[ \t]*(?:(?:https?|ftp):)?//", re.I)
_DOUBLE_BRACKET_FIX_RE = re.compile(r"\[\[[ \t]*((?:(?:https?|ftp):)?//[^\[\]\n]*)\]\]", re.I)
_DOUBLE_SCHEME_RE = re.compile(r"\b(https?://)[ \t]*(https?://)", re.I)
_DOUBLE_SCHEME_HINT = re.compile(r"://[ \t]*(?i:https?://)")    # starts with a plain ":": fast


def _unbalanced_tags(page: PageView, pattern: re.Pattern) -> Iterator[Hit]:
    """Pair opening and closing tags of each name; yield the openers and closers left unmatched."""
    s = scan(page.text)
    text = s.masked
    open_at: dict[str, list[tuple[int, str]]] = {}
    problems: list[tuple[int, str]] = []
    for m in pattern.finditer(text):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if selfclosing:
            continue
        stack = open_at.setdefault(name, [])
        if not closing:
            stack.append((m.start(), m.group()))
        elif stack:
            stack.pop()
        else:
            problems.append((m.start(), f"{m.group()} closes a <{name}> that was never opened"))
    for name, stack in open_at.items():
        problems.extend((pos, f"{tag} is never closed (add </{name}>)") for pos, tag in stack)
    for pos, message in sorted(problems):
        yield Hit(s.line(pos), message)


@rule("markup-unclosed-tag", Severity.ERROR,
      "An HTML tag such as <small>, <div>, <span>, <sup>, <sub>, <center>, <ul> is opened and never "
      "closed, or closed and never opened (CheckWiki #2, #98, #99, #100).", group="markup")
def unclosed_tag(page: PageView) -> Iterator[Hit]:
    return _unbalanced_tags(page, _HTML_TAG_RE)


@rule("markup-unclosed-extension-tag", Severity.ERROR,
      "A <nowiki>, <pre>, <math>, <syntaxhighlight>, <gallery> … tag has no matching end tag, so the "
      "rest of it shows as text (CheckWiki #13, #23, #24).", group="markup")
def unclosed_extension_tag(page: PageView) -> Iterator[Hit]:
    return _unbalanced_tags(page, _EXT_TAG_RE)


@rule("markup-unclosed-ref", Severity.ERROR,
      "A <ref> is not closed before the next <ref> or the end of the page, or a </ref> has no "
      "<ref> (CheckWiki #94).", group="markup")
def unclosed_ref(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    open_at = None
    for m in _REF_RE.finditer(s.masked):
        if m.group().startswith("</"):
            if open_at is None:
                yield Hit(s.line(m.start()), "</ref> without an opening <ref>")
            open_at = None
        elif not m.group(1):
            if open_at is not None:
                yield Hit(s.line(open_at),
                          f"<ref> is not closed before the next <ref> (line {s.line(m.start())})")
            open_at = m.start()
    if open_at is not None:
        yield Hit(s.line(open_at), "<ref> is never closed (add </ref>)")


@rule("markup-missing-references", Severity.ERROR,
      "The page has <ref> footnotes but no <references /> or {{Reflist}} to show them (CheckWiki #3).",
      group="markup")
def missing_references(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    first = _REF_DEFAULT_GROUP_RE.search(s.masked)
    if first is None or "<includeonly" in s.masked or "<onlyinclude" in s.masked:
        return                                   # no footnotes, or a page made to be transcluded
    if _REFERENCES_RE.search(s.masked):
        return
    for t in s.templates:
        name = s.masked[t.start + 2:(t.pipes[0] if t.pipes else t.end - 2)].strip().lower()
        name = name.replace("_", " ").removeprefix("template:").strip()
        if name.startswith(_REFLIST_NAMES):
            return
    yield Hit(s.line(first.start()), "<ref> is used but the page has no <references /> or "
              "{{Reflist}}", fix="add a References section with {{Reflist}}")


@rule("markup-invalid-br", Severity.WARNING,
      "A line break is written </br>, <br\\>, <br.> or similar instead of <br /> (CheckWiki #2).",
      group="markup")
def invalid_br(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for m in _BAD_BR_RE.finditer(s.masked):
        yield Hit(s.line(m.start()), f"invalid line break {m.group()}", fix="<br />",
                  edit=(m.start(), m.end(), "<br />"))


def _unbalanced_pairs(page: PageView, kind: str, opener: str, closer: str) -> Iterator[Hit]:
    """Openers the scan never saw closed and closers it found stray, for one kind of bracket."""
    s = scan(page.text)
    problems = [(p.start, f"{opener} is never closed with {closer}") for p in s.unclosed if p.kind == kind]
    problems += [(pos, f"{closer} without an opening {opener}") for pos, k in s.stray if k == closer]
    for pos, message in sorted(problems):
        yield Hit(s.line(pos), message)


@rule("markup-unbalanced-link-brackets", Severity.ERROR,
      "A [[ has no matching ]] or a ]] has no matching [[ (CheckWiki #10, #46).", group="markup")
def unbalanced_link_brackets(page: PageView) -> Iterator[Hit]:
    return _unbalanced_pairs(page, "[", "[[", "]]")


@rule("markup-unbalanced-template-braces", Severity.ERROR,
      "A {{ has no matching }} or a }} has no matching {{, so a template shows as text "
      "(CheckWiki #43, #47).", group="markup")
def unbalanced_template_braces(page: PageView) -> Iterator[Hit]:
    return _unbalanced_pairs(page, "{", "{{", "}}")


@rule("markup-external-link-no-scheme", Severity.WARNING,
      "An external link in brackets has no http:// or https://, e.g. [www.example.com] "
      "(CheckWiki #62).", group="markup")
def external_link_no_scheme(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for m in _NO_SCHEME_RE.finditer(s.masked):
        yield Hit(s.line(m.start()), f"[{m.group(1)} is not a link: the URL needs https://",
                  fix=f"[https://{m.group(1)}")


@rule("markup-external-link-double-brackets", Severity.WARNING,
      "An external link is written with double brackets [[https://…]] (CheckWiki #86).", group="markup")
def external_link_double_brackets(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for m in _DOUBLE_BRACKET_URL_RE.finditer(s.masked):
        full = _DOUBLE_BRACKET_FIX_RE.match(s.masked, m.start())
        edit = (full.start(), full.end(), f"[{full.group(1)}]") if full else None
        yield Hit(s.line(m.start()), "external link in double brackets [[…]]",
                  fix="use single brackets [https://… label]", edit=edit)


@rule("markup-double-scheme", Severity.WARNING,
      "A URL starts with the scheme twice, e.g. http://http://… (CheckWiki #93).", group="markup")
def double_scheme(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    if not _DOUBLE_SCHEME_HINT.search(s.masked):
        return
    for m in _DOUBLE_SCHEME_RE.finditer(s.masked):
        yield Hit(s.line(m.start()), f"URL with two schemes: {m.group()}", fix=m.group(2),
                  edit=(m.start(), m.end(), m.group(2)))
