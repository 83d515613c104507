"""Bulk publishing against the real wiki: idempotent, resumable, conflict-safe, stoppable."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .helpers import api, content_edits, existing, history, human_edit, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _pages(folder: Path, prefix: str, n: int, body: str = "Body of {t}.\n") -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    titles = []
    for i in range(n):
        title = f"{prefix} {i:03d}"
        (folder / (title.replace(" ", "_") + ".wikitext")).write_text(body.format(t=title) * 20, encoding="utf-8")
        titles.append(title)
    return titles


def _publish(wiki, *args, **kw):
    res = wiki.bot("publish", *args, "-format:json", **kw)
    try:
        return res, json.loads(res.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"no JSON (exit {res.returncode}):\n{res.stdout}\n{res.stderr}") from None


def test_simulate_writes_nothing_then_publish_then_nothing_changed(wiki, tmp_path):
    titles = _pages(tmp_path / "p", "Simulated page", 5)
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}", "-simulate")
    assert res.returncode == 0 and doc["counts"]["created"] == 5 and doc["simulate"]
    assert existing(wiki, titles) == set()
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}")
    assert res.returncode == 0 and doc["counts"]["created"] == 5
    assert existing(wiki, titles) == set(titles)
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}")
    assert doc["counts"] == {"created": 0, "updated": 0, "unchanged": 5, "skipped": 0, "failed": 0}
    assert all(len(content_edits(wiki, t)) == 1 for t in titles)


def test_edit_workers_follow_the_wiki_sqlite_one_mariadb_several(wiki, tmp_path):
    """Read from siteinfo (dbtype) and userinfo (rights): SQLite writes one at a time, our own MariaDB
    wiki takes several; an operator's -workers wins. Every page is still saved exactly once."""
    titles = _pages(tmp_path / "p", f"Worker page {time.time_ns()}", 12)
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}", "-simulate")
    expected = {"sqlite": 1, "mariadb": 4}[wiki.db]
    assert res.returncode == 0 and doc["workers"]["count"] == expected, doc["workers"]
    assert ("SQLite" if wiki.db == "sqlite" else "database server") in doc["workers"]["why"]
    text = wiki.bot("publish", f"-source:{tmp_path / 'p'}", "-simulate")
    assert f"workers: {expected} (" in text.stdout
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}", "-workers:3", "-simulate")
    assert doc["workers"] == {"count": 3, "why": "configured (-workers:3)"}
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}", "-mode:edit")
    assert res.returncode == 0 and doc["counts"]["created"] == 12 and doc["workers"]["count"] == expected
    assert all(len(content_edits(wiki, t)) == 1 for t in titles)


@pytest.mark.parametrize("mode", ["edit", "auto"])
def test_kill_9_mid_run_then_rerun_finishes_without_duplicate_edits(wiki, tmp_path, mode):
    titles = _pages(tmp_path / "p", f"Killed run {mode}", 60)
    cmd = [sys.executable, "-m", "bots.publish", f"-source:{tmp_path / 'p'}", f"-mode:{mode}", "-workers:1",
           "-batch:5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=wiki.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(existing(wiki, titles)) < 10:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(2)      # a request already sent is still carried out by the server
    done_before = existing(wiki, titles)
    assert 10 <= len(done_before) < 60, "the kill came too late to test anything"
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}", f"-mode:{mode}")
    assert res.returncode == 0, res.stderr
    assert doc["counts"]["created"] == 60 - len(done_before)
    assert doc["counts"]["unchanged"] == len(done_before)
    for t in titles:
        assert page_text(wiki, t) == (f"Body of {t}.\n" * 20).rstrip()
        assert len(content_edits(wiki, t)) == 1, f"{t} was edited twice"


def test_a_persons_edit_between_runs_survives(wiki, tmp_path):
    # Plain pages: the person's page is skipped and reported, not overwritten.
    titles = _pages(tmp_path / "p", "Edited page", 2)
    _publish(wiki, f"-source:{tmp_path / 'p'}")
    human_edit(wiki, titles[0], "A person rewrote this page.")
    _pages(tmp_path / "p", "Edited page", 2, body="New body of {t}.\n")
    res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}")
    assert page_text(wiki, titles[0]) == "A person rewrote this page."
    assert [s["title"] for s in doc["skipped"]] == [titles[0]]
    assert "edited by Admin since the bot's last publish" in doc["skipped"][0]["reason"]
    assert page_text(wiki, titles[1]).startswith("New body of")


def test_a_persons_edit_to_a_generated_page_keeps_outside_generated_regions(wiki, tmp_path):
    rec = tmp_path / "r.yaml"
    rec.write_text("universe: Earth-1389\narticles:\n  - title: Regenerated event\n"
                   "    infobox: {name: Regenerated event, date: 3 March 1389}\n    lead: Lead.\n"
                   "    sections: [{title: Facts, text: Old facts.}]\n", encoding="utf-8")
    _publish(wiki, f"-source:{rec}")
    text = page_text(wiki, "Regenerated event")
    human_edit(wiki, "Regenerated event", text.replace("Lead.", "Lead, improved by a person."))
    rec.write_text(rec.read_text().replace("3 March 1389", "4 March 1389").replace("Old facts.", "New facts."))
    res, doc = _publish(wiki, f"-source:{rec}")
    assert doc["counts"]["updated"] == 1
    new = page_text(wiki, "Regenerated event")
    assert "Lead, improved by a person." in new and "New facts." in new and "4 March 1389" in new
    assert [r["user"] for r in content_edits(wiki, "Regenerated event")] == ["MultiverseBot", "Admin", "MultiverseBot"]


def test_edit_conflict_during_the_run_is_detected(wiki, tmp_path, monkeypatch, site):
    """Someone saves between the bot's read and its write: basetimestamp catches it."""
    import bots.site.publisher as publisher
    from bots.core.publish.ledger import Ledger
    from bots.core.publish.items import iter_items
    from bots.core.wikitext.schema import load_schemas

    titles = _pages(tmp_path / "p", "Conflicted page", 1)
    _publish(wiki, f"-source:{tmp_path / 'p'}")
    _pages(tmp_path / "p", "Conflicted page", 1, body="Second version of {t}.\n")
    real = publisher.read_current

    def read_then_someone_saves(site_, names, **kw):
        current = real(site_, names, **kw)
        if titles[0] in names:
            human_edit(wiki, titles[0], "Saved by a person in the middle of the run.")
        return current

    monkeypatch.setattr(publisher, "read_current", read_then_someone_saves)
    ledger = Ledger(tmp_path / "ledger.sqlite3", wiki.api)
    ledger.record(titles[0], "x", history(wiki, titles[0])[0]["revid"], "")
    pub = publisher.Publisher(site, ledger, publisher.PublishOptions(summary="t", mode="edit"))
    result = pub.run(list(iter_items(tmp_path / "p", load_schemas())))
    assert [s["title"] for s in result.skipped] == titles, result
    assert "edit conflict" in result.skipped[0]["reason"]
    assert page_text(wiki, titles[0]) == "Saved by a person in the middle of the run."


def test_nobots_is_respected(wiki, tmp_path):
    human_edit(wiki, "Excluded page", "{{nobots}}\nKeep out.")
    human_edit(wiki, "Excluded for us", "{{bots|deny=MultiverseBot}}\nKeep out.")
    folder = tmp_path / "p"
    folder.mkdir()
    for name in ("Excluded_page", "Excluded_for_us"):
        (folder / f"{name}.wikitext").write_text("Bot text.", encoding="utf-8")
    res, doc = _publish(wiki, f"-source:{folder}")
    assert sorted(s["title"] for s in doc["skipped"]) == ["Excluded for us", "Excluded page"]
    assert all("nobots" in s["reason"] for s in doc["skipped"])
    assert page_text(wiki, "Excluded page") == "{{nobots}}\nKeep out."


def test_stop_page_stops_the_bot(wiki, tmp_path):
    titles = _pages(tmp_path / "p", "Stopped page", 40)
    human_edit(wiki, "User:MultiverseBot/Run", "stop: testing")
    try:
        res, doc = _publish(wiki, f"-source:{tmp_path / 'p'}")
    except AssertionError:
        res = None
    human_edit(wiki, "User:MultiverseBot/Run", "run")
    assert existing(wiki, titles) == set()
    # Mid-run: the page is re-read at least every 10 edits.
    cmd = [sys.executable, "-m", "bots.publish", f"-source:{tmp_path / 'p'}", "-mode:edit", "-workers:1",
           "-format:json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=wiki.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while len(existing(wiki, titles)) < 3 and proc.poll() is None:
        time.sleep(0.02)
    human_edit(wiki, "User:MultiverseBot/Run", "stop")
    at_stop = len(existing(wiki, titles))
    out, err = proc.communicate(timeout=120)
    human_edit(wiki, "User:MultiverseBot/Run", "run")
    assert proc.returncode == 4, err
    assert json.loads(out)["stopped"]
    assert at_stop <= len(existing(wiki, titles)) <= at_stop + 11
    assert len(existing(wiki, titles)) < 40


def test_bad_input_is_reported_and_the_rest_published(wiki, tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "Good_input_page.wikitext").write_text("Fine.", encoding="utf-8")
    (folder / "Bad[title].wikitext").write_text("Bad title.", encoding="utf-8")
    (folder / "Empty_input_page.wikitext").write_text("  \n", encoding="utf-8")
    (folder / "Latin1_input_page.wikitext").write_bytes("caf\xe9".encode("latin-1"))
    maxsize = api(wiki, action="query", meta="siteinfo")["query"]["general"]["maxarticlesize"]
    (folder / "Huge_input_page.wikitext").write_text("x" * (maxsize + 10), encoding="utf-8")
    res, doc = _publish(wiki, f"-source:{folder}")
    assert res.returncode == 3
    reasons = {re.sub(r":\d+$", "", Path(f["origin"]).name): f["reason"] for f in doc["failed"]}
    assert "invalid title" in reasons["Bad[title].wikitext"]
    assert "empty page" in reasons["Empty_input_page.wikitext"]
    assert "not UTF-8" in reasons["Latin1_input_page.wikitext"]
    assert "over the wiki's size limit" in reasons["Huge_input_page.wikitext"]
    assert doc["created"] == ["Good input page"]
    xml = tmp_path / "broken.xml"
    xml.write_text('<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/"><page><title>From broken XML'
                   '</title><ns>0</ns><revision><text>ok</text></revision></page>\n<page><title>Never', encoding="utf-8")
    res, doc = _publish(wiki, f"-source:{xml}")
    assert res.returncode == 3 and doc["created"] == ["From broken XML"]
    assert doc["failed"][0]["origin"].startswith(f"{xml}:")


def test_faults_503_and_maxlag_are_waited_out(wiki, tmp_path):
    from .faultproxy import FaultProxy

    titles = _pages(tmp_path / "p", "Fault page", 6)
    with FaultProxy(wiki.port) as proxy:
        # Start-up and login pass; then three 503s and two maxlag answers, in the middle of the edits.
        proxy.start_after, proxy.fail_503, proxy.fail_maxlag = 8, 3, 2
        env = {**wiki.env, "GMW_API_URL": f"http://127.0.0.1:{proxy.port}/api.php"}
        res = subprocess.run([sys.executable, "-m", "bots.publish", f"-source:{tmp_path / 'p'}", "-mode:edit",
                              "-workers:1", "-format:json", "-verbose"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    assert proxy.injected == 5
    # The pause follows the reported lag (3 s, then 3 s x 2 tries), not Retry-After's fixed 1 s.
    pauses = re.findall(r"maxlag: holding requests ([\d.]+)s", res.stderr)
    assert pauses == ["3.0", "6.0"], res.stderr[-3000:]
    assert existing(wiki, titles) == set(titles)
    assert all(len(content_edits(wiki, t)) == 1 for t in titles)


def test_wiki_going_down_and_coming_back_mid_run(wiki, tmp_path):
    titles = _pages(tmp_path / "p", "Outage page", 30)
    proc = subprocess.Popen([sys.executable, "-m", "bots.publish", f"-source:{tmp_path / 'p'}", "-mode:edit",
                             "-workers:1", "-format:json"], cwd=ROOT, env=wiki.env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    while len(existing(wiki, titles)) < 3 and proc.poll() is None:
        time.sleep(0.02)
    subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh")], env=wiki.env, check=True, capture_output=True)
    time.sleep(3)
    subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=wiki.env, check=True, capture_output=True)
    out, err = proc.communicate(timeout=300)
    # On failure, show what the bot reported for each page as well as the end of its log.
    assert proc.returncode == 0, out[-3000:] + err[-3000:]
    assert existing(wiki, titles) == set(titles)
    assert all(len(content_edits(wiki, t)) == 1 for t in titles)
