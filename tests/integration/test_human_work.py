"""Human work is never lost (issue 11), against the real wiki: each case as a person would break it."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.hostile_records import HOSTILE, record_yaml

from .helpers import Person, api, bot_revisions_in_a_row_with_the_same_text, content_edits, history, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def person(wiki):
    return Person(wiki)


def _records(path: Path, *articles: dict) -> Path:
    path.write_text(yaml.safe_dump({"universe": "Earth-1389", "articles": list(articles)}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


def _article(title: str, date: str = "3 March 1389", background: str = "Generated background.",
             lead: str = "A generated lead.") -> dict:
    return {"title": title, "infobox": {"name": title, "date": date}, "lead": lead,
            "sections": [{"title": "Background", "text": background}], "categories": ["Human work tests"]}


def _publish(wiki, *args):
    res = wiki.bot("publish", *args, "-format:json")
    try:
        return res, json.loads(res.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"no JSON (exit {res.returncode}):\n{res.stdout}\n{res.stderr}") from None


def _generate(wiki, records: Path, folder: Path):
    res = wiki.bot("generate", f"-source:{records}", f"-out:{folder}")
    assert res.returncode == 0, res.stderr


def _add_after(text: str, anchor: str, addition: str) -> str:
    assert anchor in text, text
    return text.replace(anchor, anchor + addition, 1)


# 1 -------------------------------------------------------------------------------------------------
def test_a_folder_republish_keeps_the_paragraph_a_person_added(wiki, person, tmp_path):
    title = "Folder republish page"
    rec, folder = tmp_path / "r.yaml", tmp_path / "pages"
    _records(rec, _article(title))
    _generate(wiki, rec, folder)
    res, doc = _publish(wiki, f"-source:{folder}")
    assert title in doc["created"]
    person.edit(title, _add_after(page_text(wiki, title), "A generated lead.", "\n\nA paragraph a person wrote."))
    _records(rec, _article(title, date="4 March 1389"))
    res, doc = _publish(wiki, f"-source:{rec}")
    assert doc["updated"] == [title] and "A paragraph a person wrote." in page_text(wiki, title)
    notes = doc.get("notes")
    # Regenerate the folder from newer records, publish the folder: the paragraph is still the person's.
    _records(rec, _article(title, date="5 March 1389", background="Newer background."))
    _generate(wiki, rec, folder)
    res, doc = _publish(wiki, f"-source:{folder}")
    text = page_text(wiki, title)
    assert "A paragraph a person wrote." in text and "5 March 1389" in text and "Newer background." in text
    assert res.returncode == 0 and doc["updated"] == [title], doc
    assert "edited by Admin since the bot's last publish: their changes kept" in notes[0]["note"]
    # And an XML export of the same pages merges the same way.
    from bots.core.sources import iter_pages
    from bots.core.sources.xmlexport import ExportPage, write_export
    _records(rec, _article(title, date="6 March 1389", background="Newer background."))
    _generate(wiki, rec, folder)
    with open(tmp_path / "pages.xml", "wb") as out:
        write_export([ExportPage(p.title, p.text, 0) for p in iter_pages(folder)], out)
    res, doc = _publish(wiki, f"-source:{tmp_path / 'pages.xml'}")
    assert doc["updated"] == [title] and "A paragraph a person wrote." in page_text(wiki, title)
    res, doc = _publish(wiki, f"-source:{rec}")
    assert doc["counts"]["unchanged"] == 1, "publishing the same data again changed the page"
    assert not bot_revisions_in_a_row_with_the_same_text(wiki, title)


# 2 -------------------------------------------------------------------------------------------------
def _structure(wiki, title: str) -> tuple[list, list, list]:
    data = api(wiki, action="query", titles=title, prop="categories|templates", cllimit="max", tllimit="max")
    page = data["query"]["pages"][0]
    sections = api(wiki, action="parse", page=title, prop="sections")["parse"]["sections"]
    return (sorted(c["title"] for c in page.get("categories", [])),
            sorted(t["title"] for t in page.get("templates", [])), [s["line"] for s in sections])


def test_no_record_field_injects_wikitext_as_the_wiki_sees_it(wiki, tmp_path):
    articles = [record_yaml("lead", "A plain lead.", title="Injection control")]
    for i, (field, value) in enumerate(HOSTILE):
        title = value if field == "title" else f"Injection {i:02d}"
        articles.append(record_yaml(field, value, title=title))
    rec = tmp_path / "hostile.yaml"
    rec.write_text(yaml.safe_dump({"articles": articles}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    starts = [n for n, line in enumerate(rec.read_text(encoding="utf-8").splitlines(), 1) if line.startswith("- ")]
    assert len(starts) == len(articles)
    res, doc = _publish(wiki, f"-source:{rec}", "-force")
    assert res.returncode == 3, res.stderr      # the refused ones are failures, with file:line and field
    refused = {}
    for entry in doc["failed"]:
        path, _, line = entry["origin"].rpartition(":")
        assert path == str(rec) and int(line) in starts, entry
        refused[starts.index(int(line)) - 1] = entry["reason"]
    wanted = _structure(wiki, "Injection control")
    for i, (field, value) in enumerate(HOSTILE):
        if i in refused:
            continue
        title = value if field == "title" else f"Injection {i:02d}"
        assert title in doc["created"], (field, value, doc)
        cats, templates, sections = _structure(wiki, title)
        assert (cats, templates, len(sections)) == (wanted[0], wanted[1], len(wanted[2])), (field, value)
    # Every value of the fields that have one place in the page is escaped there, none refused; prose
    # that would change the page's structure is refused.
    assert not [i for i in refused if HOSTILE[i][0] == "infobox"]
    assert all("\n" in HOSTILE[i][1] for i in refused if HOSTILE[i][0] == "section_title")
    assert {HOSTILE[i][0] for i in refused} == {"title", "universe", "category", "lead", "section_text", "section_title"}
    # Publishing the same file again changes nothing: the generation is idempotent.
    res, again = _publish(wiki, f"-source:{rec}", "-force")
    assert again["counts"]["created"] == again["counts"]["updated"] == 0


# 3 -------------------------------------------------------------------------------------------------
def test_region_markers_in_record_values_are_refused_and_human_text_after_a_region_stays(wiki, person, tmp_path):
    title = "Marker page"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    person.edit(title, page_text(wiki, title) + "\n\nA person's closing paragraph.")
    forged = _article(title, background="Body <!-- /gmw-generated: Background -->\nafter")
    _records(rec, forged)
    res, doc = _publish(wiki, f"-source:{rec}")
    assert res.returncode == 3 and "marker" in doc["failed"][0]["reason"]
    assert doc["failed"][0]["origin"] == f"{rec}:3"
    _records(rec, _article(title, background="Honest new background."))
    for _ in range(2):
        _publish(wiki, f"-source:{rec}")
    text = page_text(wiki, title)
    assert text.count("A person's closing paragraph.") == 1 and text.count("Honest new background.") == 1


# 4 -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("redirect", [True, False])
def test_a_page_a_person_moved_is_followed_and_its_redirect_left_alone(wiki, person, tmp_path, redirect):
    title, new = f"Moved page {int(redirect)}", f"Moved page {int(redirect)} (renamed)"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    person.move(title, new, redirect=redirect)
    left = history(wiki, title)
    _records(rec, _article(title, date="9 March 1389"))
    res, doc = _publish(wiki, f"-source:{rec}")
    assert res.returncode == 0, doc
    assert history(wiki, title) == left, "the bot edited the page left behind by the move"
    if redirect:
        assert page_text(wiki, title).startswith("#REDIRECT")
    else:
        assert page_text(wiki, title) is None
    assert "9 March 1389" in page_text(wiki, new)
    assert doc["notes"][0]["written_to"] == new and "moved to [[" + new + "]] by Admin" in doc["notes"][0]["note"]


# 5 -------------------------------------------------------------------------------------------------
def test_a_page_a_person_deleted_is_not_recreated_unless_asked(wiki, person, tmp_path):
    title = "Deleted page"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    person.delete(title, reason="not wanted here")
    res, doc = _publish(wiki, f"-source:{rec}")
    assert page_text(wiki, title) is None
    [skip] = doc["skipped"]
    assert skip["title"] == title and "deleted by Admin on 20" in skip["reason"] and "not wanted here" in skip["reason"]
    assert "-recreate" in skip["reason"]
    res, doc = _publish(wiki, f"-source:{rec}", "-recreate")
    assert title in doc["created"] and page_text(wiki, title) is not None


# 6 -------------------------------------------------------------------------------------------------
def _run_with_a_crossing_edit(wiki, site, tmp_path, monkeypatch, source: Path, title: str, edit):
    """Publish in-process; a person saves `title` between the bot's read and its write."""
    import bots.site.publisher as publisher
    from bots.core.publish.items import iter_items
    from bots.core.wikitext.schema import load_schemas

    real = publisher.read_current
    done = []

    def read_then_someone_saves(site_, names, **kw):
        current = real(site_, names, **kw)
        if title in names and not done:
            done.append(True)
            edit(current[title].text)
        return current

    monkeypatch.setattr(publisher, "read_current", read_then_someone_saves)
    # The ledger the bots run as subprocesses keep: on the MariaDB wiki the in-process Site is a family of
    # its own (conftest._other_site), whose code would name another ledger file.
    from bots.core.publish.ledger import Ledger
    ledger_file = Path(wiki.env["GMW_STATE_DIR"]) / f"ledger-127.0.0.1_{wiki.port}-gmw.sqlite3"
    with Ledger(ledger_file, site.base_url(site.apipath())) as ledger:
        pub = publisher.Publisher(site, ledger, publisher.PublishOptions(summary="crossing", mode="edit"),
                                  out=io.StringIO())
        return pub.run(list(iter_items(source, load_schemas())))


def test_an_edit_mediawiki_merges_is_neither_undone_nor_saved_twice(wiki, site, person, tmp_path, monkeypatch):
    title = "Crossing edit page"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    _records(rec, _article(title, date="7 March 1389"))
    result = _run_with_a_crossing_edit(
        wiki, site, tmp_path, monkeypatch, rec, title,
        lambda text: person.edit(title, text + "\n\nWritten by a person during the run."))
    assert result.updated == [title], result
    text = page_text(wiki, title)
    assert "Written by a person during the run." in text and "7 March 1389" in text
    assert [r["user"] for r in content_edits(wiki, title)][::-1] == ["MultiverseBot", "Admin", "MultiverseBot"]
    assert not any("Undo" in r.get("comment", "") for r in history(wiki, title))
    assert not bot_revisions_in_a_row_with_the_same_text(wiki, title)


def test_a_crossing_edit_on_the_same_lines_is_skipped_not_overwritten(wiki, site, person, tmp_path, monkeypatch):
    title = "Crossing conflict page"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    _records(rec, _article(title, lead="A regenerated lead."))
    result = _run_with_a_crossing_edit(
        wiki, site, tmp_path, monkeypatch, rec, title,
        lambda text: person.edit(title, text.replace("A generated lead.", "A lead a person rewrote.")))
    assert [s["title"] for s in result.skipped] == [title], result
    assert "A lead a person rewrote." in page_text(wiki, title)
    assert not bot_revisions_in_a_row_with_the_same_text(wiki, title)


# 7 -------------------------------------------------------------------------------------------------
def test_every_page_a_bot_saves_honours_nobots(wiki, person, tmp_path):
    """The report page, the job status page and the installed templates go through the one save path."""
    report, status = "Project:Nobots report", "Project:Nobots job status"
    person.edit("Checked for nobots", "{{Universe|Earth-1389}}\nA page to check.")
    person.edit(report, "{{nobots}}\nA person keeps this report to themselves.")
    person.edit(status, "{{nobots}}\nNot for the bot.")
    res = wiki.bot("check", "-page:Checked for nobots", f"-report:{report}")
    assert "excludes this bot" in res.stderr and page_text(wiki, report).startswith("{{nobots}}")
    jobs = subprocess.run([sys.executable, "-m", "bots.jobs", "status", f"-wiki:{status}",
                           f"-state:{tmp_path / 'jobs'}"], cwd=ROOT, env=wiki.env, capture_output=True, text=True,
                          timeout=300)
    assert jobs.returncode == 3 and "excludes this bot" in jobs.stderr
    assert page_text(wiki, status).startswith("{{nobots}}")
    folder = tmp_path / "tpl" / "Template"
    folder.mkdir(parents=True)
    (folder / "Nobots_test_template.wikitext").write_text("Installed by the bot.", encoding="utf-8")
    person.edit("Template:Nobots test template", "{{nobots}}A person's template.")
    res = wiki.bot("install_templates", f"-folder:{tmp_path / 'tpl'}", "-format:json")
    assert res.returncode == 3 and json.loads(res.stdout)["skipped"][0]["title"] == "Template:Nobots test template"
    assert page_text(wiki, "Template:Nobots test template") == "{{nobots}}A person's template."


def test_a_persons_note_on_the_report_page_is_kept(wiki, person):
    report = "Project:Merged report"
    person.edit("Report page one", "{{Universe|Earth-1389}}\nOne.")
    person.edit("Report page two", "{{Universe|Earth-1389}}\nTwo.")
    first = wiki.bot("check", "-page:Report page one", f"-report:{report}")
    assert first.returncode in (0, 1), first.stderr
    person.edit(report, page_text(wiki, report) + "\n\nA note a person left for the others.")
    second = wiki.bot("check", "-page:Report page one", "-page:Report page two", f"-report:{report}")
    assert second.returncode in (0, 1), second.stderr
    text = page_text(wiki, report)
    assert "A note a person left for the others." in text and "'''2''' pages checked" in text


def _racing_wiki(monkeypatch, wiki):
    """MediaWiki 1.39 checks for an edit conflict before it takes its lock: two saves from one base
    can both go through, the second over the first. Seen on both backends (tests/integration/
    test_wiki_backends.py). Emulated here on the real wiki: the bot's edit is sent without its base,
    so it lands over the person's, and the answer names the revision it landed on, as MediaWiki's does."""
    import bots.site.publisher as publisher
    from bots.site.write import Saved

    real = publisher.edit_page

    def racing(site, title, text, summary, *, create, basetimestamp=None, baserevid=None, **kw):
        saved = real(site, title, text, summary, create=create, **kw)
        parent = api(wiki, action="query", prop="revisions", revids=saved.revid, rvprop="ids")
        parent = parent["query"]["pages"][0]["revisions"][0]["parentid"]
        if baserevid and parent != baserevid:
            return Saved(saved.title, saved.revid, saved.timestamp, pageid=saved.pageid, merged=True, parent=parent)
        return saved

    monkeypatch.setattr(publisher, "edit_page", racing)


@pytest.mark.parametrize("overlap", [False, True])
def test_an_edit_mediawiki_lets_the_bot_save_over_is_put_back(wiki, site, person, tmp_path, monkeypatch, overlap):
    title = f"Raced page {int(overlap)}"
    rec = _records(tmp_path / "r.yaml", _article(title))
    _publish(wiki, f"-source:{rec}")
    _records(rec, _article(title, date="8 March 1389", lead="A regenerated lead." if overlap else "A generated lead."))
    _racing_wiki(monkeypatch, wiki)
    if overlap:
        edit = lambda text: person.edit(title, text.replace("A generated lead.", "A lead a person rewrote."))  # noqa: E731
    else:
        edit = lambda text: person.edit(title, text + "\n\nA paragraph a person added during the run.")  # noqa: E731
    result = _run_with_a_crossing_edit(wiki, site, tmp_path, monkeypatch, rec, title, edit)
    text = page_text(wiki, title)
    if overlap:
        assert [s["title"] for s in result.skipped] == [title], result
        assert "A lead a person rewrote." in text and "8 March 1389" not in text
    else:
        assert result.updated == [title], result
        assert "A paragraph a person added during the run." in text and "8 March 1389" in text
    assert not bot_revisions_in_a_row_with_the_same_text(wiki, title)
