"""The check command offline: the seed, the sample universe, output shapes, exit codes, bad input."""
import json
from pathlib import Path

import pytest

from bots.check import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data/seed/000_6832f791a49da166.txt"


def _seed_page(tmp_path) -> Path:
    path = tmp_path / "October_Revolution.wikitext"
    path.write_bytes(SEED.read_bytes())
    return path


def test_the_seed_gives_exactly_one_error(tmp_path, capsys):
    assert main(f"-source:{_seed_page(tmp_path)}", "-format:json") == 1
    doc = json.loads(capsys.readouterr().out)
    errors = [f for f in doc["findings"] if f["severity"] == "error"]
    assert doc["pages"] == 1
    assert errors == [{"page": "October Revolution", "rule": "date-calendar-mismatch", "severity": "error",
                       "line": 3, "message": errors[0]["message"], "fix": "2 November 1389"}]
    assert set(doc["findings"][0]) >= {"page", "rule", "severity", "line", "message"}


def test_sample_universe_has_only_the_seeds_error(capsys):
    assert main(f"-source:{ROOT / 'data/universes'}", "-format:json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["pages"] == 6
    assert [(f["page"], f["rule"]) for f in doc["findings"]] == [("October Revolution", "date-calendar-mismatch")]


def test_table_output_and_listrules(tmp_path, capsys):
    main(f"-source:{_seed_page(tmp_path)}")
    out = capsys.readouterr().out
    assert "date-calendar-mismatch" in out and "[fix: 2 November 1389]" in out
    assert main("-listrules") == 0
    listed = capsys.readouterr().out
    for rule in ("date-invalid", "date-calendar-mismatch", "chronology-order", "infobox-date-mismatch",
                 "cross-page-date-conflict", "infobox-missing-required", "render-missing-template"):
        assert rule in listed


def test_fix_on_a_folder(tmp_path, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    page = folder / "October_Revolution.wikitext"
    page.write_bytes(SEED.read_bytes())
    (folder / "Cats.wikitext").write_text("Text.\n[[Category:A]]\n[[Category:A]]\n", encoding="utf-8")
    assert main(f"-source:{folder}", "-fix", "-simulate") == 1      # nothing fixed: the error remains
    assert page.read_bytes() == SEED.read_bytes()
    out = capsys.readouterr().out            # diffs on stdout, for every bot
    assert "+++ October Revolution (new)" in out and "-[[Category:A]]" in out
    assert main(f"-source:{folder}", "-fix", "-simulate", "-format:json") == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted(d["title"] for d in doc["diffs"]) == ["Cats", "October Revolution"]
    # -fix exits on what remains: the one error had a safe fix, so none is left.
    assert main(f"-source:{folder}", "-fix") == 0
    text = page.read_text(encoding="utf-8")
    assert "November 2nd 1389" in text and "November 7th 1389" not in text
    assert text.replace("November 2nd 1389", "November 7th 1389") == SEED.read_text(encoding="utf-8")
    assert (folder / "Cats.wikitext").read_text().count("[[Category:A]]") == 1
    capsys.readouterr()
    assert main(f"-source:{folder}", "-format:json") == 0


def test_exit_2_for_usage_errors(tmp_path, capsys):
    assert main("-source:/no/such/path") == 2
    assert main("-format:xml", f"-source:{tmp_path}") == 2
    bad = tmp_path / "c.yaml"
    bad.write_text("rules:\n  no-such-rule: {enabled: false}\n")
    assert main(f"-checkconfig:{bad}", f"-source:{tmp_path}") == 2
    assert "no-such-rule" in capsys.readouterr().err


def test_config_disables_and_overrides(tmp_path, capsys):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("rules:\n  date-calendar-mismatch: {severity: warning}\n")
    assert main(f"-source:{_seed_page(tmp_path)}", f"-checkconfig:{cfg}", "-format:json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert [f["severity"] for f in doc["findings"] if f["rule"] == "date-calendar-mismatch"] == ["warning"]


@pytest.mark.corpus
def test_bad_input_never_crashes_the_run(tmp_path, capsys, corpus_dir):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "Broken.wikitext").write_text("{{Infobox historical event|name=<ref>x\n[[a|b\n== x\n{{{{", encoding="utf-8")
    (folder / "Empty.wikitext").write_text("", encoding="utf-8")
    (folder / "Latin1.wikitext").write_bytes(b"caf\xe9")
    big = corpus_dir / "wpcleaner-test-pages/PageAnalysisTest_en_Windows_10_version_history.txt"
    (folder / "Big.wikitext").write_text(big.read_text(encoding="utf-8"), encoding="utf-8")
    assert len((folder / "Big.wikitext").read_bytes()) > 300_000
    main(f"-source:{folder}", "-format:json")
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["pages"] == 3
    assert any("Latin1.wikitext" in e and "not UTF-8" in e for e in doc["errors"])
    assert not [f for f in doc["findings"] if f["rule"] == "rule-crashed"]
