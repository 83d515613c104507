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
{options}

Scheduled runs carry their configuration: the crontab, systemd and Toolforge output sets every
GMW_* setting this command runs with (the wiki: GMW_WIKI_DIR, GMW_WIKI_PORT or GMW_API_URL, the bot
account, its password file, the state folders ...), with absolute paths and the venv's python, so a
job runs against the same wiki under cron's empty environment (env -i). How monitoring sees a
failing job: its exit status (the table below; cron mails the output of a failing line, a systemd
unit fails on every exit but 0, and 1 for check jobs), its row in `status` (outcome, counts, the
last 10 runs; -wiki:PAGE puts the same table on the wiki), and its log file.

Jobs file: see bots/core/jobs/jobsfile.py. A bad jobs file (unknown bot, bad schedule, missing key,
non-positive timeout, duplicate name, a control character such as a newline in a name, argument,
schedule or description, YAML aliases) is reported with its file, line and job before anything
runs (exit 2). crontab, systemd and toolforge quote every word for where it goes; a word that
cannot be quoted safely there is refused (exit 2). `bot:` is a module of bots/ with a main(); GMW_JOBS_ALLOW_MODULES=1 also accepts a
dotted module (tests only).

Stop page: every bot a job runs honours its stop page (User:<bot account>/Run); the runner itself
does not read the wiki, except for `status -wiki:`.

{exit}
A run's own exit status is the bot's; `due` exits 3 when a run failed, timed out or was killed. In
the history an exit of 6 is the outcome "wiki unavailable".
"""
from __future__ import annotations

import json
import os
import shlex
import sys
from datetime import datetime, timedelta
from pathlib import Path

from bots.cli import FORMAT, ExitCode, Options, Spec, UsageError, choice, command, path, text, run_as_command
from bots.core.jobs.emit import crontab, status_wikitext, systemd_units, toolforge_jobs
from bots.core.jobs.jobsfile import JobsError, discover_bots, load_jobs
from bots.core.jobs.runner import State, exit_code_for, run_due, run_now, status_rows

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("run", "due", "status", "list", "crontab", "systemd", "toolforge")
DEFAULT_SUMMARY = "Bot job status"
_FAILED = {"failed", "timeout", "killed", "usage", "wiki unavailable", "broken state"}
SPEC = Spec((
    path("jobs", "the jobs file (default: jobs.yaml in the repository; or $GMW_JOBS_FILE)"),
    path("state", "the state folder: history.sqlite3, locks/, logs/ (default: .state/ in the\n"
         "repository; or $GMW_JOBS_STATE)"),
    text("now", "(run, due, status) take this as the current time, e.g. 2025-03-01T02:30+00:00",
         metavar="ISO"),
    text("window", "(due) how far back the very first pass looks for a slot (default 5)", metavar="MINUTES"),
    text("wiki", "(status) also save the status table to this wiki page, when its text changed",
         metavar="PAGE"),
    path("repo", "(crontab, systemd, toolforge) the repository path the configuration names (default:\n"
         "this repository; on Toolforge e.g. -repo:'$HOME/gmw-bots')"),
    choice("form", ("jobs", "due"), "(crontab) which form is active; the other is printed commented out",
           "jobs"),
    path("out", "(systemd) write the unit files there instead of printing them", metavar="FOLDER"),
    FORMAT,
), positional=("COMMAND", "NAME"))


def scheduled_env(environ: dict[str, str] | None = None, root: Path = ROOT) -> dict[str, str]:
    """The configuration a scheduled run needs, from this command's own environment: every GMW_*
    setting (paths made absolute), and for the default local wiki its folder and port spelled out."""
    environ = dict(os.environ if environ is None else environ)
    env = {k: v for k, v in environ.items() if k.startswith("GMW_") and k != "GMW_JOB"}
    if "PYWIKIBOT_DIR" in environ:
        env["PYWIKIBOT_DIR"] = environ["PYWIKIBOT_DIR"]
    if "GMW_API_URL" not in env:
        env.setdefault("GMW_WIKI_DIR", str(root / ".wiki"))
        env.setdefault("GMW_WIKI_PORT", "8080")
    for key in ("GMW_WIKI_DIR", "GMW_PASSWORD_FILE", "GMW_STATE_DIR", "GMW_JOBS_FILE", "GMW_JOBS_STATE",
                "PYWIKIBOT_DIR"):
        if key in env and "$" not in env[key]:
            env[key] = str(Path(env[key]).expanduser().absolute())
    return env


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
    """The -jobs:/-state: options the emitted configuration must repeat (absolute paths)."""
    def absolute(value: str) -> str:
        return value if "$" in value else str(Path(value).expanduser().absolute())
    return tuple(f"-{k}:{absolute(opts.get(k))}" for k in ("jobs", "state") if opts.get(k))


@command(SPEC, __doc__)
def main(opts: Options) -> int:
    opts.offline("jobs")
    if not opts.positional:
        raise UsageError(f"which command? one of {', '.join(COMMANDS)}")
    now = _now(opts)
    try:
        window = timedelta(minutes=float(opts.get("window") or 5))
    except ValueError:
        raise UsageError(f"-window takes a number of minutes, not {opts.get('window')!r}") from None
    command, rest = opts.positional[0], opts.positional[1:]
    if command not in COMMANDS:
        raise UsageError(f"unknown command {command!r}; one of {', '.join(COMMANDS)}")
    if len(rest) != (1 if command == "run" else 0):
        raise UsageError("run takes one job name" if command == "run" else f"{command} takes no arguments")
    as_json = opts.as_json
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
            raise UsageError(f"no job {rest[0]!r} in {jobs_path} (jobs: {', '.join(by_name) or 'none'})")
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
            print(_status_table(rows))
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


def _status_table(rows: list[dict]) -> str:
    lines = [f"{'JOB':<24} {'LAST RUN':<25} {'OUTCOME':<16} {'COUNTS':<34} NEXT RUN"]
    for r in rows:
        counts = ", ".join(f"{k} {v}" for k, v in sorted((r.get("counts") or {}).items())) or "-"
        missed = f" (missed {r['missed']}: due now)" if r.get("missed") else ""
        lines.append(f"{r['name']:<24} {r['last_started'] or 'never':<25} {r['outcome'] or '-':<16} "
                     f"{counts:<34} {r['next_due']}{missed}")
    return "\n".join(lines)


def _emit(command: str, jobs, repo: str, jobs_path: Path, opts) -> int:
    """crontab, systemd, toolforge: the scheduler configuration, every word quoted, carrying the
    configuration this command runs with."""
    env = scheduled_env()
    if command == "crontab":
        print(crontab(jobs, repo, str(jobs_path), _extra(opts), opts.get("form", "jobs"), env=env), end="")
    elif command == "systemd":
        units = systemd_units(jobs, repo, _extra(opts), env=env)
        if opts.get("out"):
            out = Path(opts.get("out")).expanduser()
            out.mkdir(parents=True, exist_ok=True)
            for name, body in units.items():
                (out / name).write_text(body, encoding="utf-8")
            print(f"wrote {len(units)} units to {out}; then: systemctl daemon-reload && "
                  f"systemctl enable --now {' '.join(n for n in units if n.endswith('.timer'))}")
        else:
            for name, body in units.items():
                print(f"# ==> {name} <==\n{body}")
    elif command == "toolforge":
        print(toolforge_jobs(jobs, repo, _extra(opts), env=env), end="")
    return ExitCode.OK


def _save_status(title: str, rows: list[dict]) -> int:
    """Save the status table to the wiki through the one save path, when its text changed (the only
    wiki access of this command)."""
    from bots.cli import pywikibot_args
    from bots.core.publish.items import Item
    from bots.core.stoppage import StopRequested
    from bots.site.publisher import open_ledger, publish_pages
    from bots.site.connection import open_site

    pywikibot_args([], write=True)
    site = open_site(write=True)
    with open_ledger(site) as ledger:
        done = publish_pages(site, ledger, [Item(title, "jobs status", status_wikitext(rows, site.username()))],
                             DEFAULT_SUMMARY, minor=True, out=sys.stdout)
    if done.stopped:
        raise StopRequested(done.stopped)
    for entry in done.skipped + done.failed:
        print(f"error: [[{title}]] not saved: {entry['reason']}", file=sys.stderr)
    if done.failed or done.skipped:
        return ExitCode.FAILED
    print(f"[[{title}]] {'saved' if done.created or done.updated else 'unchanged'}")
    return ExitCode.OK


if __name__ == "__main__":
    run_as_command(main)
