"""Records -> article wikitext, and re-generation that keeps human edits.

A new page is laid out as: universe marker, infobox, lead, sections, categories. On an existing page
only the generator-owned regions are rewritten: the record's infobox call (the first call of its
template) and the generated sections, each between markers:

    <!-- gmw-generated: Background -->
    == Background ==
    ...
    <!-- /gmw-generated: Background -->

Every other byte (the lead once written, human sections, categories editors added) stays as it is.
A generated section missing from the page is added before the trailing categories; a region whose
markers an editor removed is theirs from then on, and is not touched again... unless the record adds
it anew, in which case it is appended once more (document your edits in the data instead).
Output is deterministic: the same record gives the same bytes.
"""
from __future__ import annotations

import re

from bots.core.article import Article, template_name
from bots.core.escape import escape_value
from bots.core.records import Record, SectionRecord
from bots.core.schema import TemplateSchema
from bots.core.universe import UNIVERSE_TEMPLATE

__all__ = ["render_page", "render_infobox", "render_section", "apply_record", "region_pattern"]


def render_infobox(record: Record, schema: TemplateSchema) -> str:
    lines = [f"{{{{{record.template}"]
    for name in schema.order:
        value = record.infobox.get(name)
        if value is not None and value != "":
            lines.append(f"| {name} = {escape_value(value)}")
    lines.append("}}")
    return "\n".join(lines)


def _begin(title: str) -> str:
    return f"<!-- gmw-generated: {title} -->"


def _end(title: str) -> str:
    return f"<!-- /gmw-generated: {title} -->"


def region_pattern(title: str) -> re.Pattern[str]:
    """A generated section's region, markers included."""
    return re.compile(re.escape(_begin(title)) + r".*?" + re.escape(_end(title)), re.S)


def render_section(section: SectionRecord) -> str:
    body = f"== {section.title} ==\n{section.text.strip()}"
    if not section.generated:
        return body
    return f"{_begin(section.title)}\n{body}\n{_end(section.title)}"


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
        pattern = region_pattern(section.title)
        if pattern.search(text):
            text = pattern.sub(lambda _m: fresh, text, count=1)
        else:
            text = _insert_before_categories(text, fresh)
    return _replace_infobox(text, record, schema)


def _replace_infobox(text: str, record: Record, schema: TemplateSchema) -> str:
    article = Article(record.title, text)
    fresh = render_infobox(record, schema)
    for node, at in article.templates:
        if template_name(node) == record.template:
            end = at + len(str(node))
            return text if text[at:end] == fresh else text[:at] + fresh + text[end:]
    # No infobox any more: put it back after the universe marker (or at the top).
    for node, at in article.templates:
        if template_name(node) == UNIVERSE_TEMPLATE:
            end = at + len(str(node))
            return text[:end] + "\n" + fresh + text[end:]
    return fresh + "\n" + text


def _insert_before_categories(text: str, block: str) -> str:
    m = _TRAILING_CATEGORIES.search(text)
    cut = m.start() if m else len(text.rstrip("\n"))
    head, tail = text[:cut].rstrip("\n"), text[cut:]
    return head + "\n\n" + block + ("\n" + tail if tail.strip() else "\n")
