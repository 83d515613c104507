"""Benchmark: the date scanner and the date rules against a baseline revision, side by side.

Usage: .venv/bin/python benchmarks/dates_speed.py [--baseline REV] [--rounds 5] [--pages 2000]

Times, in fresh processes of this tree and of BASELINE (a git revision, default: the merge base with
main, exported with git archive to a temporary folder): find_dates over every page of the shared
corpus (../shared/corpus) and over N synthetic pages (benchmarks/synth.py), all the date rules
(find_dates included) over the same pages, and the whole offline check (`bots.check -source:`) of
the N synthetic pages as a command. Rounds alternate between the two trees; medians and the ratio
current/baseline are printed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

RUN = r"""
import json, sys, time
root, corpus, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [root, root + "/tests", root + "/benchmarks"]
from pathlib import Path
from bots.core.dates.scanner import find_dates
from bots.core.publish.generate import render_page
from bots.core.sources.records import Record, iter_records
from bots.core.check.rules import dates as _dates            # registers the date rules
from bots.core.check.rules.base import PageView, iter_rules
from bots.core.wikitext.schema import load_schemas
import synth, tempfile, yaml
pages = []
if Path(corpus).is_dir():
    from corpus_pages import iter_corpus_pages
    pages += [t for _, _, t in iter_corpus_pages(Path(corpus))]
schemas = load_schemas()
with tempfile.TemporaryDirectory() as d:
    f = Path(d) / "r.yaml"
    f.write_text(yaml.safe_dump(synth.records(n, errors_every=500), allow_unicode=True))
    gen = [render_page(r, schemas[r.template]) for r in iter_records(f, schemas) if isinstance(r, Record)]
rules = [r for r in iter_rules("dates")]
out = {}
for name, texts in (("corpus", pages), ("synthetic", gen)):
    t = time.perf_counter()
    for text in texts:
        find_dates(text)
    out[name + " find_dates"] = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        view = PageView("Page", text, {"schemas": schemas})
        for r in rules:
            list(r.check(view))
    out[name + " date rules"] = time.perf_counter() - t
out["pages"] = [len(pages), len(gen)]
print(json.dumps(out))
"""


def export(rev: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="gmw-dates-baseline-"))
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def median(values: list[float]) -> float:
    s = sorted(values)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", help="git revision to compare with (default: merge base with main)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pages", type=int, default=2000, help="synthetic pages")
    a = ap.parse_args()
    rev = a.baseline or subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout.strip()
    base = export(rev)
    trees = {"baseline": base, "current": ROOT}
    times: dict[str, dict[str, list[float]]] = {k: {} for k in trees}
    pages = None
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_all
    folder = write_all(a.pages, Path(tempfile.mkdtemp(prefix="gmw-dates-pages-")), errors_every=500)["folder"]
    for _ in range(a.rounds):
        for name, tree in trees.items():
            t = time.perf_counter()
            res = subprocess.run([sys.executable, "-m", "bots.check", f"-source:{folder}", "-format:json"], cwd=tree,
                                 env={**os.environ, "PYWIKIBOT_DIR": str(tree)}, capture_output=True, text=True)
            if res.returncode not in (0, 1):
                raise SystemExit(f"{name}: check failed:\n{res.stderr[-3000:]}")
            times[name].setdefault("offline check (command)", []).append(time.perf_counter() - t)
            res = subprocess.run([sys.executable, "-c", RUN, str(tree), str(CORPUS), str(a.pages)], cwd=tree,
                                 capture_output=True, text=True)
            if res.returncode:
                raise SystemExit(f"{name} failed:\n{res.stderr[-3000:]}")
            doc = json.loads(res.stdout.strip().splitlines()[-1])
            pages = doc.pop("pages")
            for k, v in doc.items():
                times[name].setdefault(k, []).append(v)
    print(f"baseline {rev[:10]} vs current tree, {a.rounds} rounds, medians; corpus {pages[0]} pages, "
          f"synthetic {pages[1]} pages")
    for k in times["current"]:
        b, c = median(times["baseline"][k]), median(times["current"][k])
        print(f"  {k:24s} baseline {b:7.3f}s   current {c:7.3f}s   current/baseline {c / b:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
