"""Benchmark: harvesting the corpus against a bare mwparserfromhell parse of the same pages.

Usage: .venv/bin/python benchmarks/harvest.py [--rounds 3] [--corpus ../shared/corpus]

Every page of the third-party corpus (XML dumps, loose wikitext, parser-test inputs) is loaded into
memory first; then, side by side in each round, a bare `mwparserfromhell.parse` of every page and a
full harvest (Article model, universe, infoboxes, every date with its calendar and line). Prints
pages/s (median of the rounds) and the ratio. Target (issue 3): harvest at most 2x a bare parse.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import mwparserfromhell

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from corpus_pages import iter_corpus_pages  # noqa: E402

from bots.core.wikitext.article import Article  # noqa: E402
from bots.core.wikitext.harvest import harvest_article  # noqa: E402
from bots.core.wikitext.schema import load_schemas  # noqa: E402


def median(xs: list[float]) -> float:
    s = sorted(xs)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    a = ap.parse_args()
    pages = [(t, x) for _o, t, x in iter_corpus_pages(a.corpus)]
    size = sum(len(x.encode("utf-8")) for _t, x in pages)
    schemas = load_schemas()
    print(f"{len(pages)} pages, {size / 1e6:.1f} MB, {a.rounds} rounds")
    bare, full = [], []
    for r in range(a.rounds):
        t = time.perf_counter()
        for _title, text in pages:
            mwparserfromhell.parse(text)
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        for title, text in pages:
            harvest_article(Article(title, text), schemas)
        full.append(time.perf_counter() - t)
        print(f"  round {r + 1}: bare parse {bare[-1]:.1f}s, harvest {full[-1]:.1f}s", flush=True)
    b, h = median(bare), median(full)
    print(f"bare parse: {len(pages) / b:.0f} pages/s ({size / 1e6 / b:.2f} MB/s)")
    print(f"harvest:    {len(pages) / h:.0f} pages/s ({size / 1e6 / h:.2f} MB/s)")
    print(f"harvest / bare parse = {h / b:.2f}x the time (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
