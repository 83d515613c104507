"""The article model: a page's wikitext with what the bots need to read from it.

Built on mwparserfromhell's Wikicode, never around it: `str(article) == text`, byte for byte, and an
edit through the model changes only the nodes it touches.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterator

import mwparserfromhell
from mwparserfromhell.nodes import Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from bots.core.wikitext.escape import unescape_value
from bots.core.wikitext.lines import Lines
from bots.core.wikitext.treebuild import install as _faster_tree_build
from bots.core.wikitext.titles import NAMESPACES, namespace_of, normalize_title
from bots.core.wikitext.universe import (UNIVERSE_TEMPLATE, UniverseClaim, is_universe_name,
                                universe_from_title)

__all__ = ["Article", "Infobox", "Link", "CategoryRef", "Section", "template_name"]

_faster_tree_build()

_CATEGORY_NS = 14
_FILE_NS = 6


def template_name(tpl: Template) -> str:
    """The template's page name as MediaWiki resolves it ("infobox_historical event" -> "Infobox historical event")."""
    raw = str(tpl.name)
    name = normalize_title((str(tpl.name.strip_code()) if "<!--" in raw else raw).strip())
    return name[len("Template:"):] if name.startswith("Template:") else name


@dataclass
class Infobox:
    """One infobox call, as read. The model is read-only (nothing edits through it), so each
    parameter is written out once: a page's rules and summary ask for the same values many times."""

    node: Template
    line: int
    start: int = 0     # offsets of the call in the page text
    end: int = 0

    @cached_property
    def name(self) -> str:
        return template_name(self.node)

    @cached_property
    def _written(self) -> list[tuple[str, str]]:
        """(name, value), each stripped, in call order, repeats included."""
        return [(str(p.name).strip(), str(p.value).strip()) for p in self.node.params]

    def params(self) -> dict[str, str]:
        """Parameter values as a reader sees them: stripped, character references decoded.
        A parameter given twice keeps its last value, as MediaWiki does."""
        return {name: unescape_value(value) for name, value in self._written}

    def _last(self, name: str) -> str | None:
        """The last value written for `name` (the last of a repeated name counts), stripped."""
        return next((value for n, value in reversed(self._written) if n == name), None)

    def raw(self, name: str) -> str | None:
        """The last value of `name` as written (stripped), as mwparserfromhell's Template.get gives it."""
        return self._last(name.strip())

    def param_names(self) -> list[str]:
        """Every parameter name in call order, repeats included (for duplicate checks)."""
        return [name for name, _ in self._written]

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self._last(name)
        return default if value is None else unescape_value(value)


@dataclass(frozen=True)
class Link:
    target: str      # normalised as MediaWiki does: first letter, underscores, fragment dropped
    text: str        # the label shown, or the target as written
    line: int
    fragment: str = ""


@dataclass(frozen=True)
class CategoryRef:
    name: str        # without "Category:"
    sortkey: str | None
    line: int
    start: int       # offset of "[[" in the text, for safe fixes
    end: int


@dataclass(frozen=True)
class Section:
    title: str
    level: int
    line: int
    start: int       # offset of the heading
    end: int         # offset where the next heading of any level starts


def _parse(text: str) -> Wikicode:
    """The page's tree, every character in it.

    Bold and italic stay text: nothing here reads them from the tree, the markup rules scan the text
    for them, and the parser is faster (about 15%) and never backtracks on stray quotes.
    mwparserfromhell's C tokenizer stops at a NUL character and drops the rest of the page; so the
    text is parsed in the pieces between NULs, and each NUL is kept as a Text node where it was (no
    construct spans one: MediaWiki itself cannot store it, see bots.core.sources.records).
    """
    if "\0" not in text:
        return mwparserfromhell.parse(text, skip_style_tags=True)
    nodes = []
    for i, piece in enumerate(text.split("\0")):
        if i:
            nodes.append(Text("\0"))
        if piece:
            nodes.extend(mwparserfromhell.parse(piece, skip_style_tags=True).nodes)
    return Wikicode(nodes)


class Article:
    def __init__(self, title: str, text: str) -> None:
        self.title = title
        self.text = text
        self.code: Wikicode = _parse(text)
        self._spans: dict[int, tuple[int, int]] = {}     # id(node) -> (start, end) of the nodes located

    def __str__(self) -> str:
        return str(self.code)

    # -- positions -----------------------------------------------------------------------------
    @cached_property
    def _lines(self) -> Lines:
        return Lines(self.text)

    def line_at(self, offset: int) -> int:
        """1-based line of an offset; a bisection, so that big pages with many nodes stay linear."""
        return self._lines.at(offset)

    def _located(self, nodes) -> Iterator[tuple[object, int]]:
        """(node, offset) for nodes given in document order: each found after the previous one."""
        text, cursor = self.text, 0
        for node in nodes:
            s = str(node)
            at = text.find(s, cursor)
            if at < 0:
                at = text.find(s)
            if at >= 0:
                cursor = at + 1
            at = max(at, 0)
            self._spans[id(node)] = (at, at + len(s))
            yield node, at

    def end_of(self, node, at: int) -> int:
        """Where a node located at `at` ends. Writing a template out costs as much as finding it, so
        the length found when it was located is kept."""
        span = self._spans.get(id(node))
        return span[1] if span is not None and span[0] == at else at + len(str(node))

    # -- structure -----------------------------------------------------------------------------
    @cached_property
    def _tree(self) -> tuple[list[Template], list[Wikilink]]:
        """Template calls and links, nested ones included, in document order: one walk of the tree
        (what filter_templates and filter_wikilinks each give, at a third of their cost together)."""
        templates, links = [], []
        stack = list(self.code.nodes)[::-1]
        while stack:
            node = stack.pop()
            if isinstance(node, Template):
                templates.append(node)
            elif isinstance(node, Wikilink):
                links.append(node)
            elif isinstance(node, Text):
                continue
            children = [child for code in node.__children__() for child in code.nodes]
            stack.extend(reversed(children))
        return templates, links

    @cached_property
    def templates(self) -> list[tuple[Template, int]]:
        """Every template call, nested ones included, with its offset."""
        return list(self._located(self._tree[0]))

    @cached_property
    def infoboxes(self) -> list[Infobox]:
        return [Infobox(t, self.line_at(at), at, self.end_of(t, at)) for t, at in self.templates
                if template_name(t).lower().startswith("infobox")]

    @property
    def infobox(self) -> Infobox | None:
        return self.infoboxes[0] if self.infoboxes else None

    @cached_property
    def sections(self) -> list[Section]:
        heads = list(self._located(self.code.filter_headings(recursive=False)))
        out = []
        for i, (h, at) in enumerate(heads):
            end = heads[i + 1][1] if i + 1 < len(heads) else len(self.text)
            out.append(Section(str(h.title).strip(), h.level, self.line_at(at), at, end))
        return out

    @property
    def lead_end(self) -> int:
        return self.sections[0].start if self.sections else len(self.text)

    @property
    def lead(self) -> str:
        """The text before the first heading (templates and all)."""
        return self.text[: self.lead_end]

    @cached_property
    def _wikilinks(self) -> list[tuple[Wikilink, int]]:
        return list(self._located(self._tree[1]))

    @cached_property
    def links(self) -> list[Link]:
        """Links to pages (not categories, not files shown inline); `[[:Category:X]]` is a link."""
        out = []
        for node, at in self._wikilinks:
            raw = str(node.title).strip()
            if not raw or "{{" in raw or raw.startswith(("http:", "https:", "//")):
                continue
            colon = raw.startswith(":")
            ns = namespace_of(raw.lstrip(":"))
            if not colon and ns in (_CATEGORY_NS, _FILE_NS):
                continue
            target = normalize_title(raw)
            if not target:
                continue       # [[#Section]]: a link within the page
            frag = raw.partition("#")[2].strip()
            label = str(node.text).strip() if node.text is not None else raw.lstrip(":")
            out.append(Link(target, label, self.line_at(at), frag))
        return out

    @cached_property
    def categories(self) -> list[CategoryRef]:
        out = []
        for node, at in self._wikilinks:
            raw = str(node.title).strip()
            if raw.startswith(":") or namespace_of(raw) != _CATEGORY_NS:
                continue
            name = normalize_title(raw)[len(NAMESPACES[_CATEGORY_NS]) + 1:]
            key = str(node.text) if node.text is not None else None
            out.append(CategoryRef(name, key, self.line_at(at), at, self.end_of(node, at)))
        return out

    # -- universe ------------------------------------------------------------------------------
    @cached_property
    def universe_claims(self) -> list[UniverseClaim]:
        """Every way the page names a universe, in the order of precedence."""
        claims = []
        for t, at in self.templates:
            if template_name(t) == UNIVERSE_TEMPLATE and t.has("1"):
                name = unescape_value(str(t.get("1").value).strip())
                if name:
                    claims.append(UniverseClaim(name, "marker", self.line_at(at)))
        for box in self.infoboxes:
            name = box.get("universe")
            if name:
                claims.append(UniverseClaim(name, "infobox", box.line))
        from_title = universe_from_title(self.title)
        if from_title:
            claims.append(UniverseClaim(from_title, "title", None))
        for cat in self.categories:
            if is_universe_name(cat.name):
                claims.append(UniverseClaim(cat.name, "category", cat.line))
        return claims

    @property
    def universe(self) -> str | None:
        claims = self.universe_claims
        return claims[0].name if claims else None
