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
  editloop      a bare sequential `action=edit` loop with requests (one request a page, no reads,
                no checks): the ceiling of any client that edits, first load and updates
Prints pages/s (median over --runs) and the ratios the issue sets targets for.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import fresh_wiki, median  # noqa: E402


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


def _bare_session(w) -> tuple:
    """A requests session logged in with the wiki's BotPassword, and its CSRF token."""
    import requests
    user, (app, password) = _bot_password(w.dir / "bot-password.py")
    s = requests.Session()
    tok = s.get(w.api, params={"action": "query", "meta": "tokens", "type": "login", "format": "json"}).json()
    r = s.post(w.api, data={"action": "login", "lgname": f"{user}@{app}", "lgpassword": password,
                            "lgtoken": tok["query"]["tokens"]["logintoken"], "format": "json"}).json()
    assert r["login"]["result"] == "Success", r
    csrf = s.get(w.api, params={"action": "query", "meta": "tokens", "format": "json"}).json()
    return s, csrf["query"]["tokens"]["csrftoken"]


def _bot_password(path: Path) -> tuple[str, tuple[str, str]]:
    m = re.match(r"\('([^']*)', BotPassword\('([^']*)', '([^']*)'\)\)", path.read_text().strip())
    assert m, f"unexpected password file {path}"
    return m[1], (m[2], m[3])


def _edit_all(w, folder: Path) -> float:
    from bots.core.titles import filename_to_title
    s, token = _bare_session(w)
    files = sorted(folder.iterdir())
    start = time.perf_counter()
    for f in files:
        r = s.post(w.api, data={"action": "edit", "title": filename_to_title(f.stem), "text": f.read_text("utf-8"),
                                "summary": "bench", "bot": 1, "token": token, "format": "json"}).json()
        assert r.get("edit", {}).get("result") == "Success", r
    return len(files) / (time.perf_counter() - start)


def run_editloop(src: dict, src2: dict, n: int) -> dict:
    with fresh_wiki() as w:
        return {"first": _edit_all(w, src["folder"]), "update": _edit_all(w, src2["folder"])}


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
            elif m == "editloop":
                results[m].append(run_editloop(src, src2, a.pages))
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
        if "editloop" in med:
            loop = med["editloop"]
            print(f"updates:     bare edit loop / pagefromfile = {loop['update'] / pff['update']:.2f}x, "
                  f"ours / bare edit loop = {ours['update'] / loop['update']:.2f}x")
    if ours and "importdump" in med:
        print(f"first load:  ours / importDump.php = {ours['first'] / med['importdump']['first']:.0%} (target >= 80%)")
    if ours:
        print(f"nothing changed: {ours['unchanged_seconds']:.2f}s = "
              f"{ours['unchanged_seconds'] / ours['first_seconds']:.1%} of the first load (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
