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
TemplateData), `lead` (wikitext, written once and then left to editors), `sections` (a list of
{title, text, generated}; generated sections are rewritten on every run), `categories` (names).
Bad input (malformed files, a missing required field, an unknown field or parameter, a file that is
not UTF-8) becomes a RecordError naming the file, the record and the field; other records go on.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import yaml

from bots.core import safeload
from bots.core.schema import TemplateSchema
from bots.core.titles import InvalidTitle, validate_title

__all__ = ["Record", "SectionRecord", "RecordError", "DEFAULT_TEMPLATE", "iter_records", "load_file"]

DEFAULT_TEMPLATE = "Infobox historical event"
_ARTICLE_FIELDS = {"title", "universe", "template", "infobox", "lead", "sections", "categories"}
_SECTION_FIELDS = {"title", "text", "generated"}
_LINE = "__line__"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


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
    if not isinstance(title, str) or not title.strip():
        return err("missing the required field 'title'", "title")
    try:
        title = validate_title(title)
    except InvalidTitle as exc:
        return err(f"invalid title: {exc}", "title")
    universe = item.get("universe", default_universe)
    if not isinstance(universe, str) or not universe.strip():
        return err("missing the required field 'universe'", "universe")
    template = str(item.get("template") or DEFAULT_TEMPLATE)
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
    sections = []
    for j, sec in enumerate(item.get("sections") or []):
        if not isinstance(sec, dict) or not isinstance(sec.get("title"), str):
            return err(f"section {j + 1} needs a 'title'", "sections")
        bad = set(sec) - _SECTION_FIELDS - {_LINE}
        if bad:
            return err(f"unknown section field {sorted(bad)[0]!r}", f"sections.{sorted(bad)[0]}")
        sections.append(SectionRecord(sec["title"].strip(), str(sec.get("text") or ""),
                                      bool(sec.get("generated", True))))
    cats = item.get("categories") or []
    if not isinstance(cats, list):
        return err("'categories' must be a list", "categories")
    return Record(title, universe.strip(), template, values, str(item.get("lead") or ""), tuple(sections),
                  tuple(str(c) for c in cats), origin)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
