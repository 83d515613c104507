"""Schema rules: every infobox call checked against its template's TemplateData.

The schemas come from the caller (``page.extras["schemas"]``: template name -> TemplateSchema, the
same objects the generator writes from); an infobox whose template has no schema is not checked.
Every finding points at the line of the parameter itself, computed from the template node's offset
and the parameter's position in the call (:func:`param_spans`).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Iterator

from mwparserfromhell.nodes import Template

from bots.core.wikitext.article import Infobox
from bots.core.dates.scanner import parse_date
from bots.core.wikitext.escape import unescape_value
from bots.core.wikitext.schema import TemplateSchema
from bots.core.wikitext.titles import InvalidTitle, validate_title

from .base import Hit, PageView, Severity, rule

__all__ = ["ParamSpan", "param_spans", "box_offset", "schema_for"]

GROUP = "schema"


@dataclass(frozen=True)
class ParamSpan:
    """One parameter of a call as written: its name and value with their offsets in the page."""

    name: str            # stripped
    value: str           # stripped, character references decoded (what a reader sees)
    raw_value: str       # as written
    name_start: int      # offset of the stripped name (or of the value, for a positional parameter)
    name_end: int
    value_start: int     # offset of the raw value
    value_end: int
    showkey: bool
    line: int


def box_offset(page: PageView, box: Infobox) -> int | None:
    """Offset of an infobox call in the page text (the Article located every template once)."""
    for node, at in page.article.templates:
        if node is box.node:
            return at
    return None


def param_spans(page: PageView, node: Template, at: int) -> list[ParamSpan]:
    """The parameters of the call at offset ``at``, in order, repeats included.

    mwparserfromhell writes a call back as "{{" name ("|" param)* "}}", a param as name "=" value or
    value alone, so each offset follows from the lengths of what precedes it.
    """
    cache = page.extras.setdefault("_param_spans", {})
    key = (id(node), at)
    if key in cache:
        return cache[key]
    out = []
    pos = at + 2 + len(str(node.name))
    for p in node.params:
        pos += 1                                  # the "|"
        raw_name, raw_value = str(p.name), str(p.value)
        if p.showkey:
            lead = len(raw_name) - len(raw_name.lstrip())
            name_start = pos + lead
            name_end = name_start + len(raw_name.strip())
            value_start = pos + len(raw_name) + 1
        else:
            lead = len(raw_value) - len(raw_value.lstrip())
            name_start = name_end = pos + lead
            value_start = pos
        value_end = value_start + len(raw_value)
        out.append(ParamSpan(raw_name.strip(), unescape_value(raw_value.strip()), raw_value, name_start,
                             name_end, value_start, value_end, bool(p.showkey), page.line_at(name_start)))
        pos = value_end
    cache[key] = out
    return out


def schema_for(page: PageView, box: Infobox) -> TemplateSchema | None:
    return (page.extras.get("schemas") or {}).get(box.name)


def _checked_boxes(page: PageView) -> Iterator[tuple[Infobox, TemplateSchema, list[ParamSpan]]]:
    for box in page.article.infoboxes:
        schema = schema_for(page, box)
        at = box_offset(page, box) if schema is not None else None
        if schema is not None and at is not None:
            yield box, schema, param_spans(page, box.node, at)


@rule("infobox-missing-required", Severity.ERROR,
      "An infobox call lacks a parameter its template's TemplateData marks required, or leaves it empty.",
      group=GROUP)
def missing_required(page: PageView) -> Iterator[Hit]:
    for box, schema, spans in _checked_boxes(page):
        given: dict[str, ParamSpan] = {}
        for span in spans:
            canonical = schema.canonical(span.name)
            if canonical:
                given[canonical] = span              # the last one counts, as in MediaWiki
        for name in schema.required:
            span = given.get(name)
            if span is None:
                yield Hit(box.line, f"{{{{{box.name}}}}} lacks the required parameter '{name}'",
                          fix=f"add | {name} = …")
            elif not span.value:
                yield Hit(span.line, f"the required parameter '{name}' of {{{{{box.name}}}}} is empty")


@rule("infobox-unknown-parameter", Severity.WARNING,
      "An infobox call gives a parameter its template's TemplateData does not declare (a typo, or an "
      "old name): the value is silently not shown.", group=GROUP)
def unknown_parameter(page: PageView) -> Iterator[Hit]:
    for box, schema, spans in _checked_boxes(page):
        known = list(schema.params) + list(schema.aliases)
        for span in spans:
            if schema.canonical(span.name) is not None:
                continue
            if not span.showkey and not span.value:
                continue                             # a stray "||": an empty positional parameter
            close = difflib.get_close_matches(span.name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            yield Hit(span.line, f"{{{{{box.name}}}}} has no parameter '{span.name}'{hint}",
                      fix=f"rename to {close[0]}" if close else None)


def _replacement(schema: TemplateSchema, name: str, reason: str) -> str | None:
    """The one current parameter a deprecation text names ("Use place." -> "place"), if exactly one."""
    words = set(re.findall(r"[\w-]+", reason))
    found = [n for n in schema.params if n in words and n != name and not schema.params[n].deprecated]
    return found[0] if len(found) == 1 else None


@rule("infobox-deprecated-parameter", Severity.WARNING,
      "An infobox call uses a parameter TemplateData marks deprecated; the message gives the reason. "
      "The fix renames it when the replacement is absent, so nothing is lost.", group=GROUP)
def deprecated_parameter(page: PageView) -> Iterator[Hit]:
    for box, schema, spans in _checked_boxes(page):
        counts: dict[str, int] = {}
        for span in spans:
            canonical = schema.canonical(span.name)
            if canonical:
                counts[canonical] = counts.get(canonical, 0) + 1
        for span in spans:
            canonical = schema.canonical(span.name)
            if canonical is None or not schema.params[canonical].deprecated:
                continue
            reason = schema.params[canonical].deprecated
            reason = reason.strip() if isinstance(reason, str) and reason.strip() else ""
            target = _replacement(schema, canonical, reason) if reason else None
            edit = fix = None
            # Lossless only when the new name is not given already and this is the only occurrence.
            if target and span.showkey and not counts.get(target) and counts[canonical] == 1:
                edit, fix = (span.name_start, span.name_end, target), f"rename '{span.name}' to '{target}'"
            message = f"parameter '{span.name}' of {{{{{box.name}}}}} is deprecated"
            yield Hit(span.line, f"{message}: {reason}" if reason else message, fix=fix, edit=edit)


@rule("infobox-duplicate-parameter", Severity.ERROR,
      "An infobox call gives one parameter twice (or under a name and its alias): MediaWiki silently "
      "keeps the last value.", group=GROUP)
def duplicate_parameter(page: PageView) -> Iterator[Hit]:
    for box, schema, spans in _checked_boxes(page):
        seen: dict[str, ParamSpan] = {}
        for span in spans:
            key = schema.canonical(span.name) or span.name
            first = seen.get(key)
            if first is not None:
                same = "" if first.name == span.name else f" (as '{first.name}')"
                yield Hit(span.line, f"parameter '{span.name}' of {{{{{box.name}}}}} is given twice: "
                          f"line {first.line}{same} and line {span.line}; MediaWiki uses the last value")
            seen[key] = span


_COMMENT_OR_REF = re.compile(r"<!--.*?(?:-->|\Z)|<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>", re.S | re.I)
_NUMBER = re.compile(r"(?:(?:c\.|ca\.|circa|approx\.|about|~)\s*)?[+\-−]?"
                     r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", re.I)
_URL = re.compile(r"(?:(?:https?|ftp)://|//)[^\s\[\]<>\"{}|]+", re.I)
_BOOLEAN = frozenset({"1", "0", "yes", "no", "true", "false", "y", "n"})


def _type_problem(kind: str, value: str) -> tuple[str, str | None] | None:
    """(what is wrong, a fix) when ``value`` is not of TemplateData type ``kind``; None when it is
    or when it cannot be judged (empty, or built by templates we cannot evaluate)."""
    value = _COMMENT_OR_REF.sub("", value).strip()
    if not value:
        return None
    if kind == "date":
        if parse_date(value) is None and "{{" not in value:
            return "is not a date the bots can read", None
        return None
    if "{{" in value:
        return None
    if kind == "number":
        return None if _NUMBER.fullmatch(value) else ("is not a number", None)
    if kind == "wiki-page-name":
        link = re.fullmatch(r"\[\[([^\[\]|]+)(?:\|[^\[\]]*)?\]\]", value)
        if link:
            return "is a link; give the page name without [[ ]]", link.group(1).strip()
        try:
            validate_title(value)
        except InvalidTitle as exc:
            return f"is not a valid page name ({exc})", None
        return None
    if kind == "url":
        return None if _URL.fullmatch(value) else ("is not a URL (http://, https:// or //)", None)
    if kind == "boolean":
        return None if value.lower() in _BOOLEAN else ("is not a boolean (yes/no, 1/0)", None)
    return None


@rule("infobox-bad-type", Severity.WARNING,
      "An infobox parameter's value does not fit its TemplateData type (number, date, wiki-page-name, "
      "url, boolean).", group=GROUP)
def bad_type(page: PageView) -> Iterator[Hit]:
    for box, schema, spans in _checked_boxes(page):
        for span in spans:
            canonical = schema.canonical(span.name)
            if canonical is None:
                continue
            kind = schema.params[canonical].type
            problem = _type_problem(kind, span.value)
            if problem:
                what, fix = problem
                yield Hit(span.line, f"'{span.name}' of {{{{{box.name}}}}} should be a {kind}: "
                          f"{span.value!r} {what}", fix=fix)
