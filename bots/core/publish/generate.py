"""Records -> article wikitext, and re-generation that keeps human edits.

A new page is laid out as: universe marker, infobox, lead, sections, categories. The generator-owned
regions (bots.core.wikitext.regions) are the record's infobox call (the first call of its template) and the
generated sections, each between markers:

    <!-- gmw-generated: Background -->
    == Background ==
    ...
    <!-- /gmw-generated: Background -->

Publishing merges a new page into the wiki's (bots.core.wikitext.merge, with the last generated text as the
base). `apply_record` is the two-way form, for a page the bot has no earlier text for (a folder of
generated files, a page someone else made): only the regions are rewritten and every other byte
(the lead once written, human sections, categories editors added) stays as it is. A generated
section missing from the page is added before the trailing categories; a region whose markers an
editor removed is theirs from then on. Output is deterministic: the same record gives the same bytes.
Section titles are escaped where they are written, in the heading and in the markers alike, so a
title can neither add markup nor end a marker.
"""
from __future__ import annotations

import re

from bots.core.wikitext.escape import escape_value
from bots.core.sources.records import Record, SectionRecord
from bots.core.wikitext.regions import begin_marker, end_marker, find_regions, section_key, template_key
from bots.core.wikitext.schema import TemplateSchema
from bots.core.wikitext.universe import UNIVERSE_TEMPLATE

__all__ = ["render_page", "render_infobox", "render_section", "apply_record"]


def render_infobox(record: Record, schema: TemplateSchema) -> str:
    lines = [f"{{{{{record.template}"]
    for name in schema.order:
        value = record.infobox.get(name)
        if value is not None and value != "":
            lines.append(f"| {name} = {escape_value(value)}")
    lines.append("}}")
    return "\n".join(lines)


def render_section(section: SectionRecord) -> str:
    title = escape_value(section.title)
    body = f"== {title} ==\n{section.text.strip()}"
    if not section.generated:
        return body
    return f"{begin_marker(title)}\n{body}\n{end_marker(title)}"


def _categories(record: Record) -> str:
    return "\n".join(f"[[Category:{c}]]" for c in record.categories)


def render_page(record: Record, schema: TemplateSchema) -> str:
    parts = [f"{{{{{UNIVERSE_TEMPLATE}|{escape_value(record.universe)}}}}}", render_infobox(record, schema)]
    if record.lead.strip():
        parts.append(record.lead.strip("\n"))
    text = "\n".join(parts) + "\n"
    for section in record.sections:
        text += "\n" + render_section(section) + "\n"
    cats = _categories(record)
    if cats:
        text += "\n" + cats + "\n"
    return text


_TRAILING_CATEGORIES = re.compile(r"(?:\s*\[\[\s*[Cc]ategory\s*:[^\]\n]*\]\])+\s*$")


def apply_record(record: Record, schema: TemplateSchema, existing: str | None) -> str:
    """The page text after applying `record`: a new page, or `existing` with only its generated
    regions rewritten."""
    if existing is None or not existing.strip():
        return render_page(record, schema)
    text = existing
    for section in record.sections:
        if not section.generated:
            continue
        fresh = render_section(section)
        region = find_regions(text).get(section_key(escape_value(section.title)))
        if region is not None:
            text = text[:region.start] + fresh + text[region.end:]
        else:
            text = _insert_before_categories(text, fresh)
    return _replace_infobox(text, record, schema)


def _replace_infobox(text: str, record: Record, schema: TemplateSchema) -> str:
    fresh = render_infobox(record, schema)
    found = find_regions(text, (record.template, UNIVERSE_TEMPLATE))
    box = found.get(template_key(record.template))
    if box is not None:
        return text if box.text == fresh else text[:box.start] + fresh + text[box.end:]
    # No infobox any more: put it back after the universe marker (or at the top).
    marker = found.get(template_key(UNIVERSE_TEMPLATE))
    if marker is not None:
        return text[:marker.end] + "\n" + fresh + text[marker.end:]
    return fresh + "\n" + text
def _insert_before_categories(text: str, block: str) -> str:
    m = _TRAILING_CATEGORIES.search(text)
    cut = m.start() if m else len(text.rstrip("\n"))
    head, tail = text[:cut].rstrip("\n"), text[cut:]
    return head + "\n\n" + block + ("\n" + tail if tail.strip() else "\n")
