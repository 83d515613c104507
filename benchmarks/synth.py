"""A synthetic universe for benchmarks: N event records of 3-5 KB each, with infoboxes, dates and links.

Deterministic (seeded), consistent (no finding expected from the checks), written as one records
file, a folder of .wikitext files, a pagefromfile file and an XML export of the same pages.
"""
from __future__ import annotations

import random
from pathlib import Path

import yaml

from bots.core.publish.generate import render_page
from bots.core.sources.records import iter_records
from bots.core.wikitext.schema import load_schemas
from bots.core.wikitext.titles import title_to_filename
from bots.core.sources.xmlexport import ExportPage, write_export

WORDS = ("assembly council revolution province treaty army navy harvest guild charter river fortress "
         "delegates archive decree province bishop merchant rebellion tariff railway printing press "
         "parliament congress soviet garrison frontier estate peasant workers committee ministry").split()
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def records(n: int, universe: str = "Earth-BENCH", seed: int = 1389, version: int = 1,
            errors_every: int = 0) -> dict:
    """`errors_every`: every that many pages carries an O.S./N.S. pair with the wrong gap, so that a
    check has something to find (and fix)."""
    rng = random.Random(seed)
    arts = []
    for i in range(n):
        year = 1300 + i // 12
        month = i % 12 + 1
        day = rng.randint(1, 28)
        title = f"Event {i:05d} ({universe})"
        prev = f"Event {i - 1:05d} ({universe})" if i else None
        paras = []
        target = rng.randint(2700, 4300)
        lead = (f"The '''Event {i:05d}''' took place on {day} {MONTHS[month - 1]} {year}"
                + (f", after the [[{prev}]] of {MONTHS[(i - 1) % 12]} {1300 + (i - 1) // 12}" if prev else "")
                + ". ")
        size = len(lead)
        while size < target:
            para = " ".join(_sentence(rng) for _ in range(5))
            paras.append(para)
            size += len(para) + 2
        if version > 1:
            paras.append(f"Revised in version {version} of the data.")
        if errors_every and i % errors_every == errors_every - 1:
            paras.append(f"It was dated to 10 {MONTHS[month - 1]} {year} (O.S.; 23 {MONTHS[month - 1]} N.S.).")
        box = {"name": f"Event {i:05d}", "date": f"{day} {MONTHS[month - 1]} {year}", "place": "Petrograd",
               "result": _sentence(rng)}
        if prev:
            box["preceded_by"] = prev
        arts.append({"title": title, "infobox": box, "lead": lead + "\n\n".join(paras),
                     "categories": ["Benchmark events"]})
    return {"universe": universe, "articles": arts}


_PART = 5000


def write_all(n: int, out: Path, version: int = 1, universe: str = "Earth-BENCH",
              errors_every: int = 0) -> dict[str, Path]:
    """Write the same pages in every source format; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    data = records(n, universe=universe, version=version, errors_every=errors_every)
    rec_file = out / "records.yaml"
    rec_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    schemas = load_schemas()
    # Rendered through the records reader in parts: a records file is refused over 64 MB (safeload),
    # and 50,000 pages make 200 MB.
    pages = []
    part = out / "records-part.yaml"
    for i in range(0, len(data["articles"]), _PART):
        part.write_text(yaml.safe_dump({**data, "articles": data["articles"][i:i + _PART]}, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        for r in iter_records(part, schemas):
            if not hasattr(r, "template"):
                raise SystemExit(f"the generated records do not load: {r}")
            pages.append((r.title, render_page(r, schemas[r.template])))
    part.unlink()
    folder = out / "pages"
    folder.mkdir(exist_ok=True)
    for title, text in pages:
        (folder / (title_to_filename(title) + ".wikitext")).write_text(text, encoding="utf-8")
    pagefile = out / "pages.txt"
    with pagefile.open("w", encoding="utf-8") as f:
        for title, text in pages:
            f.write(f"{{{{-start-}}}}\n'''{title}'''\n{text}\n{{{{-stop-}}}}\n")
    xml = out / "pages.xml"
    with xml.open("wb") as f:
        write_export([ExportPage(t, x.rstrip(), 0, timestamp="2026-11-26T00:00:00Z", username="MultiverseBot")
                      for t, x in pages], f)
    return {"records": rec_file, "folder": folder, "pagefile": pagefile, "xml": xml}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000, help="how many event records (default 1000)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write records.yaml, pages/, pages.txt "
                                                             "and pages.xml into")
    ap.add_argument("--version", type=int, default=1, help="data version (a later one changes every page)")
    ap.add_argument("--universe", default="Earth-BENCH", help="the universe of the pages (default Earth-BENCH)")
    ap.add_argument("--errors-every", type=int, default=0,
                    help="every N-th page carries a wrong O.S./N.S. pair (default 0: none)")
    args = ap.parse_args(argv)
    paths = write_all(args.pages, args.out, args.version, args.universe, args.errors_every)
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
