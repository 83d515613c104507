"""The pages look right as MediaWiki renders them (issue 13): no red links, no raw template code, no
expression errors, the infobox's spaces kept; and `check -render` reports what does not."""
from __future__ import annotations

import html as htmllib
import json
import re
from pathlib import Path

import pytest
import yaml

from .helpers import Person, api

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
_TAGS = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def published(wiki, tmp_path_factory):
    assert wiki.bot("install_templates").returncode in (0, 3)
    res = wiki.bot("publish", f"-source:{ROOT / 'data/universes'}", "-force", "-format:json")
    assert res.returncode == 0, res.stderr
    new = tmp_path_factory.mktemp("u") / "Earth-1263.yaml"
    new.write_text(yaml.safe_dump({"universe": "Earth-1263", "articles": [
        {"title": "Storming of the Bastille (Earth-1263)",
         "infobox": {"name": "Storming of the Bastille", "date": "14 July 1791", "place": "Paris",
                     "followed_by": "Fête de la Fédération (Earth-1263)"},
         "lead": "The Bastille fell two years later than in Earth-Prime.", "categories": ["Battles"]},
        {"title": "Fête de la Fédération (Earth-1263)",
         "infobox": {"name": "Fête de la Fédération", "date": "14 July 1792",
                     "preceded_by": "Storming of the Bastille (Earth-1263)"},
         "lead": "A year after the [[Storming of the Bastille (Earth-1263)|storming]].",
         "categories": ["Festivals"]}]}, allow_unicode=True), encoding="utf-8")
    res = wiki.bot("publish", f"-source:{new}", "-format:json")
    doc = json.loads(res.stdout)
    assert res.returncode == 0, res.stderr
    assert {"Category:Earth-1263", "Category:Battles", "Category:Festivals"} <= set(doc["created"])
    return wiki


def _rendered(wiki, title: str) -> tuple[str, str]:
    html = api(wiki, action="parse", page=title, prop="text", disablelimitreport=1)["parse"]["text"]
    return html, re.sub(r"\s+", " ", htmllib.unescape(_TAGS.sub("", html)))


PAGES = ["October Revolution", "February Revolution", "Russian Constituent Assembly election",
         "Russian Constituent Assembly", "Storming of the Bastille (Earth-1263)", "Fête de la Fédération (Earth-1263)",
         "Category:Earth-1263", "Category:Battles", "Category:Earth-1389"]


@pytest.mark.parametrize("title", PAGES)
def test_a_published_page_renders_cleanly(published, title):
    html, text = _rendered(published, title)
    assert 'class="new"' not in html, re.findall(r'<a[^>]*class="new"[^>]*>', html)
    assert "{{" not in text and "}}" not in text
    assert "Expression error" not in text and 'class="error"' not in html


def test_the_infobox_keeps_its_spaces(published):
    _, text = _rendered(published, "February Revolution")
    assert "3 March 1389 [O.S. 23 February 1389] – 11 March 1389" in text
    _, text = _rendered(published, "Russian Constituent Assembly election")
    assert "← October Revolution · Russian Constituent Assembly →" in text
    html, text = _rendered(published, "October Revolution")
    assert "2 November 1389 [O.S. 25 October 1389]" in text
    assert 'href="/index.php/Help:Old_Style_and_New_Style_dates"' in html or "Help:Old_Style_and_New_Style_dates" in html


def test_the_wiki_has_a_logo_of_its_own(published):
    html = api(published, action="query", meta="siteinfo", siprop="general")["query"]["general"]
    assert html["logo"].endswith(".svg") and "wiki.png" not in html["logo"]


def test_check_render_reports_red_links_and_raw_template_code_from_templates(published):
    person = Person(published)
    person.edit("Template:Links nowhere", "See [[A page nobody wrote]]. {{{{{1|}}}")
    person.edit("Render problems page", "{{Universe|Earth-1389}}\nText {{Links nowhere}} and [[Also missing]].\n")
    res = published.bot("check", "-page:Render problems page", "-render", "-format:json")
    findings = json.loads(res.stdout)["findings"]
    red = sorted(f["message"] for f in findings if f["rule"] == "render-red-link")
    assert any("[[:A page nobody wrote]]" in m for m in red) and any("[[:Also missing]]" in m for m in red)
    assert [f for f in findings if f["rule"] == "render-raw-template"]
