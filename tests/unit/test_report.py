"""Bounded output: one page cannot flood the table, the JSON or the report page."""
from __future__ import annotations

import json

import mwparserfromhell

from bots.check import main as check_main
from bots.core.check.run import report_text
from bots.core.check.checker import CheckResult
from bots.core.check.report import CAP, render_report, render_table
from bots.core.check.rules.base import Finding, Severity

FLOOD = "Text</br>" * 3000          # 3,000 markup-invalid-br findings on one page


def _findings(page: str, rule: str, n: int, message: str = "bad") -> list[Finding]:
    return [Finding(page, rule, Severity.WARNING, i + 1, f"{message} {i}") for i in range(n)]


def test_the_table_lists_20_findings_of_a_rule_on_a_page_then_counts_the_rest(tmp_path, capsys):
    (tmp_path / "Flood.wikitext").write_text(FLOOD, encoding="utf-8")
    (tmp_path / "Fine.wikitext").write_text("Text</br>\n" * 3, encoding="utf-8")
    check_main(f"-source:{tmp_path}")
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if "markup-invalid-br" in line]
    flood = [r for r in rows if r.startswith("Flood")]
    assert len(flood) == CAP + 1
    assert flood[-1].endswith(f"... and {3000 - CAP} more markup-invalid-br findings on this page")
    assert len([r for r in rows if r.startswith("Fine")]) == 3
    assert "3003 warnings" in out.replace(",", "")


def test_the_json_lists_20_and_keeps_every_count(tmp_path, capsys):
    (tmp_path / "Flood.wikitext").write_text(FLOOD, encoding="utf-8")
    check_main(f"-source:{tmp_path}", "-format:json")
    doc = json.loads(capsys.readouterr().out)
    assert len([f for f in doc["findings"] if f["rule"] == "markup-invalid-br"]) == CAP
    assert doc["omitted"] == [{"page": "Flood", "rule": "markup-invalid-br", "severity": "warning",
                               "count": 3000 - CAP}]
    assert doc["counts"]["warning"] >= 3000


def test_the_report_page_caps_each_rule_on_each_page():
    findings = _findings("Flood", "markup-invalid-br", 500) + _findings("Other", "markup-invalid-br", 2)
    text = render_report(findings, 2, {}, {"markup-invalid-br": "An invalid break."})
    assert text.count("[[:Flood]]") == CAP + 1
    assert f"and {500 - CAP} more markup-invalid-br findings on this page" in text
    assert "| <code>markup-invalid-br</code> || warning || 502 ||" in text
    assert str(mwparserfromhell.parse(text)) == text


def test_the_report_page_never_exceeds_the_size_limit():
    # 30,000 pages with a long finding each: far over 2 MB if listed in full.
    findings = [f for i in range(30000) for f in _findings(f"Page {i:05d}", "date-invalid", 1, "x" * 2000)]
    result = CheckResult(30000, findings)
    text = report_text(result)
    assert len(text.encode("utf-8")) <= 2048 * 1024
    assert "more findings on" in text and "are not listed" in text
    assert "'''30000''' findings" in text
    small = report_text(result, max_bytes=64 * 1024)
    assert len(small.encode("utf-8")) <= 64 * 1024
    assert small.startswith(text[:200])


def test_report_cells_cannot_add_markup_and_long_messages_are_cut():
    findings = [Finding("Page", "date-invalid", Severity.ERROR, 1, "{{Delete}} [[Category:X]] " + "y" * 5000),
                Finding("Bad]]{{x}}", "date-invalid", Severity.ERROR, 1, "m")]
    text = render_report(findings, 2, {}, {})
    code = mwparserfromhell.parse(text)
    # A category named in a message is a link to it ([[:Category:X]]), never a category of the report.
    assert not code.filter_templates()
    assert [str(w) for w in code.filter_wikilinks() if "Category" in str(w)] == ["[[:Category:X]]"]
    assert max(len(line) for line in text.splitlines()) < 2000
    assert "[[:Bad]]" not in text


def test_the_table_never_prints_control_characters():
    out = render_table([Finding("Page", "date-invalid", Severity.ERROR, 1, "a\x1b[31mred\x07\rb")], 1)
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
