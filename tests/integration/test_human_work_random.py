"""A randomised run against the real wiki: people and the bot take turns on the same pages.

Every step is one of: generate (the records change, the folder is regenerated), publish (from the
records, the folder or an XML export; now and then with -recreate), a person's edit outside or inside
the generated regions, a move (with or without a redirect), a deletion, or a publish during which a
person saves one of its pages. After every step:
- no line a person added outside the generated regions is missing;
- no page has two bot revisions in a row with the same text;
- a redirect left by a move was never edited; a deleted page was re-created only by -recreate.
Fixed seed and 300 steps over 20 pages by default; GMW_RANDOM_SEED and GMW_RANDOM_STEPS run others.
"""
from __future__ import annotations

import io
import os
import random
from collections import Counter
from pathlib import Path

import pytest
import yaml

from .helpers import Person, api, bot_revisions_in_a_row_with_the_same_text, history

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("GMW_RANDOM_SEED", "20261201"))
STEPS = int(os.environ.get("GMW_RANDOM_STEPS", "300"))
PAGES = 20
WEIGHTS = {"generate": 14, "publish": 22, "outside": 20, "inside": 10, "move": 5, "delete": 4, "concurrent": 10}


def _texts(wiki, titles: list[str]) -> dict[str, str | None]:
    out = {}
    for i in range(0, len(titles), 50):
        data = api(wiki, action="query", prop="revisions", titles="|".join(titles[i:i + 50]), rvprop="content",
                   rvslots="main")
        names = {n["to"]: n["from"] for n in data["query"].get("normalized", [])}
        for page in data["query"]["pages"]:
            title = names.get(page["title"], page["title"])
            out[title] = None if page.get("missing") else page["revisions"][0]["slots"]["main"]["content"]
    return out


class World:
    """The records, where each page lives now, and what people wrote that must stay."""

    def __init__(self, wiki, site, tmp: Path, rng: random.Random) -> None:
        from bots.core.publish.ledger import Ledger
        from bots.core.wikitext.schema import load_schemas

        self.wiki, self.site, self.tmp, self.rng = wiki, site, tmp, rng
        self.person = Person(wiki)
        self.schemas = load_schemas()
        self.ledger = Ledger(tmp / "ledger.sqlite3", site.base_url(site.apipath()))
        self.records = {f"Random page {i:02d}": {"date": 1 + i % 27, "bg": 0, "lead": 0, "extra": False,
                                                  "cats": ["Random pages"]} for i in range(PAGES)}
        self.where = {t: t for t in self.records}       # record title -> title on the wiki
        self.human: dict[str, set[str]] = {t: set() for t in self.records}
        self.deleted: dict[str, str] = {}               # record title -> the title it was deleted under
        self.redirects: dict[str, int] = {}             # redirect left by a move -> its revision count
        self.counter = 0
        self.stats: Counter = Counter()
        self.write_records()
        self.generate()

    # -- the data ----------------------------------------------------------------------------
    def write_records(self) -> None:
        articles = []
        for title, r in self.records.items():
            sections = [{"title": "Background", "text": f"Generated background, version {r['bg']}."}]
            if r["extra"]:
                sections.append({"title": "Aftermath", "text": f"Generated aftermath, version {r['bg']}."})
            articles.append({"title": title, "infobox": {"name": title, "date": f"{r['date']} March 1389"},
                             "lead": f"Generated lead of {title}, version {r['lead']}.",
                             "sections": sections, "categories": r["cats"]})
        (self.tmp / "records.yaml").write_text(yaml.safe_dump({"universe": "Earth-1389", "articles": articles},
                                                              sort_keys=False), encoding="utf-8")

    def generate(self) -> None:
        from bots.generate import generate
        summary = generate(self.tmp / "records.yaml", self.tmp / "folder")
        assert not summary["errors"], summary

    def mutate(self) -> None:
        for title in self.rng.sample(sorted(self.records), self.rng.randint(1, 4)):
            r = self.records[title]
            change = self.rng.choice(["date", "bg", "lead", "extra", "cats"])
            if change == "date":
                r["date"] = 1 + (r["date"] + self.rng.randint(1, 20)) % 27
            elif change in ("bg", "lead"):
                r[change] += 1
            elif change == "extra":
                r["extra"] = not r["extra"]
            else:
                r["cats"] = ["Random pages"] + ([] if len(r["cats"]) > 1 else ["Random extra"])
        self.write_records()
        self.generate()

    # -- the bot -----------------------------------------------------------------------------
    def source(self) -> Path:
        kind = self.rng.choice(["records", "folder", "xml"])
        self.stats[f"publish from {kind}"] += 1
        if kind == "records":
            return self.tmp / "records.yaml"
        if kind == "folder":
            return self.tmp / "folder"
        from bots.core.sources import iter_pages
        from bots.core.sources.xmlexport import ExportPage, write_export
        with open(self.tmp / "pages.xml", "wb") as out:
            write_export([ExportPage(p.title, p.text, 0) for p in iter_pages(self.tmp / "folder")], out)
        return self.tmp / "pages.xml"

    def publish(self, crossing=None) -> None:
        import bots.site.publisher as publisher
        from bots.core.publish.items import iter_items

        recreate = self.rng.random() < 0.15
        real = publisher.read_current
        if crossing is not None:
            done = []

            def read_then_someone_saves(site_, names, **kw):
                current = real(site_, names, **kw)
                if not done:
                    done.append(True)
                    crossing()
                return current
            publisher.read_current = read_then_someone_saves
        try:
            # workers None: the wiki's own choice (4 on MariaDB, 1 on SQLite)
            opts = publisher.PublishOptions(summary="randomised test", force=True, recreate=recreate,
                                            mode=self.rng.choice(["auto", "edit"]), workers=self.rng.choice([1, 2, None]))
            result = publisher.Publisher(self.site, self.ledger, opts, out=io.StringIO()).run(
                list(iter_items(self.source(), self.schemas)))
        finally:
            publisher.read_current = real
        assert not result.failed, result.failed
        for skip in result.skipped:
            reason = skip["reason"]
            kind = reason.split(" (")[0].split(":")[0].split(" on ")[0]
            self.stats[f"skipped: {kind}"] += 1
            if "redirect" in reason:    # a move is followed, unless the moved page was deleted since
                assert skip["title"] in self.deleted, f"{skip['title']} moved to {self.where[skip['title']]}: {reason}"
        self.stats["pages with a merge note"] += len(result.notes)
        for title in result.created:
            if title in self.deleted:
                assert recreate, f"{title} was re-created without -recreate"
                self.deleted.pop(title)
                self.where[title] = title
                self.human[title] = set()
                self.stats["re-created with -recreate"] += 1

    # -- people ------------------------------------------------------------------------------
    def live(self) -> list[str]:
        return [t for t in self.records if t not in self.deleted]

    def edit_outside(self, title: str | None = None) -> None:
        from bots.core.publish.items import infobox_templates
        from bots.core.wikitext.regions import find_regions

        title = title or self.rng.choice(self.live())
        where = self.where[title]
        text = _texts(self.wiki, [where])[where]
        regions = find_regions(text, infobox_templates(self.schemas))
        starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"] + [len(text)]
        free = [s for s in starts if not any(r.start < s < r.end for r in regions.values())]
        at = self.rng.choice(free)
        self.counter += 1
        line = f"Human line {self.counter} on {title}."
        new = text[:at] + (("\n" if at == len(text) else "") + line + ("\n" if at < len(text) else ""))
        new += text[at:]
        self.person.edit(where, new)
        self.human[title].add(line)

    def edit_inside(self) -> None:
        title = self.rng.choice(self.live())
        where = self.where[title]
        text = _texts(self.wiki, [where])[where]
        self.counter += 1
        if "Generated background" in text and self.rng.random() < 0.6:
            new = text.replace("Generated background", f"Background a person corrected ({self.counter})", 1)
        else:
            new = text.replace("| date = ", f"| date = {self.counter} ", 1)
        if new != text:
            self.person.edit(where, new)

    def move(self) -> None:
        candidates = [t for t in self.live() if self.where[t] == t]
        if not candidates:
            return
        title = self.rng.choice(candidates)
        self.counter += 1
        new, redirect = f"{title} (moved {self.counter})", self.rng.random() < 0.7
        self.person.move(title, new, redirect=redirect)
        self.where[title] = new
        if redirect:
            self.redirects[title] = len(history(self.wiki, title))
        self.stats["moves" + (" with a redirect" if redirect else " without a redirect")] += 1

    def delete(self) -> None:
        title = self.rng.choice(self.live())
        self.person.delete(self.where[title])
        self.deleted[title] = self.where[title]
        self.human[title] = set()
        self.redirects.pop(title, None)
        self.stats["deletions"] += 1

    # -- what must hold after every step ----------------------------------------------------
    def check(self, step: int, what: str) -> None:
        titles = sorted(set(self.where.values()) | set(self.records) | set(self.redirects))
        texts = _texts(self.wiki, titles)
        for title, lines in self.human.items():
            text = texts.get(self.where[title]) or ""
            missing = [line for line in lines if line not in text.splitlines()]
            assert not missing, f"step {step} ({what}): {self.where[title]} lost {missing}\n{text}"
            self.stats["human lines checked"] += len(lines)
        for title, at in self.deleted.items():
            assert texts.get(at) is None, f"step {step} ({what}): deleted {at} exists again"
        for title, count in self.redirects.items():
            assert len(history(self.wiki, title)) == count, f"step {step} ({what}): the redirect {title} was edited"
        for title in set(self.where.values()) - set(self.deleted.values()):
            twice = bot_revisions_in_a_row_with_the_same_text(self.wiki, title)
            assert not twice, f"step {step} ({what}): {title} has bot revisions {twice} with the same text"


def test_people_and_the_bot_on_the_same_pages(wiki, site, tmp_path, capsys):
    rng = random.Random(SEED)
    world = World(wiki, site, tmp_path, rng)
    world.publish()
    for step in range(1, STEPS + 1):
        what = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        world.stats[what] += 1
        if what == "generate":
            world.mutate()
        elif what == "publish":
            world.publish()
        elif what == "outside":
            world.edit_outside()
        elif what == "inside":
            world.edit_inside()
        elif what == "move":
            world.move()
        elif what == "delete" and len(world.live()) > PAGES // 2:
            world.delete()
        elif what == "concurrent":
            target = rng.choice(world.live())
            world.publish(crossing=lambda: world.edit_outside(target))
        world.check(step, what)
    world.ledger.close()
    with capsys.disabled():
        print(f"\nrandomised human-work run: seed {SEED}, {STEPS} steps, {PAGES} pages")
        for key, n in sorted(world.stats.items()):
            print(f"  {key}: {n}")
