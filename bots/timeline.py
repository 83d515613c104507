"""Maintain each universe's timeline page ("Timeline of Earth-1389") from the dated facts of its pages.

Usage: python -m bots.timeline [page generator options] [options]      (pages from the live wiki)
       python -m bots.timeline -source:PATH [options]                  (pages from files)

Options:
{options}
  page generators     {generators}

The pages are harvested (what `harvest` gives: every dated fact with its calendar, from the infobox
and the prose), grouped by universe, and each universe's timeline is rebuilt: entries in New Style
(Gregorian) order, Old Style dates shown in brackets the way the wiki writes them ("2 November
[O.S. 25 October] 1389"), year-only facts under their year, ranges as spans, each linking its page
and section and quoting its phrase; headings by century, decade or year by density; a page over the
size limit is split by period into subpages with navigation. Invalid dates and dates that fail the
calendar check are left out and counted. Two pages giving one event different dates: both shown,
marked, with a link to the consistency report. Points of divergence: the events shared with Earth-Prime
(title "X (Earth-1389)" for "X", or the infobox field counterpart = X) whose dates differ, earliest
first; the first is the universe's point of divergence. On the live wiki, counterparts missing from
the selection are read too.
The chart: the entries on a time axis, the points of divergence in red, an SVG file uploaded as
File:Timeline of Earth-1389.svg (through the save path's guards: stop page, {{nobots}} on the file
page, the write guard; a version a person uploaded is not replaced unless -force) and shown on the
page; with -out:DIR written there instead.
The timeline is one generator-owned region: an introduction or commentary an editor writes around it
is kept by every rebuild (the one save path: stop page, {{nobots}}, edit conflicts, ledger, merge).
The drop guard: a run with half or more of the pages a timeline was last built from missing, or that
would drop more than -maxdrop percent of its entries, does not save it: the reason on stderr, exit 2
(the other universes are saved), unless -force.
-format:json prints {"universes": [{"universe", "title", "pages", "entries", "left_out",
"conflicts", "divergences", "point_of_divergence", "parts", "chart", "saved", "refused"}], "errors": [...],
"publish": {...}} (with -simulate the diffs in "publish").
pywikibot's global options apply on the live wiki (-user:, -log ...).
{exit}
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bots.cli import (ALWAYS, ENGINE, FORMAT, GENERATOR_HELP, PROCESSES, ExitCode, Options, Spec, UsageError, choice,
                      command, flag, number, pass_to_pywikibot, path, refuse_dask_without_source, simulate, summary,
                      text, run_as_command)
from bots.core.check.config import load_config
from bots.core.check.report import report_title
from bots.core.check.parallel import default_processes
from bots.core.sources import SourceUnavailable
from bots.core.timeline.chart import chart_name, chart_svg
from bots.core.timeline.divergence import PRIME, counterpart_of
from bots.core.timeline.guard import DEFAULT_MAX_DROP, refusal
from bots.core.timeline.render import DEFAULT_PATTERN, build_timeline, render_pages, stats_of, timeline_title
from bots.core.wikitext.schema import load_schemas
from bots.core.wikitext.titles import InvalidTitle, title_to_filename
from bots.harvest import SOURCE_HELP, harvest, harvest_source

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SUMMARY = "Rebuild the timeline"
DEFAULT_REPORT = "Project:Consistency report/{universe}"
OFFLINE_LIMIT = 2_000_000
SPEC = Spec((
    path("source", SOURCE_HELP + " (default: the live wiki's pages the page\ngenerator options select)"),
    path("out", "write the timeline pages into this folder as .wikitext files instead of saving\n"
         "them on the wiki (the guard compares with the files there)", metavar="DIR"),
    text("universe", "only this universe's timeline (default: every universe of the pages read)", metavar="NAME"),
    text("title", f"the timeline page's title, {{universe}} for the universe (default: {DEFAULT_PATTERN!r})",
         DEFAULT_PATTERN, metavar="PATTERN"),
    text("report", f"the consistency report the conflicts link to (default: {DEFAULT_REPORT!r})",
         DEFAULT_REPORT, metavar="PATTERN"),
    text("prime", f"the universe the points of divergence are measured from (default: {PRIME})", PRIME,
         metavar="NAME"),
    number("maxdrop", f"the drop guard: refuse a run that drops more than this percentage of a\n"
           f"timeline's entries (default: {DEFAULT_MAX_DROP:.0%}; half the pages missing is refused always)",
           metavar="PERCENT"),
    number("limit", "split a timeline into parts over this many bytes (default: the wiki's maximum\n"
           f"page size less a tenth, kept for the editors; offline {OFFLINE_LIMIT:,})", metavar="BYTES"),
    choice("since", ("last-run",), "(live) rebuild only the timelines of universes with a page edited, created,\n"
           "moved or deleted since this command's last successful run (every one on the first run);\n"
           "a change to an Earth-Prime page rebuilds the universes it is a counterpart in"),
    flag("force", "save even where the drop guard refuses"),
    path("checkconfig", "the check configuration whose page_budget applies (default: check-config.yaml)",
         metavar="FILE"),
    summary(DEFAULT_SUMMARY),
    ALWAYS,
    ENGINE,
    PROCESSES,
    simulate("the diffs only (in -format:json under \"publish\"); nothing saved"),
    FORMAT,
), generators=True)


def _records_by_universe(records: list[dict], pattern: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in records:
        if rec.get("universe"):
            out.setdefault(rec["universe"], []).append(rec)
    # A timeline page is never a fact of its own universe (it names none, but a person may add one).
    own = set()
    for universe in out:
        try:
            own.add(timeline_title(pattern, universe))
        except InvalidTitle:
            pass
    return {u: [r for r in recs if r["title"].split("/")[0] not in own] for u, recs in out.items()}


def _pattern(opts: Options, name: str) -> str:
    value = opts.get(name)
    if "{universe}" not in value:
        raise UsageError(f"-{name} must hold {{universe}}: {value!r}")
    return value


@command(SPEC, __doc__.replace("{generators}", GENERATOR_HELP))
def main(opts: Options) -> int:
    refuse_dask_without_source(opts, "reads")
    pattern, report_pattern = _pattern(opts, "title"), _pattern(opts, "report")
    max_drop = (opts.get("maxdrop") / 100) if opts.get("maxdrop") is not None else DEFAULT_MAX_DROP
    budget = load_config(Path(opts.get("checkconfig") or ROOT / "check-config.yaml")).budget
    schemas = load_schemas()
    out_dir = Path(opts.get("out")) if opts.get("out") else None
    site = None
    if opts.get("since") and (opts.get("source") or out_dir is not None):
        raise UsageError("-since:last-run rebuilds the timelines on the live wiki: not with -source: or -out:")
    if out_dir is not None and opts.get("source"):
        opts.offline("timeline -source: -out:")
    else:
        from bots.site.connection import open_site
        from bots.site.read import READ_ERRORS, unavailable
        pass_to_pywikibot(opts, write=out_dir is None, generators=not opts.get("source"))
        try:
            site = open_site(write=out_dir is None, login=out_dir is None)
        except READ_ERRORS as exc:
            raise unavailable(exc) from exc
    since = _Since(site, opts, pattern) if opts.get("since") else None
    processes = opts.get("processes") or default_processes()
    if opts.get("source"):
        source = Path(opts.get("source"))
        if not source.exists():
            raise UsageError(f"no such file or folder: {source}")
        doc = harvest_source(source, schemas, budget, opts.get("engine"), processes)
    else:
        from bots.site.read import iter_wiki_pages
        try:
            doc = harvest(iter_wiki_pages(site, opts.rest), schemas, budget, processes)
        except ValueError as exc:       # an unknown page generator option
            raise UsageError(str(exc)) from None
    if doc.get("unavailable"):
        raise SourceUnavailable(doc["unavailable"])
    records = doc["records"]
    prime_name = opts.get("prime")
    if site is not None and not opts.get("source"):
        records += _missing_counterparts(site, records, prime_name, schemas, budget, doc["errors"])
    by_universe = _records_by_universe(records, pattern)
    wanted = [opts.get("universe")] if opts.get("universe") else sorted(by_universe)
    if opts.get("universe") and opts.get("universe") not in by_universe:
        raise UsageError(f"no page of the selection belongs to {opts.get('universe')!r}")

    results, to_save, charts, refused = [], [], [], False
    limit = opts.get("limit") or (int(int(site.siteinfo.get("maxarticlesize", 2048 * 1024)) * 0.9)
                                  if site is not None else OFFLINE_LIMIT)
    for universe in wanted:
        try:
            title = timeline_title(pattern, universe)
            report = report_title(universe, report_pattern.split("/{universe}")[0]) \
                if report_pattern.endswith("/{universe}") else timeline_title(report_pattern, universe)
        except InvalidTitle as exc:
            doc["errors"].append({"origin": universe, "message": f"no timeline: {exc}"})
            print(f"error: universe {universe!r}: no timeline: {exc}", file=sys.stderr)
            continue
        previous = _previous(site, out_dir, title)
        if since is not None and not since.affects(universe, previous, by_universe, prime_name):
            continue
        tl = build_timeline(universe, title, report, by_universe[universe],
                            by_universe.get(prime_name, []) if universe != prime_name else [])
        before = stats_of(previous)
        why = refusal(title, before, len(tl.pages), len(tl.entries), max_drop)
        row = {**tl.as_dict(), "parts": [], "refused": None, "chart": None}
        results.append(row)
        if why and not opts.flag("force"):
            print(f"refused: {why}", file=sys.stderr)
            row["refused"] = why
            refused = True
            continue
        svg = chart_svg(universe, tl.entries, [d.here for d in tl.divergences])
        shown = None
        if out_dir is not None:
            charts.append((chart_name(title), svg))
        else:
            from bots.site.livetimeline import upload_chart
            outcome = upload_chart(site, chart_name(title), svg, opts.get("summary"),
                                   f"The chart of [[:{title}]], drawn by the timeline bot.", opts.simulate,
                                   opts.flag("force"))
            row["chart"] = outcome
            if outcome.startswith("failed"):
                doc["errors"].append({"origin": f"File:{chart_name(title)}", "message": outcome})
            elif not outcome.startswith("skipped"):
                shown = chart_name(title)
        pages = render_pages(tl, limit, shown)
        row["parts"] = [t for t, _ in pages[1:]]
        to_save.extend(pages)

    publish = None
    if out_dir is not None:
        if not opts.simulate:
            out_dir.mkdir(parents=True, exist_ok=True)
            for title, body in to_save:
                (out_dir / (title_to_filename(title) + ".wikitext")).write_text(body, encoding="utf-8")
            for name, svg in charts:
                (out_dir / title_to_filename(name)).write_text(svg, encoding="utf-8")
        saved = {t for t, _ in to_save}
    else:
        from bots.site.livetimeline import publish_timelines
        done = publish_timelines(site, to_save, opts.get("summary"), opts.simulate)
        publish = done.as_dict(opts.simulate)
        saved = set(done.created) | set(done.updated)
        if done.stopped:
            print(f"stopped: {done.stopped}", file=sys.stderr)
    for row in results:
        row["saved"] = row["title"] in saved
    _print(results, doc["errors"], publish, opts.as_json, opts.simulate)
    if publish and publish["stopped"]:
        return ExitCode.STOPPED
    if doc["errors"] or (publish and publish["failed"]):
        return ExitCode.FAILED
    if refused:
        return ExitCode.USAGE
    if since is not None and not opts.simulate:
        since.done()         # only a run that saved everything it rebuilt is the next run's start
    return ExitCode.OK


class _Since:
    """-since:last-run: the titles changed since the last successful run of the same selection, and
    which universes' timelines they touch."""

    def __init__(self, site, opts: Options, pattern: str) -> None:
        from bots.site.incremental import changed_since
        from bots.site.livetimeline import last_run
        self.site, self.key = site, " ".join(sorted(opts.rest)) + " | " + pattern
        self.started = site.server_time().isoformat()      # before any read: nothing falls between runs
        last = last_run(site, self.key)
        self.changed = changed_since(site, last) if last else None
        if self.changed is None:
            print("note: no earlier run of this timeline to start from: rebuilding every timeline", file=sys.stderr)
        else:
            print(f"since {last}: {len(self.changed)} pages changed", file=sys.stderr)

    def affects(self, universe: str, previous: str | None, by_universe: dict, prime: str) -> bool:
        touched = self._touched(universe, previous, by_universe, prime)
        if not touched:
            print(f"timeline: {universe}: no page changed since the last run: not rebuilt", file=sys.stderr)
        return touched

    def _touched(self, universe: str, previous: str | None, by_universe: dict, prime: str) -> bool:
        if self.changed is None or previous is None:
            return True
        if any(r["title"] in self.changed for r in by_universe.get(universe, [])):
            return True
        if universe != prime and any(r["title"] in self.changed for r in by_universe.get(prime, [])):
            return True
        # A page that left the universe (moved, deleted, its universe changed) is linked from the old timeline.
        return any(f"[[:{t}|" in previous or f"[[:{t}#" in previous for t in self.changed)

    def done(self) -> None:
        from bots.site.livetimeline import save_last_run
        save_last_run(self.site, self.key, self.started)


def _missing_counterparts(site, records, prime: str, schemas, budget, errors: list) -> list[dict]:
    """The Earth-Prime pages the selection's pages are counterparts of, where the selection lacks them."""
    from bots.site.livetimeline import read_pages
    have = {r["title"] for r in records}
    wanted = {c for r in records if r.get("universe") not in (None, prime)
              for c in [counterpart_of(r)] if c and c not in have}
    if not wanted:
        return []
    more = harvest(read_pages(site, wanted), schemas, budget)
    errors.extend(more["errors"])
    return [r for r in more["records"] if r.get("universe") == prime]


def _previous(site, out_dir: Path | None, title: str) -> str | None:
    if out_dir is not None:
        file = out_dir / (title_to_filename(title) + ".wikitext")
        return file.read_text(encoding="utf-8") if file.is_file() else None
    from bots.site.livetimeline import current_texts
    return current_texts(site, [title]).get(title)


def _print(results: list[dict], errors: list[dict], publish: dict | None, as_json: bool, simulate: bool) -> None:
    if as_json:
        print(json.dumps({"universes": results, "errors": errors, "publish": publish}, ensure_ascii=False,
                         indent=1))
        return
    if publish and simulate:
        for d in publish.get("diffs", []):
            print(d["diff"])
    for r in results:
        state = ("refused" if r["refused"] else ("would be saved" if simulate else "saved") if r["saved"]
                 else "unchanged")
        left = sum(r["left_out"].values())
        pod = f"; point of divergence: {r['point_of_divergence']}" if r["point_of_divergence"] else ""
        parts = f" in {len(r['parts'])} parts" if r["parts"] else ""
        print(f"[[{r['title']}]]{parts}: {r['entries']} entries from {r['pages']} pages, {left} left out, "
              f"{r['conflicts']} conflicts, {len(r['divergences'])} divergences{pod}: {state}")


if __name__ == "__main__":
    run_as_command(main)
