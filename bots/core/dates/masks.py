"""What the date scanner must not read: markup to skip and numbers that are quantities.

Masking replaces a span by as many NUL characters, so offsets into the original text
stay valid and no date can be read across a masked span (NUL is neither a digit, a
letter nor a space). A false date is worse than a missed one, so these lean wide.
"""
from __future__ import annotations

import re

__all__ = ["mask_hard", "mask_soft", "quantity_context"]

_FILE_EXT = r"(?:jpe?g|png|gif|svg|tiff?|webp|pdf|ogg|oga|ogv|webm|mp3|wav|flac|midi?|djvu|xcf|bmp)"

# Never dates, whoever reads them: comments, code-like tags, URLs, file and category names.
# Each pattern runs only when the text holds what it needs (a cheap substring test): most pages
# have no comment, URL or file name, and one alternation tried at every position costs the most.
_HARD: list[tuple[tuple[str, ...], re.Pattern]] = [
    (("<!--",), re.compile(r"<!--.*?(?:-->|\Z)", re.S)),
    (("<",), re.compile(r"(?i:<(nowiki|pre|math|source|syntaxhighlight|code|score|chem|ce|timeline|graph|templatedata)\b"
                        r"[^>]*?(?:/>|>.*?</\1\s*>))", re.S)),
    (("://",), re.compile(r"(?i:\b(?:https?|ftps?)://[^\s\]<>\"|{}]*)")),
    (("[[",), re.compile(r"\[\[[ \t]*(?i:file|image|media|category)[ \t]*:[^|\]\n]*")),
    (("file:", "image:"),
     re.compile(r"(?im:^[ \t]*(?:file|image):[^|\n]*)")),
]
_HAS_FILE_EXT = re.compile(rf"(?i:\.{_FILE_EXT}\b)")
_HARD_FILES = [
    # a parameter value that is a file name: "| image = Winter Palace 1389.jpg"
    re.compile(rf"(?i:(?<==)[ \t]*[^=|\n{{}}\[\]<>]{{0,200}}?\.{_FILE_EXT}\b)"),
    re.compile(rf"(?i:[\w\-.,()]+\.{_FILE_EXT}\b)"),
]

# Masked after the date templates are read: other templates' names and parameter names,
# identifiers, page numbers and access dates (when a source was read, not an event).
# Every alternative starts with a plain character ({, |, I, p, P, N, n, V, v) and checks what comes
# before it with a lookbehind after that character: the regex engine then jumps from one such
# character to the next instead of trying the whole pattern at every position (4x faster).
_PAGE_NUMBER = r"[ \t]*\d[\d,]*(?:[ \t]*(?:–|-|&ndash;)[ \t]*\d+)?"
_SOFT = re.compile("|".join([
    r"\{\{(?![Nn]dash\}\})[ \t]*[^{}|\n]*",    # ({{ndash}} stays: the range patterns read it)
    r"\|(?:(?i:[ \t]*(?:access-?date|archive-?date|accessed|pages?|pp?|isbn\d*|issn|eissn|oclc|doi|pmid|pmc"
    r"|bibcode|id|volume|vol|issue|number|no|at|lccn|jstor|s2cid|asin|arxiv|hdl|ssrn|zbl|mr|osti|rfc"
    r"|url|archive-?url|chapter-?url|image\d*|file|logo|map|coordinates|coord|population\w*|area\w*"
    r"|elevation\w*|seats\w*|votes\w*)[ \t]*=[^|}\n]*)"
    r"|(?P<name>[ \t]*[\w \t\-]{1,40}?[ \t]*(?==)))",    # a parameter's name; the | itself stays
    r"I(?<!\wI)SBN(?:-1[03])?:?[ \t]*[\dXx][\dXx \t\-–]{8,}",
    *(rf"{c}(?<!\w{c}){rest}{_PAGE_NUMBER}"
      for c, rest in (("p", r"(?:p?\.|g\.|ages?)"), ("P", "ages?"), ("N", r"os?\."), ("n", r"os?\."),
                      ("V", r"ol\."), ("v", r"ol\."))),
]))


def _blank(m: re.Match) -> str:
    return "\0" * (m.end() - m.start())


def _blank_soft(m: re.Match) -> str:
    if m.start("name") >= 0:
        return "|" + "\0" * (m.end() - m.start() - 1)
    return "\0" * (m.end() - m.start())


def mask_hard(text: str) -> str:
    low = text.lower()
    for needles, pattern in _HARD:
        if any(n in low for n in needles):
            text = pattern.sub(_blank, text)
    if _HAS_FILE_EXT.search(text):
        for pattern in _HARD_FILES:
            text = pattern.sub(_blank, text)
    return text


def mask_soft(text: str) -> str:
    return _SOFT.sub(_blank_soft, text)


# A bare year followed by a lower-case word is usually a count ("1000 soldiers"); these
# words are the exceptions that commonly follow a year in prose.
_FOLLOW_OK = frozenset("""
a an and as at but by during for from had has have he her his in into is it its of on onward onwards or
saw she that the their then there these they this those though through to under until upon was were
when where which while who whom with would could also both became began ended led marked only not so
""".split())
# A year after these words is a quantity: "a total of 1500", "increased by 2000".
_QUANTITY_BEFORE = frozenset("""
total population number sum maximum minimum average height elevation altitude depth length distance
speed score budget cost price value rate weight capacity crowd strength majority margin loss gain debt
salary revenue income area size volume force army garrison fleet team rank increased decreased grew
rose fell dropped reduced multiplied divided exceeded over under least most approximately about roughly
some nearly almost only just up down out page pages
""".split())
_NEXT_WORD = re.compile(r"(?:[ \t]|&nbsp;)+([a-z]+)|[ \t]*(%|percent\b|per[ \t]cent\b)")
_PREV_WORD = re.compile(r"(\w+)\W*$")


def quantity_context(text: str, start: int, end: int) -> bool:
    """Whether the number(s) in text[start:end] read as a quantity rather than a year."""
    after = _NEXT_WORD.match(text, end)
    if after and (after.group(2) or after.group(1) not in _FOLLOW_OK):
        return True
    if start and text[start - 1] in "$£€#":
        return True
    before = _PREV_WORD.search(text, max(0, start - 30), start)
    return bool(before) and before.group(1).lower() in _QUANTITY_BEFORE
