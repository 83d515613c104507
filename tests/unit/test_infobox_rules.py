"""Schema rules: every infobox call against its TemplateData; cases as data, lines of the parameter."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bots.core.publish.generate import render_page
from bots.core.sources.records import iter_records
from bots.core.check.rules import dates as _date_rules  # noqa: F401  (registers the date rules)
from bots.core.check.rules.base import RULES, PageView, Severity, iter_rules
from bots.core.check.rules.infobox import box_offset, param_spans
from bots.core.wikitext.schema import load_schemas, parse_templatedata

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
# A schema with the types our own infobox does not use.
SCHEMAS["Infobox site"] = parse_templatedata("Infobox site", """<templatedata>{"params": {
    "name": {"type": "string", "required": true, "aliases": ["title"]},
    "website": {"type": "url"}, "active": {"type": "boolean"}, "founded": {"type": "date"}}}</templatedata>""")


def box(*params: str, name: str = "Infobox historical event") -> str:
    """An infobox call, one parameter a line, starting on line 1 (name and universe given)."""
    return "\n".join([f"{{{{{name}", "| name = A", "| universe = Earth-1389", "| date = 1389", *params, "}}"])


def hits(rule_id: str, text: str, schemas=None):
    return list(RULES[rule_id].check(PageView("Battle of Nowhere", text, {"schemas": SCHEMAS if schemas is None
                                                                                   else schemas})))


CASES = [
    ("infobox-missing-required", "x\n{{Infobox historical event\n| name = A\n| date = 1389\n}}", [2]),
    ("infobox-missing-required", "{{Infobox historical event\n| name = \n| universe = E\n| date = 1389\n}}", [2]),
    ("infobox-missing-required", "{{Infobox historical event|universe=E|date=1389}}\n{{infobox_historical event"
                                 "|name=B}}", [1, 2, 2]),
    ("infobox-missing-required", box(), []),
    ("infobox-missing-required", "{{Infobox site|title=X}} {{Infobox war|place=X}}", []),
    ("infobox-unknown-parameter", box("| plcae = Petrograd", "| colour = red"), [5, 6]),
    ("infobox-unknown-parameter", box("| place = Petrograd", "|"), []),
    ("infobox-unknown-parameter", "{{Infobox war|plcae=X}} {{Infobox site|title=X}}", []),
    ("infobox-deprecated-parameter", box("| location = Petrograd"), [5]),
    ("infobox-deprecated-parameter", box("| place = Petrograd", "| result = won"), []),
    ("infobox-duplicate-parameter", box("| place = Petrograd", "| result = won", "| place = Moscow"), [7]),
    ("infobox-duplicate-parameter", "{{Infobox site\n|name=X\n|title=Y\n}}", [3]),
    ("infobox-duplicate-parameter", box("| place = Petrograd") + "\n" + box("| place = Moscow"), []),
    ("infobox-bad-type", box("| casualties = many", "| preceded_by = [[February Revolution]]",
                             "| followed_by = A <b>", "| date_os = sometime"), [5, 6, 7, 8]),
    ("infobox-bad-type", "{{Infobox site\n|name=X\n|website=www.x.org\n|active=maybe\n|founded=31 April 1267\n}}",
     [3, 4]),
    ("infobox-bad-type", box("| casualties = 1,000", "| preceded_by = February Revolution",
                             "| followed_by = ", "| date_os = {{Start date|1389|10|25}}"), []),
    ("infobox-bad-type", "{{Infobox site|name=X|website=https://x.org/a?b=1|active=yes|founded=1389}}", []),
]


@pytest.mark.parametrize("rule_id, text, lines", CASES)
def test_rule_case(rule_id, text, lines):
    assert [h.line for h in hits(rule_id, text)] == lines


def test_every_schema_rule_has_positive_and_negative_cases():
    ids = {r.id for r in iter_rules("schema")}
    assert ids == {"infobox-missing-required", "infobox-unknown-parameter", "infobox-deprecated-parameter",
                   "infobox-duplicate-parameter", "infobox-bad-type"}
    assert ids == {c[0] for c in CASES if c[2]} == {c[0] for c in CASES if not c[2]}
    severities = {r.id: r.severity for r in iter_rules("schema")}
    assert severities["infobox-missing-required"] is severities["infobox-duplicate-parameter"] is Severity.ERROR
    assert {severities[i] for i in ids - {"infobox-missing-required", "infobox-duplicate-parameter"}} \
        == {Severity.WARNING}


@pytest.mark.parametrize("value", ["1,000", "12", "-3", "1.5", "c. 12", "1,234,567.5", "",
                                   "370<ref>Count.</ref>", "{{formatnum:1000}}"])
def test_numbers_accepted(value):
    assert hits("infobox-bad-type", box(f"| casualties = {value}")) == []


@pytest.mark.parametrize("value", ["many", "12 dead", "1,00", "12-15", "1.2.3"])
def test_numbers_refused(value):
    assert [h.line for h in hits("infobox-bad-type", box(f"| casualties = {value}"))] == [5]


def test_unknown_parameter_suggests_the_closest_name():
    (hit,) = hits("infobox-unknown-parameter", box("| plcae = Petrograd"))
    assert "'plcae'" in hit.message and "did you mean 'place'" in hit.message
    (hit,) = hits("infobox-unknown-parameter", box("| zzz = 1"))
    assert "did you mean" not in hit.message


def test_deprecated_rename_is_lossless_only():
    text = box("| location = Petrograd", "| result = won")
    (hit,) = hits("infobox-deprecated-parameter", text)
    assert "Use place." in hit.message
    start, end, new = hit.edit
    fixed = text[:start] + new + text[end:]
    assert fixed == text.replace("| location = Petrograd", "| place = Petrograd")
    assert hits("infobox-deprecated-parameter", fixed) == []
    (hit,) = hits("infobox-deprecated-parameter", box("| location = Petrograd", "| place = Moscow"))
    assert hit.edit is None                                   # place is given: renaming would lose a value
    both = hits("infobox-deprecated-parameter", box("| location = A", "| location = B"))
    assert [h.edit for h in both] == [None, None]            # a duplicate: the rename would not be the fix


def test_duplicate_message_names_both_lines():
    (hit,) = hits("infobox-duplicate-parameter", box("| place = Petrograd", "| place = Moscow"))
    assert "line 5" in hit.message and "line 6" in hit.message


def test_bad_type_link_gives_the_page_name():
    (hit,) = hits("infobox-bad-type", box("| preceded_by = [[February Revolution|the February one]]"))
    assert hit.fix == "February Revolution" and "[[" in hit.message


def test_lines_of_multiline_values():
    text = ("{{Infobox historical event|name=A|universe=E|date=1389\n| result = a\nlong\n\nvalue\n"
            "| casualties = lots <!-- c -->\n| plcae = x}}")
    assert [h.line for h in hits("infobox-bad-type", text)] == [6]
    assert [h.line for h in hits("infobox-unknown-parameter", text)] == [7]


def test_no_schema_no_findings():
    text = box("| plcae = x", "| casualties = many", name="Infobox war")
    for r in iter_rules("schema"):
        assert list(r.check(PageView("X", text, {}))) == []
        assert list(r.check(PageView("X", text))) == []


def _universe_pages():
    for rec in iter_records(ROOT / "data" / "universes", SCHEMAS):
        yield rec.title, render_page(rec, SCHEMAS[rec.template])


def test_generated_pages_pass_the_schema():
    for title, text in _universe_pages():
        view = PageView(title, text, {"schemas": SCHEMAS})
        assert [h for r in iter_rules("schema") for h in r.check(view)] == [], title


def test_param_spans_point_at_the_source():
    texts = [t for _, t in _universe_pages()] + [CASES[2][1], "{{Infobox historical event|a|b=c|{{x|y=z}}|d=}}"]
    for text in texts:
        view = PageView("X", text)
        for b in view.article.infoboxes:
            for span in param_spans(view, b.node, box_offset(view, b)):
                if span.showkey:
                    assert text[span.name_start:span.name_end] == span.name
                assert text[span.value_start:span.value_end] == span.raw_value
                assert span.line == text.count("\n", 0, span.name_start) + 1


@pytest.mark.corpus
def test_corpus_runs_without_raising(corpus_dir):
    import sys
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus_pages import iter_corpus_pages

    pages = 0
    for _origin, title, text in iter_corpus_pages(corpus_dir):
        pages += 1
        # Give Wikipedia's infoboxes a schema so that the rules do real work on real calls.
        names = {b.name for b in PageView(title, text).article.infoboxes}
        schemas = dict(SCHEMAS, **{n: SCHEMAS["Infobox historical event"] for n in names})
        view = PageView(title, text, {"schemas": schemas})
        for r in iter_rules("schema"):
            for hit in r.check(view):
                assert hit.line >= 1 and re.match(r"\S", hit.message)
    assert pages > 100
