"""Timelines on the real local wiki (issue 16): the sample universe's timeline is published and renders
cleanly; an editor's introduction survives a rebuild; a changed date moves its entry; a conflict and a
point of divergence are shown; the drop guard refuses a run with half of the pages missing; the chart is
uploaded (honouring {{nobots}}) and renders a thumbnail."""
from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest
import requests

from .helpers import Person, api, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
_TAGS = re.compile(r"<[^>]+>")
U = "Earth-7016"
TL = f"Timeline of {U}"


def _rendered(wiki, title: str) -> tuple[str, str]:
    html = api(wiki, action="parse", page=title, prop="text", disablelimitreport=1)["parse"]["text"]
    return html, re.sub(r"\s+", " ", htmllib.unescape(_TAGS.sub("", html)))


def _entries(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("* '''")]


@pytest.fixture(scope="module")
def sample(wiki):
    assert wiki.bot("install_templates").returncode in (0, 3)
    res = wiki.bot("publish", f"-source:{ROOT / 'data/universes'}", "-force", "-format:json")
    assert res.returncode == 0, res.stderr
    res = wiki.bot("timeline", "-cat:Earth-1389", "-page:October Revolution", "-page:February Revolution",
                   "-format:json")
    assert res.returncode == 0, res.stderr
    return wiki, json.loads(res.stdout)


def test_the_sample_universes_timeline_is_published(sample):
    wiki, doc = sample
    [row] = [r for r in doc["universes"] if r["universe"] == "Earth-1389"]
    assert row["title"] == "Timeline of Earth-1389" and row["saved"] and row["entries"] > 5
    # the seed's O.S./N.S. pair that is not one day is left out (other tests add pages to Earth-1389 too)
    assert row["left_out"].get("calendar", 0) >= 1
    text = page_text(wiki, "Timeline of Earth-1389")
    assert not [e for e in _entries(text) if "7 November" in e and "October Revolution" in e]
    assert "<!-- gmw-generated: Timeline -->" in text
    assert ("* '''2 November &#91;O.S. 25 October&#93; 1389''' – [[:February Revolution|February Revolution]]: "
            "“The provisional government ruled until the October Revolution of 25 October 1389 (O.S.).”") in text


def test_the_timeline_renders_with_no_red_links_and_no_raw_template_code(sample):
    wiki, _ = sample
    html, text = _rendered(wiki, "Timeline of Earth-1389")
    assert 'class="new"' not in html, re.findall(r'<a[^>]*class="new"[^>]*>', html)
    assert "{{" not in text and "}}" not in text and "[[" not in text and "&#" not in text
    assert "2 November [O.S. 25 October] 1389 – February Revolution" in text
    assert 'href="/index.php/February_Revolution#Aftermath"' in html


def test_the_chart_is_uploaded_and_renders_a_thumbnail_on_the_page(sample):
    wiki, doc = sample
    [row] = [r for r in doc["universes"] if r["universe"] == "Earth-1389"]
    assert row["chart"] in ("created", "updated", "unchanged"), row["chart"]
    info = api(wiki, action="query", prop="imageinfo", titles="File:Timeline of Earth-1389.svg",
               iiprop="url|mime|user", iiurlwidth=480)["query"]["pages"][0]["imageinfo"][0]
    assert info["mime"] == "image/svg+xml" and info["user"] == "MultiverseBot"
    thumb = requests.get(info["thumburl"], timeout=60)
    assert thumb.status_code == 200 and thumb.content[:8] == b"\x89PNG\r\n\x1a\n"     # rsvg drew it
    html, _ = _rendered(wiki, "Timeline of Earth-1389")
    img = re.search(r'<img [^>]*src="([^"]+)"', html)
    assert img and "Timeline_of_Earth-1389.svg" in img.group(1) and img.group(1).endswith(".png")
    assert 'class="new"' not in html


def test_the_chart_upload_honours_nobots_on_the_file_page(sample):
    wiki, _ = sample
    Person(wiki).edit("File:Timeline of Earth-1389.svg", "{{nobots}}\nA person keeps this file.")
    before = api(wiki, action="query", prop="imageinfo", titles="File:Timeline of Earth-1389.svg",
                 iiprop="sha1", iilimit=10)["query"]["pages"][0]["imageinfo"]
    res = wiki.bot("timeline", "-cat:Earth-1389", "-page:October Revolution", "-page:February Revolution",
                   "-universe:Earth-1389", "-format:json")
    assert res.returncode == 0, res.stderr
    [row] = json.loads(res.stdout)["universes"]
    assert row["chart"].startswith("skipped: {{bots}}/{{nobots}}")
    assert "not uploaded" in res.stderr
    after = api(wiki, action="query", prop="imageinfo", titles="File:Timeline of Earth-1389.svg",
                iiprop="sha1", iilimit=10)["query"]["pages"][0]["imageinfo"]
    assert after == before
    assert "[[File:" not in page_text(wiki, "Timeline of Earth-1389")     # not shown where not uploaded


PAGES = {
    f"Siege of Alpha ({U})": "The siege of Alpha began on 3 May 1500 and was long.",
    f"Battle of Beta ({U})": "{{Infobox historical event|name=Battle of Beta|date=1 June 1500}}\n"
                             "The Battle of Beta was fought near the river.",
    f"Treaty of Gamma ({U})": "The treaty was signed in 1502 after the [[Battle of Beta (" + U + ")]] "
                              "of 9 June 1500.",
    f"Fall of Delta ({U})": "Delta fell on 20 August 1501.\n\n== Aftermath ==\nIt was rebuilt in 1503.",
}


@pytest.fixture(scope="module")
def universe(wiki):
    person = Person(wiki)
    for title, body in PAGES.items():
        person.edit(title, f"{{{{Universe|{U}}}}}\n{body}\n")
    person.edit("Battle of Beta", "{{Universe|Earth-Prime}}\n"
                "{{Infobox historical event|name=Battle of Beta|date=1 June 1499}}\nThe battle, as it was.\n")
    return wiki, person


def _run(wiki, *titles: str, extra=()):
    return wiki.bot("timeline", *[f"-page:{t}" for t in titles], *extra, "-format:json")


def test_conflicts_divergence_an_introduction_a_changed_date_and_the_guard(universe):
    wiki, person = universe
    res = _run(wiki, *PAGES)
    assert res.returncode == 0, res.stderr
    [row] = [r for r in json.loads(res.stdout)["universes"] if r["universe"] == U]
    assert row["pages"] == 4 and row["conflicts"] == 1
    assert row["point_of_divergence"] == f"Battle of Beta ({U})"      # its Earth-Prime page read too
    text = page_text(wiki, TL)
    html, shown = _rendered(wiki, TL)

    # A conflict: both dates, marked, with the report.
    assert shown.count("Conflict:") == 2
    assert f"Treaty of Gamma ({U}) dates Battle of Beta ({U}) 9 June 1500, its page gives 1 June 1500" in shown
    assert re.search(r"<a [^>]*title=\"[^\"]*Consistency report/" + U, html), re.findall(r"<a [^>]*Consistency[^>]*>", html)
    # The point of divergence and the table.
    assert f"Point of divergence: Battle of Beta ({U}), 1 June 1500 (Earth-Prime: 1 June 1499, +365 days)" in shown
    assert 'class="wikitable"' in html

    # An editor's introduction and commentary survive a rebuild that changes the region.
    person.edit(TL, "An introduction by an editor.\n\n" + text + "\n== Commentary ==\nThe editor's view.\n")
    order = [e for e in _entries(text)]
    assert order.index(next(e for e in order if "Siege of Alpha" in e)) < \
        order.index(next(e for e in order if "Fall of Delta" in e and "1501" in e))
    person.edit(f"Siege of Alpha ({U})", f"{{{{Universe|{U}}}}}\nThe siege of Alpha began on 3 May 1504.\n")
    edited = page_text(wiki, TL)
    res = _run(wiki, *PAGES, extra=("-simulate",))         # the diff, nothing saved
    assert res.returncode == 0, res.stderr
    assert page_text(wiki, TL) == edited
    assert "+* '''3 May 1504'''" in json.loads(res.stdout)["publish"]["diffs"][0]["diff"]
    res = _run(wiki, *PAGES)
    assert res.returncode == 0, res.stderr
    after = page_text(wiki, TL)
    assert after.startswith("An introduction by an editor.\n")
    assert after.rstrip().endswith("== Commentary ==\nThe editor's view.")
    # The changed date moved its entry: now the last one, under its own year.
    entries = _entries(after)
    assert "3 May 1504" in entries[-1] and "Siege of Alpha" in entries[-1]
    assert not any("3 May 1500" in e for e in entries)

    # The drop guard: half of the pages missing is refused, the page is left as it was; -force saves.
    res = _run(wiki, *list(PAGES)[:2])
    assert res.returncode == 2, (res.returncode, res.stderr)
    assert "half or more are missing" in res.stderr and "-force" in res.stderr
    assert page_text(wiki, TL) == after
    doc = json.loads(res.stdout)
    assert [r["refused"] for r in doc["universes"] if r["universe"] == U][0]
    res = _run(wiki, *list(PAGES)[:2], extra=("-force",))
    assert res.returncode == 0, res.stderr
    assert page_text(wiki, TL) != after and page_text(wiki, TL).startswith("An introduction by an editor.\n")


def test_the_stop_page_stops_the_chart_upload_and_the_save(sample):
    wiki, _ = sample
    person = Person(wiki)
    person.edit("Battle of Zeta (Earth-1389)", "{{Universe|Earth-1389}}\nIt was fought on 2 May 1391.\n")
    text = page_text(wiki, "Timeline of Earth-1389")
    person.edit("User:MultiverseBot/Run", "stop")
    try:
        res = wiki.bot("timeline", "-cat:Earth-1389", "-page:October Revolution", "-page:February Revolution",
                       "-page:Battle of Zeta (Earth-1389)", "-universe:Earth-1389", "-format:json")
    finally:
        person.edit("User:MultiverseBot/Run", "run")
    assert res.returncode == 4, (res.returncode, res.stderr)
    [row] = json.loads(res.stdout)["universes"]
    assert row["chart"].startswith("skipped: the stop page") and not row["saved"]
    assert page_text(wiki, "Timeline of Earth-1389") == text


def test_since_last_run_rebuilds_only_the_universes_whose_pages_changed(universe):
    wiki, person = universe

    def since():
        res = _run(wiki, *PAGES, extra=("-since:last-run",))
        assert res.returncode == 0, res.stderr
        return sorted(r["universe"] for r in json.loads(res.stdout)["universes"]), res.stderr

    first, err = since()
    assert U in first and "Earth-Prime" in first and "no earlier run" in err
    revs = api(wiki, action="query", prop="revisions", titles=TL, rvlimit="max")["query"]["pages"][0]["revisions"]
    assert since()[0] == []                          # nothing changed: nothing rebuilt, nothing saved
    assert api(wiki, action="query", prop="revisions", titles=TL,
               rvlimit="max")["query"]["pages"][0]["revisions"] == revs
    person.edit(f"Fall of Delta ({U})", f"{{{{Universe|{U}}}}}\nDelta fell on 21 August 1501.\n")
    assert since()[0] == [U]                         # its universe only
    assert "21 August 1501" in page_text(wiki, TL)
    person.edit("Battle of Beta", "{{Universe|Earth-Prime}}\n"
                "{{Infobox historical event|name=Battle of Beta|date=2 June 1499}}\nThe battle, as it was.\n")
    assert since()[0] == sorted(["Earth-Prime", U])  # a counterpart changed: the divergences with it
    assert "2 June 1499" in page_text(wiki, TL)
    res = wiki.bot("timeline", "-source:/nonexistent", "-since:last-run")
    assert res.returncode == 2 and "live wiki" in res.stderr
