"""No record field can add a template, a category or a heading, or forge a region (offline half;
tests/integration/test_human_work.py asks the real wiki)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import yaml

from bots.core.wikitext.article import Article
from bots.core.publish.generate import apply_record, render_page
from bots.core.sources.records import Record, RecordError, iter_records
from bots.core.wikitext.regions import find_regions
from bots.core.wikitext.schema import load_schemas

from tests.hostile_records import HOSTILE, record_yaml

SCHEMAS = load_schemas()
BOX = SCHEMAS["Infobox historical event"]
FIELD_NAMES = {"category": "categories", "section_title": "sections", "section_text": "sections",
               "infobox": "infobox.place"}


def _load(tmp_path, rec):
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(rec, allow_unicode=True), encoding="utf-8")
    [out] = list(iter_records(path, SCHEMAS))
    return path, out


def _structure(text: str):
    art = Article("Hostile page", text)
    templates = sorted({t.name.strip_code().strip() for t, _ in art.templates})
    return templates, sorted(c.name for c in art.categories), [s.title for s in art.sections]


def test_there_are_at_least_30_values_over_every_field():
    assert len(HOSTILE) >= 30
    assert {f for f, _ in HOSTILE} == {"title", "universe", "category", "section_title", "lead", "section_text",
                                      "infobox"}


@pytest.mark.parametrize("field, value", HOSTILE, ids=[f"{f}:{v[:25]!r}" for f, v in HOSTILE])
def test_a_hostile_value_is_escaped_into_its_place_or_refused_with_file_and_line(tmp_path, field, value):
    path, out = _load(tmp_path, record_yaml(field, value))
    if isinstance(out, RecordError):
        assert out.origin == f"{path}:1", out
        assert out.field and out.field.split(".")[0].split("[")[0] == FIELD_NAMES.get(field, field).split(".")[0]
        return
    assert isinstance(out, Record)
    text = render_page(out, BOX)
    templates, categories, sections = _structure(text)
    assert templates == ["Infobox historical event", "Universe"], text
    assert categories == ["Hostile records"], text
    assert len(sections) == 1, text
    keys = list(find_regions(text, {"Infobox historical event"}))
    assert keys[0] == "template:Infobox historical event" and len(keys) == 2 and keys[1].startswith("section:")
    # Regeneration is idempotent, and a second run changes nothing.
    assert apply_record(out, BOX, text) == text


def test_values_that_are_refused_name_their_field():
    refused = {}
    for field, value in HOSTILE:
        _, out = _load(Path(tempfile.mkdtemp()), record_yaml(field, value))
        refused.setdefault(field, []).append(isinstance(out, RecordError))
    # Prose that would change the page's structure is refused, not silently escaped.
    assert all(refused["lead"]) and all(refused["section_text"]) and all(refused["title"])
    assert all(refused["universe"]) and all(refused["category"])
    # Values that have one place (an infobox parameter, a heading) are escaped into it.
    assert not any(refused["infobox"])


@pytest.mark.parametrize("bad, words", [
    ({"lead": ["a", "list"]}, "'lead' must be text"),
    ({"sections": {"title": "x"}}, "'sections' must be a list"),
    ({"sections": [{"title": "B", "text": 12}]}, "'text' must be text"),
    ({"sections": [{"title": "B", "generated": "yes please"}]}, "'generated' must be true or false"),
    ({"sections": [{"title": "B"}, {"title": "B"}]}, "used twice"),
    ({"categories": "Revolutions"}, "'categories' must be a list"),
    ({"categories": [{"a": 1}]}, "must be a name"),
    ({"title": 1389}, "'title' must be text"),
    ({"universe": ["Earth-1"]}, "'universe' must be text"),
    ({"template": 7}, "'template' must be text"),
])
def test_every_field_is_type_checked(tmp_path, bad, words):
    rec = {**record_yaml("lead", "A plain lead."), **bad}
    path, out = _load(tmp_path, rec)
    assert isinstance(out, RecordError) and words in out.message and out.origin == f"{path}:1"
