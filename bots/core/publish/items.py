"""What the publish bot publishes: pages from any source, as items with their origin.

Sources: a folder of .wikitext files, a MediaWiki XML export, a pywikibot pagefromfile file
(bots.core.sources), or data records (YAML/JSON; bots.core.sources.records) generated on the fly, so that
the generator's regions are applied to the page's current text at publish time.
Bad input never stops the run: it becomes a `Rejected` item naming the source location.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from bots.core.publish.generate import apply_record, render_page
from bots.core.sources.records import RecordError, iter_records
from bots.core.wikitext.schema import TemplateSchema
from bots.core.sources import SourceError, iter_pages
from bots.core.wikitext.titles import InvalidTitle, validate_title

__all__ = ["Item", "Rejected", "is_records_source", "iter_items", "infobox_templates"]

_RECORD_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Item:
    """One page a bot would save (bots.core.publish.plan decides what happens to it)."""

    title: str
    origin: str
    text: str | None = None          # the page as the bot generates it (every source but fixes)
    templates: frozenset[str] = frozenset()   # infoboxes whose first call is a generated region
    # Records: write only the generated regions into a page the bot has no earlier text for.
    fallback: Callable[[str], str] | None = None
    # Fixes: the page's current text -> the fixed text (nothing generated, nothing to merge).
    transform: Callable[[str | None], str] | None = None


def infobox_templates(schemas: dict[str, TemplateSchema]) -> frozenset[str]:
    """The templates whose first call on a page is generator-owned: the infoboxes we generate."""
    return frozenset(name for name in schemas if name.lower().startswith("infobox"))


@dataclass(frozen=True)
class Rejected:
    origin: str
    reason: str
    title: str | None = None


def is_records_source(path: Path) -> bool:
    if path.is_file():
        return path.suffix in _RECORD_SUFFIXES
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        return any(p.suffix in _RECORD_SUFFIXES for p in files) and not any(p.suffix == ".wikitext" for p in files)
    return False


def iter_items(path: Path, schemas: dict[str, TemplateSchema]) -> Iterator[Item | Rejected]:
    """Every page of the source, titles validated, duplicates and empty pages rejected."""
    seen: dict[str, str] = {}
    for item in _raw_items(path, schemas):
        if isinstance(item, Item):
            if item.title in seen:
                yield Rejected(item.origin, f"the same page as {seen[item.title]}: published once, from there",
                               item.title)
                continue
            seen[item.title] = item.origin
        yield item


def _raw_items(path: Path, schemas) -> Iterator[Item | Rejected]:
    if is_records_source(path):
        for rec in iter_records(path, schemas):
            if isinstance(rec, RecordError):
                yield Rejected(rec.origin, rec.message + (f" (field {rec.field})" if rec.field else ""), rec.title)
            else:
                schema = schemas[rec.template]
                yield Item(rec.title, rec.origin, render_page(rec, schema), frozenset({rec.template}),
                           fallback=partial(apply_record, rec, schema))
        return
    templates = infobox_templates(schemas)
    for page in iter_pages(path):
        if isinstance(page, SourceError):
            yield Rejected(page.origin, page.message, page.title)
            continue
        try:
            title = validate_title(page.title)
        except InvalidTitle as exc:
            yield Rejected(page.origin, f"invalid title: {exc}", page.title)
            continue
        if not page.text.strip():
            yield Rejected(page.origin, "empty page: nothing to publish", title)
            continue
        yield Item(title, page.origin, page.text, templates)
