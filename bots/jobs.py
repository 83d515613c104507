"""Scheduled bot runs: the jobs file (jobs.yaml), a lock per job, a log and a history row per run.

Usage: python -m bots.jobs COMMAND [options]

Commands:
  run NAME       run one job now. If another run of it holds its lock, exit 5 at once. The job is
                 `python -m bots.<bot> <arguments>` with the job's timeout (the whole process group is
                 killed when it is exceeded: outcome "timeout"). Exit status: the bot's own.
  due            run every job whose schedule has come due since its last recorded run, one after the
                 other; what one crontab line calls every few minutes. A failed run is retried at the
                 job's next slot. A job with no history at all runs only if a slot fell since the last
                 `due` pass (or, on the very first pass, within -window): no backlog after an install.
                 A run whose runner was killed (the lock is free but its row is open) is recorded as
                 "killed" and the job runs again. Exit status: 3 if a run failed, timed out or was
                 killed, else 0.
  status         per job: the last run, its outcome and counts, the next due time.
  list           the jobs in the jobs file.
  crontab        print crontab lines: one per job (form 1) and the single `due` line (form 2).
  systemd        print a .service and a .timer unit per job (OnCalendar= from the cron schedule).
  toolforge      print a Toolforge jobs file (`toolforge jobs load FILE`).

Options:
  -jobs:PATH       the jobs file (default: jobs.yaml in the repository; or $GMW_JOBS_FILE)
  -state:PATH      the state folder: history.sqlite3, locks/, logs/ (default: .state/ in the
                   repository; or $GMW_JOBS_STATE)
  -now:ISO         (run, due, status) take this as the current time, e.g. 2025-03-01T02:30+00:00
  -window:MINUTES  (due) how far back the very first pass looks for a slot (default 5)
  -format:json     (status, list, run, due) print JSON
  -wiki:PAGE       (status) also save the status table to this wiki page, when its text changed
  -repo:PATH       (crontab, systemd, toolforge) the repository path the configuration names; it
                   repeats -jobs: and -state: as given (a relative path is read from the repository)
                   (default: this repository; on Toolforge e.g. -repo:'$HOME/gmw-bots')
  -form:jobs|due   (crontab) which form is active; the other is printed commented out (default jobs)
  -out:FOLDER      (systemd) write the unit files there instead of printing them
  -help            this text

Jobs file: see bots/core/jobs.py. A bad jobs file (unknown bot, bad schedule, missing key,
non-positive timeout, duplicate name, a control character such as a newline in a name, argument,
schedule or description, YAML aliases) is reported with its file, line and job before anything
runs (exit 2). crontab, systemd and toolforge quote every word for where it goes; a word that
cannot be quoted safely there is refused (exit 2). `bot:` is a module of bots/ with a main(); GMW_JOBS_ALLOW_MODULES=1 also accepts a
dotted module (tests only).

Stop page: every bot a job runs honours its stop page (User:<bot account>/Run); the runner itself
does not read the wiki, except for `status -wiki:`.

Exit status: 0 ok, 1 findings, 2 usage or bad jobs file, 3 failed, 4 stopped, 5 busy (the job's
lock is held), 6 wiki unavailable, 7 a state file (the ledger) is damaged.
"""
from __future__ import annotations

import json
import os
import shlex
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bots.cli import (ExitCode, UsageError, broken_state, parse_options, print_help, refused, stopped,
                      usage_exit, wants_help)
from bots.core.emit import crontab, status_wikitext, systemd_units, toolforge_jobs
from bots.core.jobs import JobsError, discover_bots, load_jobs
from bots.core.runner import State, exit_code_for, run_due, run_now, status_rows

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("run", "due", "status", "list", "crontab", "systemd", "toolforge")
DEFAULT_SUMMARY = "Bot job status"
_FAILED = {"failed", "timeout", "killed", "usage", "unavailable", "broken state"}


def _now(opts) -> datetime | None:
    text = opts.get("now")
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"-now takes an ISO 8601 time, not {text!r}") from None
    return t if t.tzinfo else t.astimezone()   # a naive time is local time, as cron's


def _extra(opts) -> tuple[str, ...]:
    """The -jobs:/-state: options the emitted configuration must repeat."""
    return tuple(f"-{k}:{opts.get(k)}" for k in ("jobs", "state") if opts.get(k))


def main(*args: str) -> int:
    if wants_help(args) or not args:
        print_help(__doc__)
        return ExitCode.OK if args else ExitCode.USAGE
    positional = [a for a in args if not a.startswith("-")]
    try:
        opts = parse_options([a for a in args if a.startswith("-")],
                             values=("jobs", "state", "now", "window", "format", "wiki", "repo", "form",
                                     "out"))
        now = _now(opts)
        window = timedelta(minutes=float(opts.get("window", 5)))
    except (UsageError, ValueError) as exc:
        return usage_exit(str(exc))
    command, rest = positional[0] if positional else None, positional[1:]
    if command not in COMMANDS:
        return usage_exit(f"unknown command {command!r}; one of {', '.join(COMMANDS)}")
    if len(rest) != (1 if command == "run" else 0):
        return usage_exit("run takes one job name" if command == "run" else f"{command} takes no arguments")
    as_json = opts.get("format", "text") == "json"
    if opts.get("format", "text") not in ("text", "json") or opts.get("form", "jobs") not in ("jobs", "due"):
        return usage_exit("-format takes text or json; -form takes jobs or due")

    jobs_path = Path(opts.get("jobs") or os.environ.get("GMW_JOBS_FILE") or ROOT / "jobs.yaml")
    state = State(Path(opts.get("state") or os.environ.get("GMW_JOBS_STATE") or ROOT / ".state"))
    try:
        jobs = load_jobs(jobs_path, discover_bots(ROOT / "bots"),
                         os.environ.get("GMW_JOBS_ALLOW_MODULES") == "1", ROOT)
    except JobsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    repo = opts.get("repo") or str(ROOT)

    if command == "run":
        by_name = {j.name: j for j in jobs}
        if rest[0] not in by_name:
            return usage_exit(f"no job {rest[0]!r} in {jobs_path} (jobs: {', '.join(by_name) or 'none'})")
        result = run_now(by_name[rest[0]], state, ROOT, now)
        if result is None:
            print(f"busy: job {rest[0]!r} is already running (its lock {state.lock_path(rest[0])} is held); "
                  "not started", file=sys.stderr)
            return ExitCode.BUSY
        if result.reaped:
            print(f"note: run {', '.join(map(str, result.reaped))} of {result.job} had been killed mid-way; "
                  "recorded as killed", file=sys.stderr)
        print(json.dumps(result.as_dict(), indent=1) if as_json else
              f"{result.job}: {result.outcome} (exit {result.exit_code}), log {result.log}")
        return exit_code_for(result.outcome, result.exit_code)
    if command == "due":
        results = run_due(jobs, state, ROOT, now, window, report=lambda s: None if as_json else print(s))
        if as_json:
            print(json.dumps([r.as_dict() for r in results], indent=1))
        elif not results:
            print("nothing due")
        return ExitCode.FAILED if any(r.outcome in _FAILED for r in results) else ExitCode.OK
    if command == "status":
        rows = status_rows(jobs, state, now)
        if as_json:
            print(json.dumps(rows, indent=1))
        else:
            for r in rows:
                print(f"{r['name']:<24} last {r['last_started'] or 'never':<25} {r['outcome'] or '-':<12} "
                      f"next {r['next_due']}{' (due now)' if r['due_now'] else ''}")
        return _save_status(opts.get("wiki"), rows) if opts.get("wiki") else ExitCode.OK
    if command == "list":
        listing = [{"name": j.name, "bot": j.bot, "arguments": list(j.arguments), "schedule": j.schedule.text,
                    "timeout": j.timeout, "description": j.description} for j in jobs]
        if as_json:
            print(json.dumps(listing, indent=1))
        for j in ([] if as_json else listing):      # arguments quoted as a shell would need them
            print(f"{j['name']:<24} {j['schedule']:<16} timeout {j['timeout']:g}s  "
                  f"python -m bots.{j['bot']} {shlex.join(j['arguments'])}".rstrip())
        return ExitCode.OK
    try:
        return _emit(command, jobs, repo, jobs_path, opts)
    except JobsError as exc:          # a word no quoting can carry: refused, nothing printed
        print(f"error: {exc}", file=sys.stderr)
        return ExitCode.USAGE


def _emit(command: str, jobs, repo: str, jobs_path: Path, opts) -> int:
    """crontab, systemd, toolforge: the scheduler configuration, every word quoted."""
    if command == "crontab":
        print(crontab(jobs, repo, str(jobs_path), _extra(opts), opts.get("form", "jobs")), end="")
    elif command == "systemd":
        units = systemd_units(jobs, repo, _extra(opts))
        if opts.get("out"):
            out = Path(opts.get("out")).expanduser()
            out.mkdir(parents=True, exist_ok=True)
            for name, text in units.items():
                (out / name).write_text(text, encoding="utf-8")
            print(f"wrote {len(units)} units to {out}; then: systemctl daemon-reload && "
                  f"systemctl enable --now {' '.join(n for n in units if n.endswith('.timer'))}")
        else:
            for name, text in units.items():
                print(f"# ==> {name} <==\n{text}")
    elif command == "toolforge":
        print(toolforge_jobs(jobs, repo, _extra(opts)), end="")
    return ExitCode.OK


def _save_status(title: str, rows: list[dict]) -> int:
    """Save the status table to the wiki through the one save path, when its text changed (the only
    wiki access of this command)."""
    from pywikibot.exceptions import Error as PywikibotError

    from bots.core.ledger import LedgerError
    from bots.core.pubsource import Item
    from bots.publisher import open_ledger, publish_pages
    from bots.runtime import StopRequested
    from bots.site import WriteRefused, open_site
    try:
        site = open_site(write=True)
        with open_ledger(site) as ledger:
            done = publish_pages(site, ledger, [Item(title, "jobs status", status_wikitext(rows, site.username()))],
                                 DEFAULT_SUMMARY, minor=True, out=sys.stdout)
    except WriteRefused as exc:
        return refused(exc)
    except StopRequested as exc:
        return stopped(exc)
    except LedgerError as exc:
        return broken_state(exc)
    except PywikibotError as exc:
        print(f"error: could not save [[{title}]]: {exc}", file=sys.stderr)
        return ExitCode.UNAVAILABLE
    if done.stopped:
        return stopped(RuntimeError(done.stopped))
    for entry in done.skipped + done.failed:
        print(f"error: [[{title}]] not saved: {entry['reason']}", file=sys.stderr)
    if done.failed:
        return ExitCode.FAILED
    print(f"[[{title}]] {'saved' if done.created or done.updated else 'unchanged'}")
    return ExitCode.FAILED if done.skipped else ExitCode.OK


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
