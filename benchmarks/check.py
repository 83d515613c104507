"""Benchmark: the consistency check on a generated universe, offline and on the local wiki, and the
incremental check (-since:last-run) after a few edits.

Usage: .venv/bin/python benchmarks/check.py [--pages 10000] [--changed 10] [--rounds 1] [--baseline DIR]

1. Offline, `check -source:FOLDER` over N/10 and N pages: pages/s, peak memory (max RSS of the check
   process), and how the cost grows with 10x the pages.
2. On a fresh local wiki loaded with the N pages (importDump.php), side by side: merely fetching the
   pages' text in batches of 50, three ways:
     - pywikibot's PreloadingGenerator over allpages (the standard pywikibot way to read pages),
     - pywikibot's PropertyGenerator with the lean query the check itself uses (bots/site/read.py),
     - a bare requests loop over generator=allpages&prop=revisions&gaplimit=50;
   then the full live check of all content pages. Target (issue 18): the full check at most 1.5x the
   check's own lean fetch. The fetches are timed from their first request (interpreter start, imports
   and login not counted); the check is timed as a whole command, startup included. The CPU time of
   the check (its budget workers included) and of the wiki's server give the bound the cores allow.
3. `--changed` pages edited through the API, then `check -since:last-run` against a full check of the
   wiki as it is now, `--rounds` times each, alternated, every incremental from the same saved state:
   the ratio of the medians (target, issues 6 and 18: under 5%) and the findings of the changed pages
   (must be the same as the full check's).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import ROOT, fresh_wiki, median  # noqa: E402

FETCH = """
import os, sys, time
os.environ.setdefault("PYWIKIBOT_DIR", sys.argv[1])
import pywikibot
from pywikibot import pagegenerators
site = pywikibot.Site()
t = time.perf_counter()
n = sum(1 for p in pagegenerators.PreloadingGenerator(site.allpages(namespace=0), groupsize=50, quiet=True))
print(n, time.perf_counter() - t)
"""
LEAN_FETCH = """
import os, sys, time
os.environ.setdefault("PYWIKIBOT_DIR", sys.argv[1])
sys.path.insert(0, sys.argv[1])
import pywikibot
from bots.site.read import iter_wiki_pages
site = pywikibot.Site()
site.login()
t = time.perf_counter()
n = sum(1 for p in iter_wiki_pages(site, []))
print(n, time.perf_counter() - t)
"""


LAST_CPU: list[float] = [0.0]      # CPU seconds (user + system) of the last timed command and its workers


def timed(cmd: list[str], env: dict, cwd: Path = ROOT) -> tuple[float, float | None, subprocess.CompletedProcess]:
    """(seconds, peak RSS in MB of the command's main process, result). The peak comes from GNU time
    (the `time` package): a child forked from this big process would inherit its high-water mark.
    The CPU time of the command (its budget workers included) is left in LAST_CPU."""
    gnu_time = Path("/usr/bin/time")
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        wrapped = [str(gnu_time), "-f", "%M %U %S", "-o", rss_file.name, *cmd] if gnu_time.exists() else cmd
        start = time.perf_counter()
        res = subprocess.run(wrapped, cwd=cwd, env=env, capture_output=True, text=True)
        took = time.perf_counter() - start
        text = Path(rss_file.name).read_text().strip().splitlines()
    fields = text[-1].split() if text else []
    rss = int(fields[0]) / 1024 if fields and fields[0].isdigit() else None
    LAST_CPU[0] = float(fields[1]) + float(fields[2]) if len(fields) == 3 else float("nan")
    return took, rss, subprocess.CompletedProcess(cmd, res.returncode, res.stdout, res.stderr)


def as_json(res: subprocess.CompletedProcess) -> dict:
    try:
        return json.loads(res.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"{' '.join(res.args)} exited {res.returncode} without JSON:\n{res.stderr[-4000:]}")


def raw_fetch(api: str) -> tuple[int, float]:
    t = time.perf_counter()
    s = requests.Session()
    params = {"action": "query", "generator": "allpages", "gapnamespace": 0, "gaplimit": 50, "prop": "revisions",
              "rvprop": "content", "rvslots": "main", "format": "json", "formatversion": 2}
    n = 0
    while True:
        data = s.get(api, params=params, timeout=120).json()
        n += len(data.get("query", {}).get("pages", []))
        if "continue" not in data:
            break
        params.update(data["continue"])
    return n, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=10000)
    ap.add_argument("--changed", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--baseline", type=Path, help="a checkout of other code (say, main: `git archive main | tar -x "
                    "-C DIR`) whose -since:last-run is measured side by side on the same wiki and edits")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gmw-bench-check-"))
    try:
        return measure(a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)      # the generated pages: 1 GB at 50,000


def measure(a: argparse.Namespace, work: Path) -> int:
    n, small = a.pages, a.pages // 10
    src_small = write_all(small, work / "small", errors_every=500)
    src = write_all(n, work / "full", errors_every=500)
    py = sys.executable
    env = {**os.environ, "PYWIKIBOT_DIR": str(ROOT)}

    print(f"== offline: check -source:FOLDER ({small} and {n} pages)")
    offline = {}
    for size, s in ((small, src_small), (n, src)):
        t, rss, res = timed([py, "-m", "bots.check", f"-source:{s['folder']}", "-format:json"], env)
        doc = as_json(res)
        assert doc["pages"] == size, res.stderr[-2000:]
        offline[size] = t
        peak = f"{rss:.0f} MB" if rss else "n/a (no /usr/bin/time)"
        print(f"  {size:6d} pages: {t:.1f}s, {size / t:.0f} pages/s, peak RSS {peak}, "
              f"{len(doc['findings'])} findings")
    print(f"  10x the pages: {offline[n] / offline[small]:.1f}x the time")

    print(f"== live: a fresh local wiki with {n} pages")
    with fresh_wiki() as w:
        mw = ["env", f"MW_CONFIG_FILE={w.dir / 'LocalSettings.php'}", "php"]
        t0 = time.perf_counter()
        w.run(*mw, "/usr/share/mediawiki/maintenance/importDump.php", "--no-updates", str(src["xml"]))
        w.run(*mw, "/usr/share/mediawiki/maintenance/initSiteStats.php", "--update")
        print(f"  loaded with importDump.php in {time.perf_counter() - t0:.0f}s")
        fetch_py, fetch_lean, fetch_raw, full = [], [], [], []
        lean_server, check_cpu, check_server = [], [], []
        for r in range(a.rounds):
            for script, into in ((FETCH, fetch_py), (LEAN_FETCH, fetch_lean)):
                cpu0 = w.server_cpu()
                res = subprocess.run([py, "-c", script, str(ROOT)], env=w.env, capture_output=True, text=True,
                                     check=True)
                got, secs = res.stdout.split()[-2:]
                assert int(got) == n + 1, (got, n)      # and the Main Page
                into.append(float(secs))
            lean_server.append(w.server_cpu() - cpu0)
            got, secs = raw_fetch(w.api)
            assert got == n + 1
            fetch_raw.append(secs)
            cpu0 = w.server_cpu()
            t, _rss, res = timed([py, "-m", "bots.check", "-format:json"], w.env)
            check_server.append(w.server_cpu() - cpu0)
            check_cpu.append(LAST_CPU[0])
            doc = as_json(res)
            assert doc["pages"] == n + 1, res.stderr[-2000:]
            full.append(t)
            print(f"  round {r + 1}: fetch 50/request: PreloadingGenerator {fetch_py[-1]:.1f}s, lean query "
                  f"{fetch_lean[-1]:.1f}s, bare requests {fetch_raw[-1]:.1f}s; full check {full[-1]:.1f}s",
                  flush=True)
        fp, fl, fr, fc = median(fetch_py), median(fetch_lean), median(fetch_raw), median(full)
        print(f"  medians: fetch {fp:.1f}s / {fl:.1f}s / {fr:.1f}s, full check {fc:.1f}s")
        print(f"  full check / fetch via pywikibot's PreloadingGenerator = {fc / fp:.2f}x")
        print(f"  full check / fetch via the check's own lean query = {fc / fl:.2f}x (target <= 1.5)")
        if a.rounds > 1:    # the two of one round ran in the same minute: the pairs show the machine's drift
            pairs = [c / f for c, f in zip(full, fetch_lean)]
            print(f"    round by round: {', '.join(f'{r:.2f}' for r in pairs)}x (median {median(pairs):.2f}x)")
        print(f"  full check / fetch via bare requests = {fc / fr:.2f}x")
        # The physical bound: the CPU the check needs (its process and budget workers) and the CPU
        # the wiki's server spends answering it, on the cores this machine has.
        cores = os.cpu_count() or 1
        cc, cs = median(check_cpu), median(check_server)
        bound = max(cc / min(cores, 2), (cc + cs) / cores, median(lean_server) / min(cores, 4))
        print(f"  CPU: the check {cc:.1f}s ({cc / (n + 1) * 1000:.2f} ms a page), the wiki's server {cs:.1f}s while "
              f"it ran, {median(lean_server):.1f}s for the lean fetch; on {cores} idle cores the full check takes at "
              f"least {bound:.1f}s = {bound / fl:.2f}x the lean fetch (the bound; the rest is waiting and other load)")

        if a.baseline:      # the baseline's own full run, so that it has a state to start from
            base_env = {**w.env, "PYWIKIBOT_DIR": str(a.baseline), "GMW_STATE_DIR": str(w.dir / "state-baseline")}
            t, _rss, res = timed([py, "-m", "bots.check", "-format:json"], base_env, a.baseline)
            assert as_json(res)["pages"] == n + 1, res.stderr[-2000:]
            print(f"  baseline {a.baseline}: full check {t:.1f}s")
        print(f"== incremental: {a.changed} pages changed since the last run")
        site_titles = [f"Event {i:05d} (Earth-BENCH)" for i in range(0, n, max(1, n // a.changed))][: a.changed]
        mw_edit = ["env", f"MW_CONFIG_FILE={w.dir / 'LocalSettings.php'}", "php",
                   "/usr/share/mediawiki/maintenance/edit.php", "--user", "Admin", "--summary", "a person's edit"]
        for i, title in enumerate(site_titles):
            body = requests.get(w.api, params={"action": "query", "prop": "revisions", "rvprop": "content",
                                               "rvslots": "main", "titles": title, "format": "json",
                                               "formatversion": 2}, timeout=60).json()
            body = body["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]
            if i % 2 == 0:      # half of them get a calendar error
                body += "\nIt was dated to 1 May 1350 (O.S.; 20 May N.S.).\n"
            else:
                body += "\nA sentence added by a person.\n"
            subprocess.run([*mw_edit, title], input=body, text=True, env=w.env, check=True, capture_output=True)
        # Each round starts the incremental from the same saved state (it moves the state on), alternating
        # with a full check of the wiki as it is now: the ratio is of medians, as the rest.
        state, saved = Path(w.env["GMW_STATE_DIR"]), w.dir / "state-saved"
        shutil.copytree(state, saved)
        if a.baseline:
            base_state, saved_base = Path(base_env["GMW_STATE_DIR"]), w.dir / "state-baseline-saved"
            shutil.copytree(base_state, saved_base)
        other = {**w.env, "GMW_STATE_DIR": str(w.dir / "state-full")}
        incs, fulls, bases = [], [], []
        for _ in range(a.rounds):
            shutil.rmtree(state)
            shutil.copytree(saved, state)
            incs.append(timed([py, "-m", "bots.check", "-since:last-run", "-format:json"], w.env))
            if a.baseline:
                shutil.rmtree(base_state)
                shutil.copytree(saved_base, base_state)
                bases.append(timed([py, "-m", "bots.check", "-since:last-run", "-format:json"], base_env, a.baseline))
            fulls.append(timed([py, "-m", "bots.check", "-format:json"], other))
        t_inc, t_full = median([t for t, _r, _res in incs]), median([t for t, _r, _res in fulls])
        inc, full_now = incs[-1][2], fulls[-1][2]
        if a.baseline:
            t_base, base = median([t for t, _r, _res in bases]), bases[-1][2]
        inc_doc, full_doc = as_json(inc), as_json(full_now)
        if len(incs) > 1:
            print(f"  rounds: incremental {', '.join(f'{t:.2f}' for t, _r, _res in incs)} s; full "
                  f"{', '.join(f'{t:.1f}' for t, _r, _res in fulls)} s")
        changed = set(site_titles)
        same = ([f for f in inc_doc["findings"] if f["page"] in changed]
                == [f for f in full_doc["findings"] if f["page"] in changed])
        print(f"  incremental {t_inc:.2f}s, full {t_full:.1f}s: {t_inc / t_full:.1%} of the full check (target < 5%)")
        print(f"  findings on the changed pages: {'the same' if same else 'DIFFERENT'} "
              f"({sum(f['page'] in changed for f in inc_doc['findings'])} findings); whole result "
              f"{'identical' if inc_doc['findings'] == full_doc['findings'] else 'differs'}")
        print("  " + inc.stderr.strip().splitlines()[-1] if inc.stderr.strip() else "")
        if a.baseline:
            base_doc = as_json(base)
            print(f"  baseline {a.baseline}: incremental {t_base:.2f}s = {t_base / t_full:.1%} of the full check; "
                  f"this code's {t_inc:.2f}s = {t_inc / t_base:.0%} of the baseline's; whole result "
                  f"{'identical' if base_doc['findings'] == full_doc['findings'] else 'differs'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
