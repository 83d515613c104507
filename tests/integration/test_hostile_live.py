"""Hostile input on the real wiki: a vandalised page cannot stall the live check, -since:last-run or
the pre-publish gate; broken or truncated answers while reading end in one line and exit 6, and
-format:json still prints what was read."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .faultproxy import FaultProxy
from .helpers import human_edit, publish_folder

pytestmark = pytest.mark.integration
PLAIN = 120           # three batches of 50: a read can fail after two (pywikibot yields a batch once
                      # the next answer confirms it is complete)
RETRY = ("-max_retries:1", "-retry_wait:1")      # pywikibot's own options: give up fast


@pytest.fixture(scope="module")
def loaded(empty_wiki, tmp_path_factory):
    pages = {f"Plain {i:02d}": f"{{{{Universe|Earth-H}}}}\nText about [[Plain {(i + 1) % PLAIN:02d}]].\n"
             for i in range(PLAIN)}
    pages["Vandalised"] = "{{a|" * 16384
    doc = publish_folder(empty_wiki, tmp_path_factory.mktemp("hostile-pages"), pages)
    # (A publish may also create category pages: only these pages are counted.)
    assert {"Vandalised", "Plain 00", f"Plain {PLAIN - 1:02d}"} <= set(doc["created"])
    return empty_wiki


def _doc(res) -> dict:
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    return json.loads(res.stdout)


def test_a_vandalised_page_gets_one_finding_live_and_since_last_run(loaded):
    wiki = loaded
    full = wiki.bot("check", "-format:json", "-processes:2")
    doc = _doc(full)
    assert doc["pages"] >= PLAIN + 2           # and the Main Page
    assert [(f["page"], f["rule"]) for f in doc["findings"] if f["page"] == "Vandalised"] == [
        ("Vandalised", "page-too-complex")]
    human_edit(wiki, "Vandalised", "[[a|{{b|" * 8000)
    human_edit(wiki, "Plain 00", "{{Universe|Earth-H}}\nText about [[Nowhere at all]].\n")
    since = _doc(wiki.bot("check", "-since:last-run", "-format:json"))
    again = _doc(wiki.bot("check", "-format:json"))
    mine = [f for f in since["findings"] if f["page"] == "Vandalised"]
    assert [f["rule"] for f in mine] == ["page-too-complex"] and "links" in mine[0]["message"]
    assert since["findings"] == again["findings"]
    assert ("Plain 00", "link-to-missing-page") in {(f["page"], f["rule"]) for f in since["findings"]}


def test_the_gate_blocks_pathological_pages_at_once(loaded, tmp_path):
    for i in range(4):
        (tmp_path / f"Flood_{i}.wikitext").write_text("{{a|" * 10240, encoding="utf-8")   # 40 KB each
    doc = _doc(loaded.bot("publish", f"-source:{tmp_path}", "-simulate", "-format:json"))
    assert len(doc["skipped"]) == 4
    assert all("page-too-complex" in s["reason"] for s in doc["skipped"])


@pytest.mark.parametrize("fault", ["fail_truncated", "fail_garbage", "fail_reset"])
@pytest.mark.parametrize("bot", ["check", "harvest"])
def test_a_broken_answer_while_reading_is_one_line_and_exit_6(loaded, fault, bot):
    with FaultProxy(loaded.port) as proxy:
        setattr(proxy, fault, 1000)
        # The bots' own reads of page text (bots/site/read.py); login, the exceptions page and the rest go through.
        proxy.only_if = "rvprop=ids%7Ctimestamp%7Ccontent"
        res = loaded.bot(bot, *(["-format:json"] if bot == "check" else []), *RETRY,
                         env={"GMW_WIKI_PORT": str(proxy.port)})
    assert res.returncode == 6, res.stderr[-3000:]
    doc = _doc(res)
    ours = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(ours) == 1 and f"the wiki at http://127.0.0.1:{proxy.port}/api.php could not be read" in ours[0]
    assert doc["errors"]


@pytest.mark.parametrize("bot", ["check", "harvest"])
def test_what_was_read_before_the_wiki_stopped_answering_is_printed(loaded, bot):
    with FaultProxy(loaded.port) as proxy:
        proxy.fail_truncated = 1000
        # The bots' own reads of page text (bots/site/read.py asks for exactly this), from the third on.
        proxy.only_if, proxy.pass_first = "rvprop=ids%7Ctimestamp%7Ccontent", 2
        res = loaded.bot(bot, *(["-format:json"] if bot == "check" else []), *RETRY,
                         env={"GMW_WIKI_PORT": str(proxy.port)})
    assert res.returncode == 6, res.stderr[-3000:]
    doc = _doc(res)
    assert 50 <= doc["pages"] < PLAIN + 1
    if bot == "harvest":
        assert len(doc["records"]) == doc["pages"]
    assert any("could not be read" in (e if isinstance(e, str) else e["message"]) for e in doc["errors"])


def test_publish_and_install_templates_simulate_over_hostile_files(loaded, tmp_path):
    """The writing bots' entry points over the hostile inputs of tests/hostile.py, against the wiki,
    simulated: no traceback, within the budget, under 1 GB (tests/hostile_driver.py measures)."""
    import subprocess
    import sys

    from tests.hostile import write_hostile
    from tests.unit.test_hostile_files import QUADRATIC, _assert_sound

    found = write_hostile(tmp_path / "in", generated=60)
    sources = [found["pages"], found["records"], *sorted(Path(found["xml"]).iterdir()),
               *sorted(Path(found["pagefiles"]).iterdir())]
    runs = [["publish", f"-source:{s}", "-simulate", "-format:json"] for s in sources]
    runs.append(["install_templates", f"-folder:{found['templates']}", "-simulate", "-format:json"])
    (tmp_path / "runs.json").write_text(json.dumps(runs), encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "tests.hostile_driver", str(tmp_path / "runs.json"),
                          str(tmp_path / "report.json")], cwd=Path(__file__).resolve().parents[2], env=loaded.env,
                         capture_output=True, text=True, timeout=900)
    assert res.returncode == 0, res.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    _assert_sound(report)
    pages = json.loads(report["runs"][0]["stdout"])
    blocked = {s["title"] for s in pages["skipped"] if "page-too-complex" in s["reason"]}
    assert set(QUADRATIC) <= blocked
