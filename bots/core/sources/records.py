"""Article records: the structured data the generator turns into pages.

A records file is YAML (.yaml, .yml) or JSON (.json), in one of two shapes:

  one universe per file               one article per file
  universe: Earth-1389                title: October Revolution
  articles:                           universe: Earth-1389
    - title: October Revolution       infobox: {name: ..., date: ...}
      infobox: {...}                  lead: ...
      lead: ...

Article fields: `title` (required), `universe` (required here or at the file's top), `template`
(default "Infobox historical event"), `infobox` (parameter -> value, checked against the template's
TemplateData), `lead` (wikitext), `sections` (a list of {title, text, generated}; a generated
section is a region the bot owns), `categories` (names).
Bad input (malformed files, a missing required field, an unknown field or parameter, a value of the
wrong type, a file that is not UTF-8) becomes a RecordError naming the file, the record and the
field; other records go on.

No value can add a template, a category or a heading to a page, or forge a generated region:
- infobox values, the universe and section titles are escaped where they are written
  (bots.core.wikitext.escape); a universe, a title and a category must also be valid page names, and a
  section title one line;
- the lead and section text are wikitext for prose (links, bold, references), and are refused when
  they hold what would change the page's structure: a template or parser function (`{{`), a category
  link, a heading line, a magic word, a signature, an unclosed comment or reference, a region
  marker, or a tag outside a small list of inline ones.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from bots.core.sources import safeload
from bots.core.wikitext.schema import TemplateSchema
from bots.core.wikitext.titles import InvalidTitle, namespace_of, validate_title

__all__ = ["Record", "SectionRecord", "RecordError", "DEFAULT_TEMPLATE", "iter_records", "load_file"]

DEFAULT_TEMPLATE = "Infobox historical event"
_ARTICLE_FIELDS = {"title", "universe", "template", "infobox", "lead", "sections", "categories"}
_SECTION_FIELDS = {"title", "text", "generated"}
_LINE = "__line__"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_LINK_TARGET = re.compile(r"\[\[\s*([^\[\]|\n]*)")
_HEADING = re.compile(r"^[ \t]*=.*=[ \t]*(?:<!--.*?-->[ \t]*)*$", re.M)
_MAGIC_WORD = re.compile(r"__[A-Za-z_]+__")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
# Inline tags prose may use; anything else (nowiki, pre, includeonly, gallery ...) changes how the
# rest of the page is read.
_PROSE_TAGS = {"b", "i", "u", "s", "del", "ins", "em", "strong", "small", "big", "sup", "sub", "code",
               "span", "abbr", "br", "ref", "references", "q", "cite", "var", "kbd", "samp", "bdi"}
_CATEGORY_NS = 14


@dataclass(frozen=True)
class SectionRecord:
    title: str
    text: str
    generated: bool = True


@dataclass(frozen=True)
class Record:
    title: str
    universe: str
    template: str
    infobox: dict[str, str]
    lead: str = ""
    sections: tuple[SectionRecord, ...] = ()
    categories: tuple[str, ...] = ()
    origin: str = ""


@dataclass(frozen=True)
class RecordError:
    origin: str            # "path:line" (the record's line where known)
    message: str
    field: str | None = None
    title: str | None = None

    def __str__(self) -> str:
        page = f" [{self.title}]" if self.title else ""
        return f"{self.origin}{page}: {self.message}"


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping, so errors can point at the record."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_file(path: Path) -> object:
    """The parsed file; raises RecordError for unreadable, non-UTF-8 or malformed files."""
    try:
        text = safeload.read_text(path, safeload.RECORDS)
    except UnicodeDecodeError as exc:
        raise _file_error(path, f"not UTF-8 (byte {exc.start}): {exc.reason}") from None
    except OSError as exc:
        raise _file_error(path, f"cannot read: {exc.strerror}") from None
    except safeload.LimitError as exc:
        raise _file_error(path, f"refused: {exc.message}") from None
    if path.suffix == ".json":
        try:
            return safeload.load_json(text, safeload.RECORDS)
        except json.JSONDecodeError as exc:
            raise _file_error(path, f"malformed JSON: {exc.msg}", exc.lineno) from None
        except safeload.LimitError as exc:
            raise _file_error(path, f"refused: {exc.message}", exc.line) from None
    try:
        return safeload.load_yaml(text, safeload.RECORDS, _LineLoader)
    except safeload.LimitError as exc:
        raise _file_error(path, f"refused: {exc.message}", exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise _file_error(path, f"malformed YAML: {problem}", mark.line + 1 if mark else None) from None


class _FileError(Exception):
    def __init__(self, error: RecordError) -> None:
        super().__init__(str(error))
        self.error = error


def _file_error(path: Path, message: str, line: int | None = None) -> _FileError:
    return _FileError(RecordError(f"{path}:{line}" if line else str(path), message))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())
    return [path]


def iter_records(path: str | Path, schemas: dict[str, TemplateSchema]) -> Iterator[Record | RecordError]:
    """Every record of a file or a folder of files, validated; errors in place of bad records."""
    for file in _files(Path(path)):
        try:
            data = load_file(file)
        except _FileError as exc:
            yield exc.error
            continue
        if isinstance(data, dict) and "articles" in data:
            default_universe = data.get("universe")
            extra = set(data) - {"universe", "articles", _LINE}
            if extra:
                yield RecordError(f"{file}:{data.get(_LINE, 1)}", f"unknown top-level field(s): {sorted(extra)}")
            items = data.get("articles") or []
        elif isinstance(data, list):
            default_universe, items = None, data
        elif isinstance(data, dict):
            default_universe, items = None, [data]
        else:
            yield RecordError(str(file), "expected a mapping or a list of records")
            continue
        if not isinstance(items, list):
            yield RecordError(str(file), "'articles' must be a list of records", "articles")
            continue
        for i, item in enumerate(items):
            yield _record(file, i, item, default_universe, schemas)


def _record(file: Path, index: int, item, default_universe, schemas) -> Record | RecordError:
    if not isinstance(item, dict):
        return RecordError(f"{file}: record {index + 1}", "a record must be a mapping")
    origin = f"{file}:{item.get(_LINE, '?')}"
    title = item.get("title")

    def err(message: str, fld: str | None = None) -> RecordError:
        return RecordError(origin, message, fld, str(title) if title else None)

    unknown = set(item) - _ARTICLE_FIELDS - {_LINE}
    if unknown:
        return err(f"unknown field {sorted(unknown)[0]!r} (known: {', '.join(sorted(_ARTICLE_FIELDS))})",
                   sorted(unknown)[0])
    if title is None or (isinstance(title, str) and not title.strip()):
        return err("missing the required field 'title'", "title")
    if not isinstance(title, str):
        return err(f"'title' must be text, not {_kind(title)}", "title")
    bad = _name_problem(title)
    if bad:
        return err(f"invalid title: {bad}", "title")
    title = validate_title(title)
    universe = item.get("universe", default_universe)
    if universe is None or (isinstance(universe, str) and not universe.strip()):
        return err("missing the required field 'universe'", "universe")
    if not isinstance(universe, str):
        return err(f"'universe' must be text, not {_kind(universe)}", "universe")
    bad = _name_problem(universe, main_only=True)
    if bad:
        return err(f"invalid universe name (it names the universe's category): {bad}", "universe")
    template = item.get("template") or DEFAULT_TEMPLATE
    if not isinstance(template, str):
        return err(f"'template' must be text, not {_kind(template)}", "template")
    schema = schemas.get(template)
    if schema is None:
        return err(f"no TemplateData schema for Template:{template}", "template")
    box = item.get("infobox") or {}
    if not isinstance(box, dict):
        return err("'infobox' must be a mapping of parameter to value", "infobox")
    values: dict[str, str] = {}
    for name, value in box.items():
        if name == _LINE:
            continue
        canonical = schema.canonical(str(name))
        if canonical is None:
            return err(f"unknown infobox parameter {name!r} for Template:{template}", f"infobox.{name}")
        if isinstance(value, (dict, list)):
            return err("an infobox value must be text or a number", f"infobox.{name}")
        if value is not None:
            text = _scalar(value)
            bad = _CONTROL.search(text)
            if bad:
                return err(f"control character U+{ord(bad.group()):04X} in the value (MediaWiki cannot "
                           "store it)", f"infobox.{name}")
            values[canonical] = text
    values.setdefault("universe", universe)
    for req in schema.required:
        if not values.get(req, "").strip():
            return err(f"missing the required infobox parameter {req!r}", f"infobox.{req}")
    lead = item.get("lead")
    if lead is not None and not isinstance(lead, str):
        return err(f"'lead' must be text, not {_kind(lead)}", "lead")
    bad = _prose_problem(lead or "")
    if bad:
        return err(f"the lead {bad}", "lead")
    raw_sections = item.get("sections") or []
    if not isinstance(raw_sections, list):
        return err(f"'sections' must be a list, not {_kind(raw_sections)}", "sections")
    sections, seen = [], set()
    for j, sec in enumerate(raw_sections):
        where = f"sections[{j + 1}]"
        if not isinstance(sec, dict):
            return err(f"section {j + 1} must be a mapping of title, text, generated", where)
        bad = set(sec) - _SECTION_FIELDS - {_LINE}
        if bad:
            return err(f"unknown section field {sorted(bad)[0]!r}", f"{where}.{sorted(bad)[0]}")
        heading = sec.get("title")
        if not isinstance(heading, str) or not heading.strip():
            return err(f"section {j + 1} needs a 'title' (text)", f"{where}.title")
        heading = heading.strip()
        if _CONTROL.search(heading) or "\n" in heading or "\r" in heading:
            return err(f"section {j + 1}: a title is one line of text", f"{where}.title")
        if heading in seen:
            return err(f"section {j + 1}: the title {heading!r} is used twice", f"{where}.title")
        seen.add(heading)
        body = sec.get("text")
        if body is not None and not isinstance(body, str):
            return err(f"section {j + 1}: 'text' must be text, not {_kind(body)}", f"{where}.text")
        bad = _prose_problem(body or "")
        if bad:
            return err(f"section {j + 1}: the text {bad}", f"{where}.text")
        generated = sec.get("generated", True)
        if not isinstance(generated, bool):
            return err(f"section {j + 1}: 'generated' must be true or false", f"{where}.generated")
        sections.append(SectionRecord(heading, body or "", generated))
    cats = item.get("categories") or []
    if not isinstance(cats, list):
        return err(f"'categories' must be a list of names, not {_kind(cats)}", "categories")
    names = []
    for j, cat in enumerate(cats):
        if not isinstance(cat, (str, int)) or isinstance(cat, bool):
            return err(f"category {j + 1} must be a name, not {_kind(cat)}", f"categories[{j + 1}]")
        bad = _name_problem(f"Category:{cat}")
        if bad:
            return err(f"invalid category name {str(cat)!r}: {bad}", f"categories[{j + 1}]")
        names.append(validate_title(f"Category:{cat}").partition(":")[2])
    return Record(title, universe.strip(), template, values, lead or "", tuple(sections),
                  tuple(names), origin)


def _kind(value) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__)


def _name_problem(name: str, main_only: bool = False) -> str | None:
    """Why `name` cannot be a page name as written (None: it can)."""
    bad = _CONTROL.search(name)
    if bad:
        return f"control character U+{ord(bad.group()):04X}"
    if "#" in name:
        return "contains '#' (a section link, not a page name)"
    try:
        valid = validate_title(name)
    except InvalidTitle as exc:
        return str(exc)
    if main_only and namespace_of(valid) != 0:
        return f"{name!r} would be a page of another namespace"
    return None


def _prose_problem(text: str) -> str | None:
    """Why `text` cannot go into a page as prose (None: it can); see the module docstring."""
    if not text:
        return None
    bad = _CONTROL.search(text)
    if bad:
        return f"holds the control character U+{ord(bad.group()):04X} (MediaWiki cannot store it)"
    if "gmw-generated" in text:
        return "holds a generated-region marker ('gmw-generated'), which only the generator writes"
    if "{{" in text:
        return "holds '{{' (a template or parser function): records give values, not templates"
    comment = text.find("<!--")
    while comment >= 0:
        close = text.find("-->", comment + 4)
        if close < 0:
            return "opens a comment ('<!--') that it never closes"
        comment = text.find("<!--", close + 3)
    for m in _LINK_TARGET.finditer(text):
        target = m.group(1).strip()
        if not target.startswith(":") and namespace_of(target) == _CATEGORY_NS:
            return f"adds a category ([[{target}]]): records list categories in 'categories'"
    heading = _HEADING.search(text)
    if heading:
        return f"holds a heading line ({heading.group(0).strip()!r}): records give sections in 'sections'"
    magic = _MAGIC_WORD.search(text)
    if magic:
        return f"holds the magic word {magic.group(0)!r}"
    if "~~~" in text:
        return "holds '~~~' (a signature, expanded when saved)"
    opened = 0
    for m in _TAG.finditer(text):
        closing, name, rest = m.group(1), m.group(2).lower(), m.group(3)
        if name not in _PROSE_TAGS:
            return f"holds the tag <{name}>, which changes how the rest of the page is read"
        if name == "ref" and not rest.rstrip().endswith("/"):
            opened += -1 if closing else 1
            if opened < 0:
                return "closes a reference (</ref>) it never opened"
    if opened:
        return "opens a reference (<ref>) that it never closes"
    return None


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
