"""Every path that parses wiki text keeps each page within the page budget: check (offline), harvest,
and the pre-publish gate. An over-budget page gets exactly one page-too-complex finding (or error)
with the measured cost; the run goes on and the other pages' findings do not change."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.check import main as check_main
from bots.core.check.gate import make_gate
from bots.harvest import main as harvest_main

from tests.hostile import SLOW_UNSEEN as UNSEEN

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data/seed/000_6832f791a49da166.txt"
TEMPLATE_FLOOD = "{{a|" * 16384          # 64 KB: minutes of tokenizing on main, 16,000 findings
LINK_FLOOD = "[[a|{{b|" * 5000


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "budget.yaml"
    path.write_text("page_budget: {cpu_seconds: 0.5, memory_mb: 256}\n", encoding="utf-8")
    return path


def _folder(tmp_path: Path, extra: dict[str, str]) -> Path:
    folder = tmp_path / ("pages-" + "-".join(sorted(extra)) if extra else "pages")
    folder.mkdir()
    (folder / "October_Revolution.wikitext").write_bytes(SEED.read_bytes())
    for i in range(12):
        (folder / f"Page_{i}.wikitext").write_text(
            f"{{{{Universe|Earth-1389}}}}\nOn 29 February 1301 the [[October Revolution]] [[Page {i + 1}]].\n"
            "[[Category:A]]\n[[Category:A]]\n", encoding="utf-8")
    for name, text in extra.items():
        (folder / f"{name}.wikitext").write_text(text, encoding="utf-8")
    return folder


def _check(capsys, *args) -> tuple[int, dict]:
    code = check_main(*args, "-format:json")
    return code, json.loads(capsys.readouterr().out)


def test_check_gives_one_finding_per_page_over_the_budget_and_the_rest_unchanged(tmp_path, capsys, config):
    code0, alone = _check(capsys, f"-source:{_folder(tmp_path, {})}", f"-checkconfig:{config}", "-processes:2")
    hostile = {"Vandalised": TEMPLATE_FLOOD, "Links": LINK_FLOOD, "Slow_table": UNSEEN}
    code, doc = _check(capsys, f"-source:{_folder(tmp_path, hostile)}", f"-checkconfig:{config}", "-processes:2")
    assert code == code0 == 1
    mine = [f for f in doc["findings"] if f["page"] in ("Vandalised", "Links", "Slow table")]
    assert [(f["page"], f["rule"], f["severity"]) for f in mine] == [
        ("Links", "page-too-complex", "error"), ("Slow table", "page-too-complex", "error"),
        ("Vandalised", "page-too-complex", "error")]
    by_page = {f["page"]: f["message"] for f in mine}
    assert "16384 templates opened and never closed in 64 KB" in by_page["Vandalised"]
    assert "parsing was stopped after" in by_page["Slow table"] and "s of CPU" in by_page["Slow table"]
    assert "the budget is 0.5 s of CPU and 256 MB per page" in by_page["Slow table"]
    others = [f for f in doc["findings"] if f not in mine]
    assert others == alone["findings"]
    assert doc["pages"] == alone["pages"] + 3


def test_the_default_budget_is_2_s_and_512_mb_and_bad_budgets_are_usage_errors(tmp_path, capsys):
    code, doc = _check(capsys, f"-source:{_folder(tmp_path, {'Vandalised': TEMPLATE_FLOOD})}")
    [finding] = [f for f in doc["findings"] if f["page"] == "Vandalised"]
    assert "the budget is 2 s of CPU and 512 MB per page" in finding["message"]
    for bad in ("page_budget: {cpu_seconds: 0}", "page_budget: {cpu: 2}", "page_budget: 5",
                "page_budget: {memory_mb: yes}"):
        path = tmp_path / "bad.yaml"
        path.write_text(bad + "\n", encoding="utf-8")
        assert check_main(f"-source:{tmp_path}", f"-checkconfig:{path}") == 2
        assert "page_budget" in capsys.readouterr().err


def test_harvest_reports_a_page_over_the_budget_and_harvests_the_others(tmp_path, capsys, config):
    folder = _folder(tmp_path, {"Vandalised": TEMPLATE_FLOOD, "Slow_table": UNSEEN})
    out = tmp_path / "h.json"
    assert harvest_main(f"-source:{folder}", f"-out:{out}", f"-checkconfig:{config}") == 3
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["pages"] == 13
    assert sorted(r["title"] for r in doc["records"])[:2] == ["October Revolution", "Page 0"]
    assert sorted((e["title"], e["message"].split(":")[0]) for e in doc["errors"]) == [
        ("Slow table", "page-too-complex"), ("Vandalised", "page-too-complex")]
    assert "page-too-complex" in capsys.readouterr().err


def test_the_gate_blocks_a_page_over_the_budget_and_gates_the_next(config):
    gate = make_gate({}, config)
    for text in (TEMPLATE_FLOOD[:40960],) * 4 + (UNSEEN,):
        [reason] = gate("Vandalised", text)
        assert reason.startswith("page-too-complex (line 1): page not checked: ")
    assert gate("Fine", "{{Universe|Earth-1389}}\nA page.\n") == []
