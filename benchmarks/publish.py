"""Benchmark: bulk publishing, ours against pywikibot's pagefromfile.py and importDump.php.

Usage: .venv/bin/python benchmarks/publish.py [--pages 1000] [--runs 1] [--methods ours,pagefromfile,importdump]
       (needs the bench extra: pip install -e '.[bench]' for pywikibot-scripts)

Each method publishes the same generated pages (3-5 KB, each with an infobox) to its own fresh
local wiki (templates installed), side by side in one run:
  ours          python -m bots.publish -source:FOLDER (first load), then the same pages changed
                (updates), then the same again (nothing changed)
  ours-edit     the same first load with -mode:edit (no import API)
  ours-b25      the same first load with -batch:25 (25 pages an import request)
  pagefromfile  pwb pagefromfile -file:pages.txt -notitle -always -pt:0, then -force for the updates
  importdump    php maintenance/importDump.php pages.xml (MediaWiki's server-side floor)
Prints pages/s (median over --runs) and the ratios the issue sets targets for.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import ROOT, fresh_wiki, median  # noqa: E402


def run_ours(src: dict, src2: dict, n: int, mode: str = "auto", extra: tuple[str, ...] = ()) -> dict:
    with fresh_wiki() as w:
        args = ["-format:json", *extra] + ([f"-mode:{mode}"] if mode != "auto" else [])
        t1, r1 = w.bot("publish", f"-source:{src['folder']}", *args)
        assert json.loads(r1.stdout)["counts"]["created"] == n, r1.stdout[-500:]
        out = {"first": n / t1}
        if mode == "auto" and not extra:
            t2, r2 = w.bot("publish", f"-source:{src2['folder']}", *args)
            assert json.loads(r2.stdout)["counts"]["updated"] == n
            t3, r3 = w.bot("publish", f"-source:{src2['folder']}", *args)
            assert json.loads(r3.stdout)["counts"]["unchanged"] == n
            out.update(update=n / t2, unchanged_seconds=t3, first_seconds=t1)
        return out


def run_pagefromfile(src: dict, src2: dict, n: int) -> dict:
    with fresh_wiki() as w:
        pwb = [str(Path(sys.executable).parent / "pwb"), "pagefromfile", "-notitle", "-always", "-pt:0",
               "-summary:bench"]
        t1, _ = w.run(*pwb, f"-file:{src['pagefile']}")
        t2, _ = w.run(*pwb, f"-file:{src2['pagefile']}", "-force")
        return {"first": n / t1, "update": n / t2}


def run_importdump(src: dict, n: int) -> dict:
    with fresh_wiki() as w:
        env_cmd = ["env", f"MW_CONFIG_FILE={w.dir / 'LocalSettings.php'}", "php",
                   "/usr/share/mediawiki/maintenance/importDump.php", str(src["xml"])]
        t1, _ = w.run(*env_cmd)
        return {"first": n / t1}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--methods", default="ours,pagefromfile,importdump")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gmw-bench-pages-"))
    src = write_all(a.pages, work / "v1", version=1)
    src2 = write_all(a.pages, work / "v2", version=2)
    sizes = [p.stat().st_size for p in src["folder"].iterdir()]
    print(f"{a.pages} pages, {min(sizes)}-{max(sizes)} bytes (median {median(sizes):.0f}); {a.runs} run(s) each")
    methods = a.methods.split(",")
    results: dict[str, list[dict]] = {m: [] for m in methods}
    for run in range(a.runs):         # methods interleaved, so machine noise hits them alike
        for m in methods:
            if m == "ours":
                results[m].append(run_ours(src, src2, a.pages))
            elif m == "ours-b25":
                results[m].append(run_ours(src, src2, a.pages, extra=("-batch:25",)))
            elif m == "ours-edit":
                results[m].append(run_ours(src, src2, a.pages, mode="edit"))
            elif m == "pagefromfile":
                results[m].append(run_pagefromfile(src, src2, a.pages))
            elif m == "importdump":
                results[m].append(run_importdump(src, a.pages))
            print(f"  run {run + 1}: {m}: " + ", ".join(f"{k} {v:.2f}" for k, v in results[m][-1].items()),
                  flush=True)
    med = {m: {k: median([r[k] for r in rs]) for k in rs[0]} for m, rs in results.items() if rs}
    print("\nmedians (pages/s; *_seconds in seconds):")
    for m, vals in med.items():
        print(f"  {m:13s} " + ", ".join(f"{k} {v:.2f}" for k, v in vals.items()))
    ours = med.get("ours")
    if ours and "pagefromfile" in med:
        pff = med["pagefromfile"]
        print(f"first load:  ours / pagefromfile = {ours['first'] / pff['first']:.2f}x (target >= 3)")
        print(f"updates:     ours / pagefromfile = {ours['update'] / pff['update']:.2f}x (target >= 2)")
    if ours and "importdump" in med:
        print(f"first load:  ours / importDump.php = {ours['first'] / med['importdump']['first']:.0%} (target >= 80%)")
    if ours:
        print(f"nothing changed: {ours['unchanged_seconds']:.2f}s = "
              f"{ours['unchanged_seconds'] / ours['first_seconds']:.1%} of the first load (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
