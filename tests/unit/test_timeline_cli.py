"""`python -m bots.timeline` offline (-source: and -out:): the title pattern, the JSON, the drop guard
and its exit code, -force, usage errors."""
import json
import shutil
from pathlib import Path

from bots.timeline import main

PAGES = {f"Event {i} (Earth-5)": f"{{{{Universe|Earth-5}}}}\nIt happened on {i + 1} May 1500.\n" for i in range(6)}


def _folder(tmp_path: Path, titles) -> Path:
    src = tmp_path / f"src{len(titles)}"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir()
    for t in titles:
        (src / (t.replace(" ", "_") + ".wikitext")).write_text(PAGES[t], encoding="utf-8")
    return src


def test_the_title_pattern_and_the_json(tmp_path, capsys):
    src, out = _folder(tmp_path, PAGES), tmp_path / "out"
    assert main(f"-source:{src}", f"-out:{out}", "-title:Chronology of {universe}", "-format:json") == 0
    doc = json.loads(capsys.readouterr().out)
    [row] = doc["universes"]
    assert row["title"] == "Chronology of Earth-5" and row["entries"] == 6 and row["saved"]
    text = (out / "Chronology_of_Earth-5.wikitext").read_text(encoding="utf-8")
    assert "* '''1 May 1500''' – [[:Event 0 (Earth-5)|Event 0 (Earth-5)]]" in text


def test_the_drop_guard_refuses_half_the_pages_missing_with_exit_2_unless_forced(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(f"-source:{_folder(tmp_path, PAGES)}", f"-out:{out}") == 0
    file = out / "Timeline_of_Earth-5.wikitext"
    before = file.read_text(encoding="utf-8")
    half = _folder(tmp_path, list(PAGES)[:3])
    capsys.readouterr()
    assert main(f"-source:{half}", f"-out:{out}") == 2
    err = capsys.readouterr().err
    assert "was built from 6 pages, this run has 3: half or more are missing" in err
    assert file.read_text(encoding="utf-8") == before
    # four of six pages: not half missing, but a third of the entries gone is over -maxdrop:20
    four = _folder(tmp_path, list(PAGES)[:4])
    assert main(f"-source:{four}", f"-out:{out}") == 2
    assert main(f"-source:{four}", f"-out:{out}", "-maxdrop:40") == 0
    assert main(f"-source:{half}", f"-out:{out}", "-force") == 0
    assert file.read_text(encoding="utf-8").count("* '''") == 3


def test_usage_errors(tmp_path, capsys):
    src = _folder(tmp_path, PAGES)
    assert main(f"-source:{src}", f"-out:{tmp_path}", "-title:Timeline") == 2
    assert main(f"-source:{src}", f"-out:{tmp_path}", "-universe:Earth-9") == 2
    assert main(f"-source:{tmp_path / 'nope'}", f"-out:{tmp_path}") == 2
    assert main(f"-source:{src}", f"-out:{tmp_path}", "-cat:X") == 2        # generators need the wiki
    assert "{universe}" in capsys.readouterr().err
