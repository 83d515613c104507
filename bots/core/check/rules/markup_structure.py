"""Markup rules about page structure: headings, categories, sort keys, links, template parameters.

Registered by importing ``bots.core.check.rules.markup``; see that module for the shared conventions.
"""
from __future__ import annotations

import re
from typing import Iterator

from bots.core.wikitext.titles import normalize_title

from .base import Hit, PageView, Severity, rule
from .markup_scan import Piece, Scan, is_top_level, scan, template_name, template_parts

__all__ = ["isbn_is_valid"]

_NON_ARTICLE_LINK = re.compile(r"\s*:?\s*(file|image|media|category)\s*:", re.I)
_CATEGORY = re.compile(r"\s*category\s*:", re.I)
_DEFAULTSORT = re.compile(r"(?:DEFAULTSORT|DEFAULTSORTKEY|DEFAULTCATEGORYSORT)\s*:(.*)", re.S)
_ISBN_MAGIC = re.compile(r"I(?<!\wI)SBN[ \t\u00a0]+((?:97[89][- ]?)?(?:[0-9][- ]?){9}[0-9Xx])\b")
_ISBN_VALUE = re.compile(r"(?:ISBN[-: \t]*)?([0-9][0-9 -]*[0-9Xx])", re.I)
_QUOTE_RUN = re.compile(r"'{2,}")
_BOLD_HEADING = re.compile(r"(\s*)'''(?!')(.*?)(?<!')'''(\s*)")


# --- headings -------------------------------------------------------------------------------------

@rule("markup-heading-level-1", Severity.ERROR,
      "A heading uses a single '=' (=Title=), the level of the page title (CheckWiki #19).",
      group="markup")
def heading_level_1(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for h in s.headings:
        if h.level == 1:
            yield Hit(s.line(h.start), "level-1 heading =…=; sections start at ==…==")


@rule("markup-heading-unbalanced", Severity.WARNING,
      "A heading line has a different number of '=' on each side, or none at the end "
      "(CheckWiki #8).", group="markup")
def heading_unbalanced(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for h in s.headings:
        if h.left != h.right and h.left <= 6:
            what = "no '=' at the end" if not h.right else f"{h.left} '=' before and {h.right} after"
            yield Hit(s.line(h.start), f"unbalanced heading: {what}")


@rule("markup-heading-skipped-level", Severity.WARNING,
      "A heading goes more than one level deeper than the one before it, e.g. == to ==== "
      "(CheckWiki #25).", group="markup")
def heading_skipped_level(page: PageView) -> Iterator[Hit]:
    previous = None
    s = scan(page.text)
    for h in s.headings:
        if not h.level:
            continue
        if previous is not None and h.level > previous + 1:
            yield Hit(s.line(h.start), f"heading level {h.level} follows level {previous}",
                      fix="=" * (previous + 1) + " … " + "=" * (previous + 1))
        previous = h.level


@rule("markup-heading-ends-with-colon", Severity.INFO,
      "A heading ends with a colon (CheckWiki #57).", group="markup")
def heading_ends_with_colon(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for h in s.headings:
        if h.level and s.masked[h.inner[0]:h.inner[1]].rstrip().endswith(":"):
            yield Hit(s.line(h.start), "heading ends with ':'", fix="drop the colon")


@rule("markup-heading-bold", Severity.WARNING,
      "A heading's whole text is bold '''…''' although headings are already bold (CheckWiki #44).",
      group="markup")
def heading_bold(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for h in s.headings:
        start, end = h.inner
        m = _BOLD_HEADING.fullmatch(s.masked, start, end)
        if h.level and m and "'''" not in m.group(2) and s.text[start:end] == s.masked[start:end]:
            new = m.group(1) + m.group(2) + m.group(3)
            yield Hit(s.line(h.start), "bold markup in a heading", fix=new.strip(),
                      edit=(start, end, new))


# --- categories and sort keys ---------------------------------------------------------------------

def _top_level_categories(s: Scan) -> list[tuple[Piece, str, str]]:
    """Category links outside any template call: (link, normalized name, sort key or "")."""
    out = []
    for link in s.links:
        inner = s.masked[link.start + 2:link.end - 2]
        if not _CATEGORY.match(inner) or not is_top_level(link):
            continue
        target, _, key = inner.partition("|")
        name = normalize_title(target)
        out.append((link, name, key))
    return sorted(out, key=lambda c: c[0].start)


@rule("markup-duplicate-category", Severity.WARNING,
      "The same category is given twice (CheckWiki #17).", group="markup")
def duplicate_category(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    seen: dict[str, tuple[Piece, str]] = {}
    for link, name, key in _top_level_categories(s):
        if name not in seen:
            seen[name] = (link, key)
            continue
        first, first_key = seen[name]
        edit = None
        if key.strip() == first_key.strip() and s.text[link.start:link.end] == s.masked[link.start:link.end]:
            line_start = s.text.rfind("\n", 0, link.start) + 1
            line_end = s.text.find("\n", link.end)
            line_end = len(s.text) if line_end < 0 else line_end
            if not s.text[line_start:link.start].strip() and not s.text[link.end:line_end].strip():
                edit = (line_start, min(line_end + 1, len(s.text)), "")   # the whole line
            else:
                edit = (link.start, link.end, "")
        yield Hit(s.line(link.start),
                  f"[[Category:{name}]] is already given on line {s.line(first.start)}",
                  fix="remove the later one", edit=edit)


@rule("markup-category-before-last-heading", Severity.WARNING,
      "A category link stands before the last heading instead of at the end of the page "
      "(CheckWiki #52).", group="markup")
def category_before_last_heading(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    headings = [h for h in s.headings if h.level]
    if not headings or "<noinclude" in s.masked or "<includeonly" in s.masked:
        return
    last = headings[-1].start
    for link, name, _ in _top_level_categories(s):
        if link.start < last:
            yield Hit(s.line(link.start), f"[[Category:{name}]] comes before the heading on "
                      f"line {s.line(last)}", fix="move categories to the end of the page")


@rule("markup-duplicate-defaultsort", Severity.WARNING,
      "{{DEFAULTSORT}} is given more than once; the later one overrides the earlier "
      "(MediaWiki's 'DEFAULTSORT conflicts' warning).", group="markup")
def duplicate_defaultsort(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    first = None
    for t in sorted(s.templates, key=lambda p: p.start):
        if t.count != 2:
            continue
        m = _DEFAULTSORT.match(s.masked, t.start + 2, t.end - 2)
        if not m or not is_top_level(t) or "noreplace" in m.group(1) or "noerror" in m.group(1):
            continue
        if first is None:
            first = (t, m.group(1).strip())
            continue
        same = m.group(1).strip() == first[1]
        yield Hit(s.line(t.start), f"second DEFAULTSORT ({'same key' if same else 'different key'}"
                  f" as line {s.line(first[0].start)})", fix="keep one DEFAULTSORT",
                  edit=(t.start, t.end, "") if same else None)


# --- links ----------------------------------------------------------------------------------------

def _plain_links(s: Scan) -> Iterator[tuple[Piece, str, str | None]]:
    """Article links without nested markup: (link, target, label or None)."""
    for link in s.links:
        inner = s.text[link.start + 2:link.end - 2]
        if inner != s.masked[link.start + 2:link.end - 2] or any(c in inner for c in "[]{}<\n"):
            continue
        if _NON_ARTICLE_LINK.match(inner):
            continue
        target, bar, label = inner.partition("|")
        yield link, target, (label if bar else None)


@rule("markup-self-link", Severity.WARNING,
      "The page links to itself, [[Own title]] (CheckWiki #48).", group="markup")
def self_link(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    own = normalize_title(page.title)
    for link, target, label in _plain_links(s):
        if "#" in target or normalize_title(target) != own:
            continue
        shown = label if label is not None else target
        yield Hit(s.line(link.start), f"link to the page itself: {s.text[link.start:link.end]}",
                  fix=shown, edit=(link.start, link.end, shown))


@rule("markup-link-equal-to-label", Severity.INFO,
      "A link repeats its target as its label, [[A|A]], where [[A]] shows the same (CheckWiki #64).",
      group="markup")
def link_equal_to_label(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for link, target, label in _plain_links(s):
        if not label or label != label.strip() or target.startswith(":") or "#" in target:
            continue
        if target.strip() == label or (normalize_title(target) == normalize_title(label) and
                                       target.strip()[1:] == label[1:]):
            yield Hit(s.line(link.start), f"{s.text[link.start:link.end]} can be [[{label}]]",
                      fix=f"[[{label}]]", edit=(link.start, link.end, f"[[{label}]]"))


# --- template parameters --------------------------------------------------------------------------

@rule("markup-duplicate-parameter", Severity.WARNING,
      "A template call gives the same parameter twice, |a=1|a=2; only the last counts "
      "(WPCleaner #524, MediaWiki's 'duplicate arguments' category).", group="markup")
def duplicate_parameter(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    for t in s.templates:
        name = template_name(s, t)
        if t.count != 2 or len(t.pipes) < 2 or name.startswith("#") or any(c in name for c in "{[<"):
            continue
        seen: dict[str, tuple[int, int, int]] = {}
        for pname, start, vstart, end in template_parts(s, t):
            if pname in seen:
                fstart, fvstart, fend = seen[pname]
                old, new = s.text[fvstart:fend].strip(), s.text[vstart:end].strip()
                edit = (fstart, fend, "") if old in ("", new) else None
                yield Hit(s.line(start), f"{{{{{name}}}}} gives |{pname}= twice (first on line "
                          f"{s.line(fstart)})", fix="remove the earlier one" if edit else None,
                          edit=edit)
            seen[pname] = (start, vstart, end)


def isbn_is_valid(digits: str) -> bool | None:
    """Checksum of an ISBN-10 or ISBN-13 given as digits (and X); None when the length is neither."""
    if len(digits) == 10 and digits[:9].isdigit() and (digits[9].isdigit() or digits[9] in "Xx"):
        values = [int(d) for d in digits[:9]] + [10 if digits[9] in "Xx" else int(digits[9])]
        return sum((10 - i) * v for i, v in enumerate(values)) % 11 == 0
    if len(digits) == 13 and digits.isdigit():
        return digits.startswith(("978", "979")) and \
            sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    return None


@rule("markup-isbn-checksum", Severity.WARNING,
      "An ISBN-10 or ISBN-13 has a wrong check digit (CheckWiki #72, #73).", group="markup")
def isbn_checksum(page: PageView) -> Iterator[Hit]:
    s = scan(page.text)
    found: list[tuple[int, str]] = [(m.start(1), m.group(1)) for m in _ISBN_MAGIC.finditer(s.masked)]
    for t in s.templates:
        if t.count != 2 or not t.pipes:
            continue
        parts = template_parts(s, t)
        tname = template_name(s, t).lower()
        if any(p[0].lower() in ("ignore-isbn-error", "ignoreisbnerror") for p in parts):
            continue
        for pname, _, vstart, end in parts:
            if pname.lower() in ("isbn", "isbn13") or (tname == "isbn" and pname == "1"):
                m = _ISBN_VALUE.fullmatch(s.masked[vstart:end].strip())
                if m and s.text[vstart:end] == s.masked[vstart:end]:
                    found.append((vstart + s.masked[vstart:end].index(m.group(1)), m.group(1)))
    for pos, value in sorted(set(found)):
        digits = value.replace("-", "").replace(" ", "")
        if isbn_is_valid(digits) is False:
            yield Hit(s.line(pos), f"ISBN {value} has a wrong check digit")


# --- bold and italic ------------------------------------------------------------------------------

@rule("markup-unbalanced-quotes", Severity.WARNING,
      "A line opens '' (italic) or ''' (bold) and does not close it, so MediaWiki closes it at the "
      "end of the line (no CheckWiki number).", group="markup")
def unbalanced_quotes(page: PageView) -> Iterator[Hit]:
    for number, line in enumerate(scan(page.text).masked.split("\n"), 1):
        if "''" not in line:
            continue
        italic = bold = bold_runs = 0
        for m in _QUOTE_RUN.finditer(line):
            n = len(m.group())
            if n == 2:
                italic += 1
            elif n in (3, 4):
                bold += 1
                bold_runs += 1
            else:
                italic += 1
                bold += 1
        # MediaWiki reads one ''' as an apostrophe plus '' when both counts are odd (l'''amour'')
        if (italic % 2 or bold % 2) and not (italic % 2 and bold % 2 and bold_runs):
            yield Hit(number, "unclosed " + ("italic ''" if italic % 2 else "bold '''"))
