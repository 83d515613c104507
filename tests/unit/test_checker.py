"""The check engine and its configuration: exceptions, disabled rules, severities, crashes, edits."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bots.core.check.config import CheckConfig, ConfigError, load_config, parse_exceptions
from bots.core.check.checker import Checker, apply_edits, check_pages
from bots.core.check.rules import RULE_CRASHED, all_rules, load_rules
from bots.core.check.rules.base import RULES, Hit, Rule, Severity
from bots.core.wikitext.schema import load_schemas
from bots.core.sources.records import iter_records
from bots.core.sources import SourceError, SourcePage

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = load_schemas()
U = "{{Universe|Earth-1389}}\n"
PAGES = [("Alpha", U + "Text with a bad break</br> and [[Nowhere]].\n"),
         ("Beta", U + "Text linking to [[Alpha]].\n")]


def _ids(result):
    return [(f.page, f.rule, f.line, f.severity.value) for f in result.findings]


def test_findings_and_safe_edits():
    result = check_pages(PAGES, CheckConfig(), SCHEMAS, groups={"markup", "crosspage"})
    assert _ids(result) == [("Alpha", "link-to-missing-page", 2, "warning"),     # by page, line, rule
                            ("Alpha", "markup-invalid-br", 2, "warning")]
    assert result.pages == 2 and result.errors == []
    (edit,) = result.edits["Alpha"]
    assert edit[3] == "markup-invalid-br"
    assert apply_edits(PAGES[0][1], result.edits["Alpha"]) == U + "Text with a bad break<br /> and [[Nowhere]].\n"


def test_exceptions_remove_a_finding_and_its_edit():
    page = "Intro.\n== Notes ==\n* cross-universe-link: [[Napoleon]]\n" \
           "* markup-invalid-br: [[alpha]], [[Gamma]]\n<!-- * link-to-missing-page: [[Alpha]] -->\n" \
           "*link-to-missing-page:[[beta_page|Beta]]\n** not-a-rule [[X]]\n: * x: [[Y]]\n"
    exceptions = parse_exceptions(page)
    assert exceptions == {("cross-universe-link", "Napoleon"), ("markup-invalid-br", "Alpha"),
                          ("markup-invalid-br", "Gamma"), ("link-to-missing-page", "Beta page")}
    config = CheckConfig().with_exceptions(exceptions)
    result = check_pages(PAGES, config, SCHEMAS, groups={"markup", "crosspage"})
    assert _ids(result) == [("Alpha", "link-to-missing-page", 2, "warning")]
    assert result.edits == {}


def test_config_disables_a_rule_and_changes_a_severity(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("rules:\n  markup-invalid-br: {enabled: false}\n  link-to-missing-page: {severity: error}\n"
                    "exceptions_page: 'project:Exceptions'\n")
    config = load_config(path)
    assert config.exceptions_page == "Project:Exceptions"
    checker = Checker(config, SCHEMAS, groups={"markup", "crosspage"})
    assert "markup-invalid-br" not in {r.id for r in checker.page_rules}        # not even run
    for title, text in PAGES:
        checker.add_page(title, text)
    result = checker.finish()
    assert _ids(result) == [("Alpha", "link-to-missing-page", 2, "error")]
    assert result.edits == {}


@pytest.mark.parametrize("text, message", [
    ("rules:\n  no-such-rule: {enabled: false}\n", "unknown rule 'no-such-rule'"),
    ("rules:\n  markup-invalid-br: {severity: fatal}\n", "'fatal' is not error, warning or info"),
    ("rules:\n  markup-invalid-br: {enable: false}\n", "settings are"),
    ("rules:\n  markup-invalid-br: {enabled: maybe}\n", "'enabled' must be true or false"),
    ("rulez: {}\n", "unknown key 'rulez'"),
    ("rules: [a\n", "malformed YAML"),
])
def test_bad_config_names_the_file_and_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_the_repository_default_config_loads():
    config = load_config(ROOT / "check-config.yaml")
    assert config.exceptions_page == "Project:Bot exceptions" and not config.disabled
    assert load_config(None) == CheckConfig()


def test_a_crashing_rule_becomes_a_finding_and_the_run_goes_on(monkeypatch):
    def boom(page):
        if page.title == "Alpha":
            raise RuntimeError("kaput")
        yield Hit(1, "fine")

    monkeypatch.setitem(RULES, "test-boom", Rule("test-boom", Severity.INFO, "Crashes on Alpha.", boom, "test"))
    result = check_pages(PAGES, CheckConfig(), SCHEMAS, groups={"test", "markup"})
    assert _ids(result) == [("Alpha", RULE_CRASHED, 1, "error"), ("Alpha", "markup-invalid-br", 2, "warning"),
                            ("Beta", "test-boom", 1, "info")]
    assert "test-boom" in result.findings[0].message and "RuntimeError: kaput" in result.findings[0].message


def test_sources_values_and_read_errors():
    pages = [SourcePage("Alpha", PAGES[0][1], "a.wikitext"), SourceError("b.wikitext:3", "not UTF-8", "B")]
    result = check_pages(pages, CheckConfig(), SCHEMAS, groups={"crosspage"})
    assert result.pages == 1 and result.errors == ["b.wikitext:3 [B]: not UTF-8"]
    assert result.counts() == {"pages": 1, "error": 0, "warning": 1, "info": 0, "errors": 1}


def test_add_page_keeps_no_page_text():
    checker = Checker(CheckConfig(), SCHEMAS)
    big = U + "Filler sentence. " * 50_000 + "\n"
    checker.add_page("Big", big)
    import pickle
    kept = (checker.index.pages, checker.page_findings, checker.edits, checker.universes, checker.used)
    assert len(pickle.dumps(kept)) < 10_000


@pytest.mark.parametrize("edits, expected", [
    ([(0, 1, "A", "r"), (2, 3, "C", "r")], "AbCdef"),
    ([(2, 3, "C", "r"), (0, 1, "A", "r")], "AbCdef"),
    ([(0, 3, "X", "r"), (2, 4, "Y", "r"), (5, 6, "F", "r")], "XdeF"),       # overlap: the first kept
    ([(3, 3, "-", "r"), (6, 6, "!", "r"), (4, 9, "no", "r")], "abc-def!"),  # insertions; out of range
])
def test_apply_edits(edits, expected):
    assert apply_edits("abcdef", edits) == expected


def test_every_rule_has_an_id_a_severity_and_a_doc_line():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules) == len(load_rules())
    assert {"cross-page-date-conflict", "cross-universe-link", "link-to-missing-page", "duplicate-event",
            "universe-conflict", "universe-missing", RULE_CRASHED} <= {r.id for r in rules}
    for r in rules:
        assert re.fullmatch(r"^[a-z][a-z0-9-]+$", r.id), r.id
        assert isinstance(r.severity, Severity), r.id
        assert r.doc and "\n" not in r.doc.strip() and r.doc.strip().endswith((".", ")")), r.id
        assert (r.check is None) == (r.group in ("crosspage", "engine", "render", "exceptions")), r.id


def test_the_engine_does_not_import_pywikibot():
    code = "import sys, bots.core.check.checker; assert not [m for m in sys.modules if m.startswith('pywikibot')]"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_worker_processes_give_the_same_result_as_one(tmp_path):
    from bots.core.check.run import offline_pages, run_checks
    from bots.core.publish.generate import render_page

    pages = [(r.title, render_page(r, SCHEMAS[r.template])) for r in iter_records(ROOT / "data/universes", SCHEMAS)]
    pages += [(f"Page {i}", f"{{{{Universe|Earth-1389}}}}\nOn 29 February 1301 the [[October Revolution]] of "
                            f"12 December 1389 [[Page {i + 1}]].\n[[Category:A]]\n[[Category:A]]\n") for i in range(40)]
    one = run_checks([SourcePage(t, x, t) for t, x in pages], CheckConfig(), SCHEMAS, processes=1)
    two = run_checks([SourcePage(t, x, t) for t, x in pages], CheckConfig(), SCHEMAS, processes=2)
    assert one.findings == two.findings and one.edits == two.edits and one.pages == two.pages == 46
    assert {f.rule for f in one.findings} >= {"date-invalid", "cross-page-date-conflict", "markup-duplicate-category"}
