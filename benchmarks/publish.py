"""Benchmark: bulk publishing, ours against pywikibot's pagefromfile.py and importDump.php.

Usage: .venv/bin/python benchmarks/publish.py [--pages 1000] [--runs 1] [--methods ours,pagefromfile,importdump]
                                              [--db sqlite|mariadb] [--latency MS]
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
  importloop    a bare sequential `action=import` loop, 10 pages a request (no reads, no checks): the
                ceiling of a first load under the stop-page rule (read before every 10th edit)
--db mariadb runs every wiki on MariaDB (GMW_WIKI_DB=mariadb scripts/wiki-up.sh) instead of SQLite.
--latency MS puts every method's requests through a loopback proxy (latency_proxy.py) that adds MS
milliseconds each way to every request (and a round trip to every new connection): a remote wiki. There,
ours runs with -workers:1, as on a wiki we don't run; importdump runs on the server and is not delayed.
Prints pages/s (median over --runs), requests per page (counted in the wiki's server log, so every method
alike) and the ratios the issue sets targets for.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_all  # noqa: E402
from wikis import fresh_wiki, median  # noqa: E402


@dataclass(frozen=True)
class Setup:
    """What every method's wiki is like in this run."""
    db: str = "sqlite"
    latency_ms: float | None = None

    def wiki(self):
        return fresh_wiki(db=self.db, latency_ms=self.latency_ms)

    @property
    def ours_args(self) -> tuple[str, ...]:
        return ("-workers:1",) if self.latency_ms is not None else ()


def _client_cpu() -> float:
    """CPU seconds of this process (a bare loop, the proxy's thread) and of the commands it ran."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _phase(w, n: int, run, folder: Path | None = None) -> tuple[float, float, float, float]:
    """Time one phase (run() returns its seconds): (pages/s, requests per page, server and client CPU
    milliseconds a page). With `folder`, the wiki must then hold the folder's text on a sample of its
    pages: a method that saved nothing (pwb exits 0 when a script is not installed) gives no figure."""
    served, relayed = w.requests_served(), w.proxy.requests if w.proxy else 0
    server, client = w.server_cpu(), _client_cpu()
    seconds = run()
    server, client = (w.server_cpu() - server) * 1000 / n, (_client_cpu() - client) * 1000 / n
    served = w.requests_served() - served
    if w.proxy and w.proxy.requests - relayed != served:
        print(f"  note: the proxy relayed {w.proxy.requests - relayed} requests, the wiki logged {served}")
    if folder is not None:
        _assert_saved(w, folder)
    return n / seconds, served / n, server, client


def _assert_saved(w, folder: Path, sample: int = 5) -> None:
    """The first, last and a few pages between hold the folder's text (read directly, not counted)."""
    import requests
    from bots.core.wikitext.titles import filename_to_title
    files = sorted(folder.iterdir())
    picked = [files[i * (len(files) - 1) // max(1, sample - 1)] for i in range(min(sample, len(files)))]
    want = {filename_to_title(f.stem): f.read_text("utf-8").rstrip() for f in picked}
    r = requests.get(f"http://127.0.0.1:{w.port}/api.php", timeout=60, params={
        "action": "query", "prop": "revisions", "rvprop": "content", "rvslots": "main", "format": "json",
        "formatversion": 2, "titles": "|".join(want)}).json()
    have = {p["title"]: p["revisions"][0]["slots"]["main"]["content"].rstrip()
            for p in r["query"]["pages"] if "revisions" in p}
    wrong = [t for t, text in want.items() if have.get(t) != text]
    if wrong:
        raise RuntimeError(f"after the phase the wiki does not hold the published text of {len(wrong)} of "
                           f"{len(want)} sampled pages (e.g. {wrong[0]!r}): the method did not publish")


def run_ours(setup: Setup, src: dict, src2: dict, n: int, mode: str = "auto", extra: tuple[str, ...] = ()) -> dict:
    with setup.wiki() as w:
        args = ["-format:json", *setup.ours_args, *extra] + ([f"-mode:{mode}"] if mode != "auto" else [])

        def publish(folder: Path, count: str):
            def run() -> float:
                t, r = w.bot("publish", f"-source:{folder}", *args)
                # n pages, and on a first load the category pages they use (created once, not measured apart)
                counts = json.loads(r.stdout)["counts"]
                assert n <= counts[count] <= n + 5 and counts["failed"] == 0, r.stdout[-500:]
                return t
            return run

        out = dict(zip(("first", "first req/page"), _phase(w, n, publish(src["folder"], "created"), src["folder"])))
        if mode == "auto" and not extra:
            out.update(zip(("update", "update req/page", "update server ms/page", "update client ms/page"),
                           _phase(w, n, publish(src2["folder"], "updated"), src2["folder"])))
            rate, rpp, *_ = _phase(w, n, publish(src2["folder"], "unchanged"))
            out.update({"unchanged_seconds": n / rate, "unchanged req/page": rpp, "first_seconds": n / out["first"]})
        return out


def run_pagefromfile(setup: Setup, src: dict, src2: dict, n: int) -> dict:
    with setup.wiki() as w:
        pwb = [str(Path(sys.executable).parent / "pwb"), "pagefromfile", "-notitle", "-always", "-pt:0",
               "-summary:bench"]
        first = _phase(w, n, lambda: w.run(*pwb, f"-file:{src['pagefile']}")[0], src["folder"])
        update = _phase(w, n, lambda: w.run(*pwb, f"-file:{src2['pagefile']}", "-force")[0], src2["folder"])
        return {"first": first[0], "first req/page": first[1], "update": update[0], "update req/page": update[1],
                "update server ms/page": update[2], "update client ms/page": update[3]}


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
    """Seconds to save every file of the folder with one bare `action=edit` each."""
    from bots.core.wikitext.titles import filename_to_title
    s, token = _bare_session(w)
    files = sorted(folder.iterdir())
    start = time.perf_counter()
    for f in files:
        r = s.post(w.api, data={"action": "edit", "title": filename_to_title(f.stem), "text": f.read_text("utf-8"),
                                "summary": "bench", "bot": 1, "token": token, "format": "json"}).json()
        assert r.get("edit", {}).get("result") == "Success", r
    return time.perf_counter() - start


def _import_all(w, folder: Path, batch: int = 10) -> float:
    """Seconds to create every file of the folder with bare `action=import` requests of `batch` pages
    (no reads, no checks): the ceiling of a client that imports under the stop-page rule (read
    before every 10th edit, an import counting as its pages, so at most 10 pages a request)."""
    from bots.core.sources.xmlexport import ExportPage, export_bytes
    from bots.core.wikitext.titles import filename_to_title
    s, token = _bare_session(w)
    files = sorted(folder.iterdir())
    start = time.perf_counter()
    for i in range(0, len(files), batch):
        xml = export_bytes([ExportPage(filename_to_title(f.stem), f.read_text("utf-8").rstrip(), 0,
                                       timestamp="2026-01-01T00:00:00Z", comment="bench", username="MultiverseBot")
                            for f in files[i:i + batch]])
        r = s.post(w.api, data={"action": "import", "interwikiprefix": "bench", "summary": "bench",
                                "assignknownusers": 1, "token": token, "format": "json"},
                   files={"xml": ("pages.xml", xml, "text/xml")}).json()
        assert len(r.get("import", [])) == len(files[i:i + batch]), r
    return time.perf_counter() - start


def run_importloop(setup: Setup, src: dict, src2: dict, n: int) -> dict:
    with setup.wiki() as w:
        first = _phase(w, n, lambda: _import_all(w, src["folder"]), src["folder"])
        return {"first": first[0], "first req/page": first[1]}


def run_editloop(setup: Setup, src: dict, src2: dict, n: int) -> dict:
    with setup.wiki() as w:
        first = _phase(w, n, lambda: _edit_all(w, src["folder"]), src["folder"])
        update = _phase(w, n, lambda: _edit_all(w, src2["folder"]), src2["folder"])
        return {"first": first[0], "first req/page": first[1], "update": update[0], "update req/page": update[1]}


def run_importdump(setup: Setup, src: dict, n: int) -> dict:
    with setup.wiki() as w:
        env_cmd = ["env", f"MW_CONFIG_FILE={w.dir / 'LocalSettings.php'}", "php",
                   "/usr/share/mediawiki/maintenance/importDump.php", str(src["xml"])]
        t1, _ = w.run(*env_cmd)
        return {"first": n / t1}


METHODS = ("ours", "ours-b25", "ours-edit", "pagefromfile", "importdump", "editloop", "importloop")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--methods", default="ours,pagefromfile,importdump")
    ap.add_argument("--db", choices=("sqlite", "mariadb"), default="sqlite")
    ap.add_argument("--latency", type=float, metavar="MS", help="milliseconds added each way to every request")
    a = ap.parse_args()
    unknown = [m for m in a.methods.split(",") if m not in METHODS]
    if unknown:
        ap.error(f"unknown method(s) {', '.join(unknown)}; known: {', '.join(METHODS)}")
    setup = Setup(a.db, a.latency)
    work = Path(tempfile.mkdtemp(prefix="gmw-bench-pages-"))
    try:
        return _bench(a, setup, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _bench(a: argparse.Namespace, setup: Setup, work: Path) -> int:
    src = write_all(a.pages, work / "v1", version=1)
    src2 = write_all(a.pages, work / "v2", version=2)
    sizes = [p.stat().st_size for p in src["folder"].iterdir()]
    print(f"{a.pages} pages, {min(sizes)}-{max(sizes)} bytes (median {median(sizes):.0f}); {a.runs} run(s) each; "
          f"{a.db}; " + (f"{a.latency:g} ms each way through the proxy, ours with -workers:1"
                         if a.latency is not None else "no added latency, ours with its default workers"))
    runners = {
        "ours": lambda: run_ours(setup, src, src2, a.pages),
        "ours-b25": lambda: run_ours(setup, src, src2, a.pages, extra=("-batch:25",)),
        "ours-edit": lambda: run_ours(setup, src, src2, a.pages, mode="edit"),
        "pagefromfile": lambda: run_pagefromfile(setup, src, src2, a.pages),
        "importdump": lambda: run_importdump(setup, src, a.pages),
        "editloop": lambda: run_editloop(setup, src, src2, a.pages),
        "importloop": lambda: run_importloop(setup, src, src2, a.pages),
    }
    methods = a.methods.split(",")
    results: dict[str, list[dict]] = {m: [] for m in methods}
    for run in range(a.runs):         # methods interleaved, so machine noise hits them alike
        for m in methods:
            results[m].append(runners[m]())
            print(f"  run {run + 1}: {m}: " + ", ".join(f"{k} {v:.2f}" for k, v in results[m][-1].items()),
                  flush=True)
    med = {m: {k: median([r[k] for r in rs]) for k in rs[0]} for m, rs in results.items() if rs}
    print("\nmedians (pages/s; *_seconds in seconds):")
    for m, vals in med.items():
        print(f"  {m:13s} " + ", ".join(f"{k} {v:.2f}" for k, v in vals.items()))
    print("\nrequests per page (medians; importdump sends none):")
    for m, vals in med.items():
        rpp = {k.split()[0]: v for k, v in vals.items() if k.endswith("req/page")}
        print(f"  {m:13s} " + (", ".join(f"{k} {v:.2f}" for k, v in rpp.items()) or "-"))
    remote = a.latency is not None
    ours = med.get("ours")
    if ours and "pagefromfile" in med:
        pff = med["pagefromfile"]
        print(f"first load:  ours / pagefromfile = {ours['first'] / pff['first']:.2f}x (target >= {8 if remote else 3})")
        print(f"updates:     ours / pagefromfile = {ours['update'] / pff['update']:.2f}x "
              f"(target >= {2.5 if remote else 2})")
        if not remote:      # with the proxy, its thread's CPU would count as the client's
            cores = os.cpu_count() or 1
            cpu = ours["update server ms/page"] + ours["update client ms/page"]
            print(f"updates:     CPU a page: ours {ours['update server ms/page']:.1f} ms of the wiki's server "
                  f"(PHP, its database) + {ours['update client ms/page']:.1f} ms of its own, pagefromfile "
                  f"{pff['update server ms/page']:.1f} + {pff['update client ms/page']:.1f} ms; on {cores} cores "
                  f"ours can reach at most {cores * 1000 / cpu:.1f} pages/s = "
                  f"{cores * 1000 / cpu / pff['update']:.2f}x pagefromfile (the bound)")
    if ours and "editloop" in med:
        loop = med["editloop"]
        if "pagefromfile" in med:
            print(f"updates:     bare edit loop / pagefromfile = {loop['update'] / med['pagefromfile']['update']:.2f}x")
        print(f"updates:     ours / bare edit loop = {ours['update'] / loop['update']:.0%}"
              + (" (target >= 95%)" if remote else ""))
    if ours and "importloop" in med:
        loop = med["importloop"]
        print(f"first load:  ours / bare import loop = {ours['first'] / loop['first']:.0%}")
        if "pagefromfile" in med:
            print(f"first load:  bare import loop / pagefromfile = {loop['first'] / med['pagefromfile']['first']:.2f}x "
                  "(the most any client can reach under the stop-page rule: 10 pages a request, in series)")
    if ours and "importdump" in med:
        print(f"first load:  ours / importDump.php = {ours['first'] / med['importdump']['first']:.0%} (target >= 80%)")
    if ours:
        print(f"nothing changed: {ours['unchanged_seconds']:.2f}s = "
              f"{ours['unchanged_seconds'] / ours['first_seconds']:.1%} of the first load (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
