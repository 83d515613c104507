"""The checks against the real wiki: the sample universe, the report page, safe fixes, rendering."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .helpers import api, content_edits, history, human_edit, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
REPORT = "Project:Consistency report"


@pytest.fixture(scope="module")
def universe(wiki):
    wiki.bot("install_templates", check=True)
    gated = wiki.bot("publish", f"-source:{ROOT / 'data/universes'}", "-format:json")
    doc = json.loads(gated.stdout)
    # The pre-publish gate holds back the seed page: its calendar error is error-level.
    assert [s["title"] for s in doc["skipped"]] == ["October Revolution"]
    assert "date-calendar-mismatch" in doc["skipped"][0]["reason"]
    forced = wiki.bot("publish", f"-source:{ROOT / 'data/universes'}", "-force", "-format:json")
    assert json.loads(forced.stdout)["counts"]["created"] == 1
    return wiki


def test_sample_universe_checked_and_report_published_once(universe):
    wiki = universe
    res = wiki.bot("check", "-cat:Earth-1389", f"-report:{REPORT}", "-format:json")
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    assert doc["pages"] == 6
    assert [(f["page"], f["rule"], f["fix"]) for f in doc["findings"] if f["severity"] == "error"] == [
        ("October Revolution", "date-calendar-mismatch", "2 November 1389")]
    parsed = api(wiki, action="parse", page=REPORT, prop="text|links")["parse"]
    assert "wikitable sortable" in parsed["text"] and "Earth-1389" in parsed["text"]
    assert {"title": "October Revolution", "ns": 0, "exists": True} in parsed["links"]
    revs = history(wiki, REPORT)
    again = wiki.bot("check", "-cat:Earth-1389", f"-report:{REPORT}", "-format:json")
    assert again.returncode == 1
    assert history(wiki, REPORT) == revs, "an unchanged report was edited"


def test_exceptions_page_removes_an_accepted_finding(universe):
    wiki = universe
    human_edit(wiki, "Project:Bot exceptions", "Accepted:\n* date-calendar-mismatch: [[October Revolution]]\n")
    try:
        res = wiki.bot("check", "-page:October Revolution", "-format:json")
        assert res.returncode == 0
        assert not [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "date-calendar-mismatch"]
    finally:
        human_edit(wiki, "Project:Bot exceptions", "Accepted:\n")


def test_fix_goes_through_the_publish_path(universe):
    wiki = universe
    before = page_text(wiki, "October Revolution")
    sim = wiki.bot("check", "-page:October Revolution", "-fix", "-simulate")
    assert "+" in sim.stdout and "November 2nd 1389" in sim.stdout      # the diff, on stdout
    assert sim.returncode == 1                                             # nothing fixed yet
    assert page_text(wiki, "October Revolution") == before
    human_edit(wiki, "October Revolution", before + "\n\nA person added this line.")
    res = wiki.bot("check", "-page:October Revolution", "-fix", "-format:json")
    assert res.returncode == 0, res.stderr          # -fix exits on what remains: the error was fixed
    after = page_text(wiki, "October Revolution")
    assert "November 2nd 1389" in after and "November 7th 1389" not in after
    assert after.endswith("A person added this line.")
    assert content_edits(wiki, "October Revolution")[0]["user"] == "MultiverseBot"
    res = wiki.bot("check", "-page:October Revolution", "-format:json")
    assert res.returncode == 0
    human_edit(wiki, "October Revolution", before)      # back as the user wrote it, for other tests


def test_render_finds_what_only_expansion_shows(universe):
    wiki = universe
    human_edit(wiki, "Broken rendering", "{{Universe|Earth-1389}}\n{{No such template here}}\n"
                                         "Sum: {{#expr: 1 + }}.\n")
    res = wiki.bot("check", "-page:Broken rendering", "-render", "-format:json")
    rules = {f["rule"]: f for f in json.loads(res.stdout)["findings"]}
    assert res.returncode == 1
    assert rules["render-missing-template"]["line"] == 2
    assert "No such template here" in rules["render-missing-template"]["message"]
    assert "render-parser-function-error" in rules


def test_since_last_run_checks_what_changed_and_matches_a_full_check(universe, tmp_path):
    wiki = universe
    env_state = {"GMW_STATE_DIR": str(tmp_path / "state")}
    first = wiki.bot("check", "-cat:Earth-1389", "-format:json", env=env_state)
    before = json.loads(first.stdout)["pages"]
    assert before >= 6
    # A person dates the October Revolution wrongly on another page, and adds a new page.
    text = page_text(wiki, "First Russian Civil War")
    human_edit(wiki, "First Russian Civil War",
               text.replace("followed the [[October Revolution]] of 1389", "followed the [[October Revolution]] of 1390"))
    human_edit(wiki, "Siege of Kazan", "{{Universe|Earth-1389}}\n[[Category:Earth-1389]]\nThe siege of "
               "Kazan followed the [[Russian Constituent Assembly]] of 5 January 1390 and a [[Nowhere battle]].\n")
    try:
        log = wiki.dir / "server.log"
        seen = log.stat().st_size
        inc = wiki.bot("check", "-cat:Earth-1389", "-since:last-run", "-format:json", env=env_state)
        with log.open("rb") as f:
            f.seek(seen)
            requests_made = [line for line in f.read().decode(errors="replace").splitlines() if "/api.php" in line]
        # a round trip each: the server's time is asked once (it was asked twice, one request more),
        # with the exceptions page (read alone, it took one more)
        timed = [line for line in requests_made if "meta=siteinfo" in line]
        assert len(timed) == 1 and re.search(r"titles=[^&]*Bot(\+|%20)exceptions", timed[0]), requests_made
        # The two pages changed here, and any other edit made in the second the last run started.
        changed = re.search(r"(\d+) changed pages checked again", inc.stderr)
        assert changed and 2 <= int(changed.group(1)) <= 4, inc.stderr
        full = wiki.bot("check", "-cat:Earth-1389", "-format:json", env={"GMW_STATE_DIR": str(tmp_path / "other")})
        inc_doc, full_doc = json.loads(inc.stdout), json.loads(full.stdout)
        assert inc_doc["findings"] == full_doc["findings"]
        assert inc_doc["pages"] == full_doc["pages"] == before + 1
        rules = {(f["page"], f["rule"]) for f in inc_doc["findings"]}
        assert ("First Russian Civil War", "cross-page-date-conflict") in rules
        assert ("Siege of Kazan", "link-to-missing-page") in rules
    finally:
        human_edit(wiki, "First Russian Civil War", text)


def test_pages_are_read_whichever_way_they_are_selected(universe):
    """All content pages (one generator query) and chosen pages (titles in batches) give the same
    text; a link to a redirect is a link to an existing page, a link to a missing one is reported."""
    wiki = universe
    human_edit(wiki, "Kazan Khanate (redirect)", "#REDIRECT [[Siege of Kazan]]\n")
    human_edit(wiki, "Links of Kazan", "{{Universe|Earth-1389}}\nSee [[Kazan Khanate (redirect)]] and "
               "[[Kazan never written]].\n")
    everything = json.loads(wiki.bot("check", "-format:json").stdout)
    chosen = wiki.bot("check", "-page:Links of Kazan", "-page:No such page at all", "-format:json")
    chosen_doc = json.loads(chosen.stdout)
    assert chosen_doc["pages"] == 1
    for doc in (everything, chosen_doc):
        missing = [f["message"] for f in doc["findings"]
                   if f["page"] == "Links of Kazan" and f["rule"] == "link-to-missing-page"]
        assert len(missing) == 1 and "Kazan never written" in missing[0], doc["findings"]
    assert everything["pages"] == len(wiki_titles(wiki)) - len(["Kazan Khanate (redirect)"])


def wiki_titles(wiki) -> list[str]:
    out, params = [], {"list": "allpages", "apnamespace": 0, "aplimit": "max"}
    while True:
        data = api(wiki, action="query", **params)
        out += [p["title"] for p in data["query"]["allpages"]]
        if "continue" not in data:
            return out
        params.update(data["continue"])


SCOPED = "Project:Consistency report/Earth-1389"


def test_report_alone_writes_the_scopes_own_page_and_the_index(universe):
    wiki = universe
    res = wiki.bot("check", "-cat:Earth-1389", "-report", env={"GMW_JOB": "check-sample-full"})
    assert res.returncode == 1, res.stderr
    parsed = api(wiki, action="parse", page=SCOPED, prop="text|links")["parse"]
    text = parsed["text"]
    assert "Scope" in text and "-cat:Earth-1389" in text and "check-sample-full" in text
    assert re.search(r"\d{4}-\d\d-\d\d", text), "the report does not say when it ran"
    links = {link["title"].split(":", 1)[-1] for link in parsed["links"]}    # Project: is the site's name
    assert {"Bot exceptions", "October Revolution", "Consistency report"} <= links
    other = wiki.bot("check", "-page:October Revolution", "-report")
    assert other.returncode == 1, other.stderr
    revs = history(wiki, SCOPED)
    index = {link["title"].split(":", 1)[-1]
             for link in api(wiki, action="parse", page=REPORT, prop="links")["parse"]["links"]}
    assert {"Consistency report/Earth-1389", "Consistency report/page October Revolution"} <= index
    assert history(wiki, SCOPED) == revs, "a check of another scope edited this scope's report"


@pytest.mark.parametrize("scope", ["-cat:Earth-138", "-page:No such page"])
def test_an_empty_selection_never_replaces_a_report(universe, scope):
    wiki = universe
    target = f"-report:{SCOPED}"
    assert wiki.bot("check", "-cat:Earth-1389", target).returncode == 1
    before = page_text(wiki, SCOPED)
    res = wiki.bot("check", scope, target)
    assert res.returncode == 2, res.stdout + res.stderr
    assert "no pages" in res.stderr and "-force" in res.stderr
    assert len([line for line in res.stderr.splitlines() if line.strip()]) == 1, res.stderr
    assert page_text(wiki, SCOPED) == before
    forced = wiki.bot("check", scope, target, "-force")
    assert forced.returncode == 0, forced.stderr
    assert "'''0''' pages checked" in page_text(wiki, SCOPED)
    assert wiki.bot("check", "-cat:Earth-1389", target).returncode == 1


def test_the_exceptions_page_is_checked_too(universe):
    wiki = universe
    human_edit(wiki, "Project:Bot exceptions", "Accepted:\n* link-to-misssing-page: [[October Revolution]]\n"
                                               "* date-calendar-mismatch: [[No such page at all]]\n"
                                               "* date-invalid: [[February Revolution]]\n")
    try:
        res = wiki.bot("check", "-cat:Earth-1389", "-format:json", f"-report:{SCOPED}")
        found = {(f["page"], f["rule"], f["line"]) for f in json.loads(res.stdout)["findings"]}
        assert {("Project:Bot exceptions", "exception-unknown-rule", 2),
                ("Project:Bot exceptions", "exception-missing-page", 3),
                ("Project:Bot exceptions", "exception-stale", 4)} <= found, found
        report = page_text(wiki, SCOPED)
        assert "exception-unknown-rule" in report and "link-to-misssing-page" in report
    finally:
        human_edit(wiki, "Project:Bot exceptions", "Accepted:\n")
