"""Benchmark: one vandalised page cannot stall the check (issue 12, the page budget).

Usage: .venv/bin/python benchmarks/budget.py [--pages 1000] [--rounds 3] [--processes N]

`check -source:FOLDER -format:json` (the command cron runs, startup included) over N ordinary pages
of the synthetic universe (benchmarks/synth.py), side by side with the same folder plus one page:
  - 64 KB of "{{a|" (mwparserfromhell issue #364; minutes of tokenizing without the budget),
  - 2 MB of "{{a|" (the wiki's page size limit; hours without it),
  - 64 KB of closed table rows with "<" in cells (quadratic too, but not a shape the pre-scan
    prices: the page budget itself has to stop it).
Target: each costs at most the ordinary pages alone + the page budget + 1 s (medians of the wall
time), and the ordinary pages' findings are identical. Prints seconds, CPU and the findings check.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import ROOT, median  # noqa: E402

sys.path.insert(0, str(ROOT))
from bots.core.budget import DEFAULT  # noqa: E402

EXTRA = {
    "+ 64 KB of {{a|": ("Vandalised", "{{a|" * 16384),
    "+ 2 MB of {{a|": ("Vandalised", "{{a|" * (2 * 1024 * 1024 // 4)),
    "+ 64 KB slow table (budget hit)": ("Slow table", "|-\n| <2 Kb\n| 0,5\n" * 4096),
}


def run_check(folder: Path, processes: int | None) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds of the check and its workers, the JSON document)."""
    cmd = [sys.executable, "-m", "bots.check", f"-source:{folder}", "-format:json"]
    if processes:
        cmd.append(f"-processes:{processes}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, env={**os.environ, "PYWIKIBOT_DIR": str(ROOT)}, capture_output=True,
                         text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    try:
        doc = json.loads(res.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"check exited {res.returncode} without JSON:\n{res.stderr[-3000:]}")
    return wall, cpu, doc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--processes", type=int, default=None, help="check's -processes (default: its own)")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gmw-bench-budget-"))
    try:
        base = write_all(a.pages, work / "base", errors_every=100)["folder"]
        folders = {"ordinary pages alone": base}
        for label, (title, text) in EXTRA.items():
            folder = work / f"v{len(folders)}"
            shutil.copytree(base, folder)
            (folder / f"{title.replace(' ', '_')}.wikitext").write_text(text, encoding="utf-8")
            folders[label] = folder
        walls = {k: [] for k in folders}
        cpus = {k: [] for k in folders}
        docs = {}
        for r in range(a.rounds):
            for label, folder in folders.items():
                wall, cpu, doc = run_check(folder, a.processes)
                walls[label].append(wall)
                cpus[label].append(cpu)
                docs[label] = doc
            print(f"round {r + 1}: " + ", ".join(f"{k}: {walls[k][-1]:.1f}s" for k in folders), flush=True)
        alone = median(walls["ordinary pages alone"])
        bound = alone + DEFAULT.cpu_seconds + 1
        ordinary = docs["ordinary pages alone"]["findings"]
        print(f"\n== check -source:FOLDER, {a.pages} ordinary pages (medians of {a.rounds}; page budget "
              f"{DEFAULT.describe()})")
        print(f"{'':34} {'wall':>7} {'CPU':>7} {'vs alone':>9} {'bound':>7}  {'within':>6}  ordinary findings  "
              "the added page")
        for label in folders:
            doc = docs[label]
            added = [f for f in doc["findings"] if f not in ordinary]
            same = [f for f in doc["findings"] if f in ordinary] == ordinary and \
                len(doc["findings"]) == len(ordinary) + len(added)
            wall = median(walls[label])
            within = "-" if label == "ordinary pages alone" else ("yes" if wall <= bound else "NO")
            note = "; ".join(f"{f['rule']}: {f['message'][:60]}" for f in added) or "-"
            print(f"{label:34} {wall:6.1f}s {median(cpus[label]):6.1f}s {wall - alone:+8.1f}s {bound:6.1f}s  "
                  f"{within:>6}  {'identical' if same else 'DIFFERENT':>17}  {note}")
        print(f"\nbound = ordinary pages alone ({alone:.1f}s) + the page budget ({DEFAULT.cpu_seconds:g}s) + 1s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
