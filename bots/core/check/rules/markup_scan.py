"""One fast pass over a page's wikitext that the markup rules share.

The markup rules must run on every page, and a 500 KB page must take well under a second for all of
them together. Parsing such a page with mwparserfromhell alone takes ~0.6 s, so these rules work on a
*masked* copy of the text instead (comments and no-wikitext tags blanked, same length, same newlines)
plus a small MediaWiki-preprocessor-like scan of ``{{ }}`` / ``[[ ]]`` nesting. Offsets into the
masked text are offsets into the page text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from bots.core.wikitext.lines import Lines

__all__ = ["MASKED_TAGS", "Piece", "Heading", "Scan", "scan", "template_name",
           "template_parts", "is_top_level"]

# Tags whose content is not wikitext: brackets, braces and quotes inside them mean nothing.
# <code> is HTML and its content *is* parsed, but markup shown inside it is nearly always an example.
MASKED_TAGS = ("nowiki", "pre", "math", "syntaxhighlight", "source", "code", "chem", "ce", "score",
               "timeline", "graph", "templatedata", "hiero", "mapframe", "maplink", "inputbox",
               "categorytree")
_MASK_RE = re.compile(
    r"<!--.*?(?:-->|\Z)"                                         # an unclosed comment hides the rest
    r"|<(%s)(?:\s[^<>]*?)?(?<!/)>.*?</\1\s*>" % "|".join(MASKED_TAGS),
    re.S | re.I)
_NOT_NEWLINE = re.compile(r"[^\n]")
# Every alternative starts with a plain character ("{{+" rather than "{{2,}"): the engine skips ahead to the next.
_TOKEN_RE = re.compile(r"\{\{+|\}\}+|\[\[|\]\]|\||=")
# A line that starts with "=": written as an "=" with nothing but a line start before it, the engine
# jumps from one "=" to the next instead of trying every position (10x faster on a page of prose).
# The line is split in _scan_headings: "(=+)(.*?)(=*)[ \t\r]*$" tried every end of its middle part
# against the rest of the line, quadratic in a long line ("=" and 20,000 spaces: 1.3 s).
_HEADING_LINE = re.compile(r"=(?<![^\n]=)[^\n]*")
# Extension tags whose content is wikitext but opaque to the preprocessor: a "|" or "=" inside
# <ref name="x"/> or <ref>a|b=c</ref> belongs to the tag, not to the template call around it. (The
# MASKED_TAGS are blank already.) An unclosed <ref> is not a tag for the preprocessor: it stays text.
_OPAQUE_RE = re.compile(r"<(ref|references|gallery|poem|imagemap|templatestyles|indicator|section|langconvert)\b"
                        r"[^<>]*?(?:/>|>.*?</\1\s*>)", re.S | re.I)


@dataclass(eq=False)
class Piece:
    """A ``{{…}}`` (count 2 template, 3 parameter) or ``[[…]]`` (count 2, kind "[") found by the scan."""

    kind: str                 # "{" or "["
    start: int
    count: int
    parent: "Piece | None"    # the nearest enclosing brace piece when this one opened
    end: int = -1             # offset after the closing brackets; -1 while (or if never) closed
    pipes: list[int] = field(default_factory=list)   # offsets of this piece's own "|"
    equals: dict[int, int] = field(default_factory=dict)  # part index -> offset of its first own "="

    @property
    def closed(self) -> bool:
        return self.end >= 0


@dataclass(frozen=True)
class Heading:
    start: int        # offset of the line
    level: int        # as MediaWiki renders it: min(left, right, 6)
    left: int         # number of "=" on each side
    right: int
    inner: tuple[int, int]   # the heading text between the "=" runs (offsets)


@dataclass
class Scan:
    text: str
    masked: str
    templates: list[Piece]      # closed brace pieces, in closing order
    links: list[Piece]          # closed [[ ]] pieces
    unclosed: list[Piece]       # openers never closed
    stray: list[tuple[int, str]]  # closers with nothing to close: (offset, "}}" or "]]")
    headings: list[Heading]
    lines: Lines | None = None

    def line(self, offset: int) -> int:
        """1-based line of an offset, by bisection (page.line_at counts from the top each time)."""
        return self.lines.at(offset)


def _mask(text: str) -> str:
    parts, last = [], 0
    for m in _MASK_RE.finditer(text):
        parts.append(text[last:m.start()])
        parts.append(_NOT_NEWLINE.sub(" ", m.group()))
        last = m.end()
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def _scan_brackets(masked: str) -> tuple[list[Piece], list[Piece], list[Piece], list[tuple[int, str]]]:
    """Pair braces and link brackets the way MediaWiki's preprocessor does.

    Only the innermost open piece can be closed ("}}" while a "[[" is open is plain text), a run of
    n closing braces closes a template (2) or a parameter (3) and leaves the rest, and "|" / "=" belong
    to the innermost open piece.
    """
    stack: list[Piece] = []
    templates: list[Piece] = []
    links: list[Piece] = []
    stray: list[tuple[int, str]] = []
    opaque = [(m.start(), m.end()) for m in _OPAQUE_RE.finditer(masked)] if "<" in masked else []
    opaque_starts = [a for a, _ in opaque]
    for m in _TOKEN_RE.finditer(masked):
        tok, pos = m.group(), m.start()
        top = stack[-1] if stack else None
        c = tok[0]
        if c in "|=" and top is not None and opaque and _inside_tag(opaque, opaque_starts, pos, top.start):
            continue                       # a "|" or "=" of a tag, not of the piece around the tag
        if c == "|":
            if top is not None:
                top.pipes.append(pos)
        elif c == "=":
            if top is not None and top.kind == "{" and len(top.pipes) not in top.equals:
                top.equals[len(top.pipes)] = pos
        elif c == "{":
            parent = next((p for p in reversed(stack) if p.kind == "{"), None)
            stack.append(Piece("{", pos, len(tok), parent))
        elif c == "[":
            parent = next((p for p in reversed(stack) if p.kind == "{"), None)
            stack.append(Piece("[", pos, 2, parent))
        elif c == "]":
            if top is not None and top.kind == "[":
                top.end = pos + 2
                links.append(stack.pop())
            else:
                stray.append((pos, "]]"))
        else:  # a run of "}"
            remaining, end = len(tok), pos
            while remaining >= 2 and stack and stack[-1].kind == "{":
                piece = stack[-1]
                matched = 3 if min(piece.count, remaining) >= 3 else 2
                end += matched
                remaining -= matched
                piece.count -= matched
                closed = Piece("{", piece.start + piece.count, matched, piece.parent, end,
                               piece.pipes, piece.equals)
                templates.append(closed)
                if piece.count >= 2:       # "{{{{{x}}}" leaves "{{" open around it
                    piece.pipes, piece.equals = [], {}
                else:                      # closed (a lone "{" left over stays text)
                    piece.end = end        # so pieces inside it see it as enclosing
                    stack.pop()
            if remaining >= 2 and (not stack or stack[-1].kind != "{"):
                stray.append((end, "}}"))
    return templates, links, stack, stray


def _inside_tag(opaque: list[tuple[int, int]], starts: list[int], pos: int, piece_start: int) -> bool:
    """Whether ``pos`` is inside an opaque extension tag that began after the piece ``pos`` would go to."""
    i = bisect_right(starts, pos) - 1
    return i >= 0 and opaque[i][0] <= pos < opaque[i][1] and opaque[i][0] > piece_start


def _scan_headings(masked: str) -> list[Heading]:
    out = []
    for m in _HEADING_LINE.finditer(masked):
        line = m.group()
        # "=" run, middle, "=" run, then spaces, tabs and "\r" (a file with Windows line ends:
        # MediaWiki still reads the line as a heading). The middle is as short as it can be.
        left = len(line) - len(line.lstrip("="))
        body = line.rstrip(" \t\r")
        inner_end = len(body.rstrip("="))
        right = len(body) - inner_end
        if not line[left:inner_end].strip("= \t"):
            continue                       # a line of "=" only (or "= =") is not a heading
        out.append(Heading(m.start(), min(left, right, 6) if right else 0, left, right,
                           (m.start() + left, m.start() + inner_end)))
    return out


@lru_cache(maxsize=8)
def scan(text: str) -> Scan:
    """The shared scan of one page text (cached: every rule asks for it; str hashes are cached)."""
    masked = _mask(text)
    templates, links, unclosed, stray = _scan_brackets(masked)
    return Scan(text, masked, templates, links, unclosed, stray, _scan_headings(masked), Lines(text))


def is_top_level(piece: Piece) -> bool:
    """True when no *closed* template or parameter encloses the piece (so it is not in a parameter)."""
    parent = piece.parent
    while parent is not None:
        if parent.end >= 0 and parent.start <= piece.start < parent.end:
            return False
        parent = parent.parent
    return True


def template_name(s: Scan, piece: Piece) -> str:
    """The name part of a template call as written (masked text, stripped)."""
    end = piece.pipes[0] if piece.pipes else piece.end - 2
    return s.masked[piece.start + 2:end].strip()


def template_parts(s: Scan, piece: Piece) -> list[tuple[str, int, int, int]]:
    """The parameters of a template call: (name, part_start, value_start, part_end).

    part_start is the offset of the part's "|"; positional parameters get the names "1", "2", …
    like MediaWiki. Names are stripped; values are the text between value_start and part_end.
    """
    out, positional = [], 0
    bounds = piece.pipes + [piece.end - 2]
    for i in range(1, len(bounds)):
        start, end = bounds[i - 1], bounds[i]
        eq = piece.equals.get(i)
        if eq is not None and eq < end:
            out.append((s.masked[start + 1:eq].strip(), start, eq + 1, end))
        else:
            positional += 1
            out.append((str(positional), start, start + 1, end))
    return out


