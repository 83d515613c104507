"""Benchmark: the timeline of a generated universe against the harvest of the same pages, side by side.

Usage: .venv/bin/python benchmarks/timeline.py [--pages 10000] [--rounds 3] [--no-live] [--keep DIR]

benchmarks/synth.py writes N event pages (3-5 KB each, an infobox date, a dated link to the page
before) as a folder of .wikitext files. Then, alternating in each round so that the machine's load
falls on both alike:
  folder: `harvest -source:FOLDER -out:FILE`  vs  `timeline -source:FOLDER -out:DIR`;
  live:   the same pages imported into a fresh local wiki (scripts/wiki-up.sh, `publish` from the XML
          export), then `harvest -out:FILE`  vs  `timeline -out:DIR` (every content page of the wiki,
          read 50 a request; the timeline written to files, so both only read the wiki), and once,
          not in the ratio, `timeline` saving its pages on the wiki through the Publisher.
Prints each round, the medians and the ratio timeline / harvest. Target (issue 16): at most 1.5x.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import fresh_wiki, median  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env=None) -> float:
    start = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=7200)
    took = time.perf_counter() - start
    if res.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {res.returncode}:\n{res.stderr[-3000:]}")
    return took


def side_by_side(label: str, harvest_cmd, timeline_cmd, rounds: int, pages: int, env=None) -> tuple[float, float]:
    hs, ts = [], []
    for r in range(rounds):
        hs.append(timed(harvest_cmd(r), env))
        ts.append(timed(timeline_cmd(r), env))
        print(f"  {label} round {r + 1}: harvest {hs[-1]:.1f}s, timeline {ts[-1]:.1f}s", flush=True)
    h, t = median(hs), median(ts)
    print(f"{label}: harvest {h:.1f}s ({pages / h:.0f} pages/s), timeline {t:.1f}s ({pages / t:.0f} pages/s), "
          f"timeline / harvest = {t / h:.2f}x (target <= 1.5)", flush=True)
    return h, t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-live", action="store_true", help="only the folder")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    a = ap.parse_args()
    work = a.keep or Path(tempfile.mkdtemp(prefix="gmw-bench-timeline-"))
    py = sys.executable
    try:
        t0 = time.perf_counter()
        paths = write_all(a.pages, work / "synth")
        print(f"{a.pages} pages generated in {time.perf_counter() - t0:.0f}s; {a.rounds} rounds", flush=True)
        folder = str(paths["folder"])
        side_by_side("folder", lambda r: [py, "-m", "bots.harvest", f"-source:{folder}", f"-out:{work}/h{r}.json"],
                     lambda r: [py, "-m", "bots.timeline", f"-source:{folder}", f"-out:{work}/t{r}"],
                     a.rounds, a.pages)
        parts = sorted((work / "t0").iterdir())
        print(f"  the timeline: {len(parts)} pages, {sum(p.stat().st_size for p in parts) / 1e6:.1f} MB", flush=True)
        if a.no_live:
            return 0
        with fresh_wiki() as wiki:
            t0 = time.perf_counter()
            wiki.bot("publish", f"-source:{paths['xml']}", "-force")
            print(f"  {a.pages} pages published on a fresh wiki in {time.perf_counter() - t0:.0f}s", flush=True)
            side_by_side("live", lambda r: [py, "-m", "bots.harvest", f"-out:{work}/lh{r}.json"],
                         lambda r: [py, "-m", "bots.timeline", f"-out:{work}/lt{r}"], a.rounds, a.pages,
                         env=wiki.env)
            took = timed([py, "-m", "bots.timeline"], env=wiki.env)
            print(f"  live, saving the timeline on the wiki (first build; not in the ratio): {took:.1f}s", flush=True)
        return 0
    finally:
        if a.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
