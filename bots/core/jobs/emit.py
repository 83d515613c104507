"""Ready-to-install scheduler configuration for the jobs, and the wikitext of the status page. Pure.

Every form runs the job through the jobs runner (`python -m bots.jobs run NAME`), never the bot
directly, so the lock, the timeout, the log and the history are the same whoever starts it.

Every word is quoted for where it goes (the shell of a cron line, systemd's own command-line
syntax, YAML for Toolforge). What no quoting can carry, a control character (a newline would end
a crontab line and start another), is refused with JobsError naming the job's file and line; the
jobs file's reader refuses it first.
"""
from __future__ import annotations

import re
import shlex

import yaml

from bots.core.jobs.jobsfile import Job, JobsError, control_character, printable

__all__ = ["runner_command", "crontab", "systemd_units", "toolforge_jobs", "status_wikitext",
           "VENV_PYTHON", "UNIT_PREFIX"]

VENV_PYTHON = ".venv/bin/python"
UNIT_PREFIX = "gmw-job-"
_SAFE = re.compile(r"^[\w@+=:,./$~-]+$")   # `$` left bare on purpose: -repo:'$HOME/gmw-bots'


def _checked(word: str, job: Job | None = None) -> str:
    bad = control_character(word)
    if bad:
        where = (job.path, job.line, job.name) if job is not None else (None, None, None)
        raise JobsError(f"{printable(word)} holds {bad}: it cannot be quoted safely in a crontab or unit "
                        "file", *where)
    return word


def _check_job(job: Job) -> Job:
    """Every word of a job, whether or not this form prints it: one refusal rule for all forms."""
    for word in (job.name, job.bot, *job.arguments, job.description, job.schedule.text):
        _checked(word, job)
    return job


def _sh(word: str, job: Job | None = None) -> str:
    return word if _SAFE.match(_checked(word, job)) else shlex.quote(word)


def _python(repo: str) -> str:
    return repo.rstrip("/") + "/" + VENV_PYTHON


def _env_words(env: dict[str, str], job: Job | None = None) -> list[str]:
    return [_checked(f"{k}={v}", job) for k, v in sorted(env.items())]


def runner_command(repo: str, *args: str, extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """`cd REPO && env K=V ... REPO/.venv/bin/python -m bots.jobs ARGS`: a shell line that needs
    nothing from the environment it starts in (cron's is nearly empty); `$VAR` in a path is left to
    the shell, as for -repo:'$HOME/gmw-bots'; every other character that means something is quoted."""
    words = [_python(repo), "-m", "bots.jobs", *args, *extra]
    prefix = ["env", *(shlex.quote(w) for w in _env_words(env))] if env else []
    return f"cd {_sh(repo)} && " + " ".join(prefix + [_sh(w) for w in words])


def crontab(jobs: list[Job], repo: str, source: str, extra: tuple[str, ...] = (), form: str = "jobs",
            every: int = 5, env: dict[str, str] | None = None) -> str:
    """Both forms; the one named by `form` ("jobs" or "due") active, the other commented out."""
    def line(schedule: str, command: str, active: bool) -> str:
        text = f"{schedule} {command.replace('%', chr(92) + '%')}"   # cron reads % as a newline
        return text if active else "# " + text

    out = [f"# gmw-bots jobs, from {source}. Install: crontab -e, and paste (or: python -m bots.jobs crontab",
           "# | crontab -  which REPLACES the whole crontab). Use ONE of the two forms below, not both.",
           "# Every run takes the job's lock, so overlapping starts are refused (exit 5), never doubled.",
           "# Each line carries the configuration this was printed with (the wiki, its state, paths),",
           "# so it runs the same under cron's empty environment. A run that fails exits non-zero and",
           "# cron mails its output (MAILTO); 'python -m bots.jobs status' shows every job's last outcome.",
           "#",
           "# Form 1 (-form:jobs): one line per job, at the job's own schedule."]
    for job in map(_check_job, jobs):
        words = [job.name, job.module, *job.arguments]
        out.append(f"# {words[0]}: python -m {words[1]} {shlex.join(words[2:])}".rstrip())
        command = runner_command(repo, "run", job.name, extra=extra, env=env)
        out.append(line(job.schedule.cron, command, form == "jobs"))
    out += ["#", f"# Form 2 (-form:due): one line every {every} minutes; runs each job whose schedule",
            "# has come due since its last recorded run (a failed run is retried at the job's next slot).",
            line(f"*/{every} * * * *", runner_command(repo, "due", extra=extra, env=env), form == "due")]
    return "\n".join(out) + "\n"


def _unit_word(word: str, job: Job | None = None) -> str:
    """One word of an ExecStart= line, in systemd's syntax: double quotes, C escapes for '\\' and
    '"', '$$' for '$' (no variable expansion) and '%%' for '%' (no specifier)."""
    _checked(word, job)
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$").replace("%", "%%") + '"'


def _unit_text(text: str, job: Job | None = None) -> str:
    """A setting's value taken as it is (Description=, WorkingDirectory=): only '%' is special."""
    return _checked(text, job).replace("%", "%%")


def _environment(word: str) -> str:
    """One Environment= assignment, quoted: C escapes for '\\' and '"', '%%' for '%'."""
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%") + '"'


def systemd_units(jobs: list[Job], repo: str, extra: tuple[str, ...] = (),
                  env: dict[str, str] | None = None) -> dict[str, str]:
    """`gmw-job-NAME.service` and `.timer` for each job: file name -> text. A unit fails on every
    exit but 0 (and 1, findings, for a check job): an outage (6), a stop (4), a busy lock (5) are
    failures monitoring sees (systemctl --failed, OnFailure=)."""
    if not repo.startswith("/") or repo != repo.strip():
        raise JobsError(f"systemd needs an absolute repository path for WorkingDirectory= (-repo:), not "
                        f"{printable(repo)}")
    units = {}
    python = _python(repo)
    environment = [f"Environment={_environment(w)}" for w in _env_words(env or {})]
    for job in map(_check_job, jobs):
        unit = UNIT_PREFIX + job.name
        exec_start = " ".join(_unit_word(w, job) for w in (python, "-m", "bots.jobs", "run", job.name, *extra))
        desc = _unit_text(f"gmw-bots job {job.name} (python -m {job.module})", job)
        success = (["# Exit 1 means error-level findings: the check ran, the unit did its job.",
                    "SuccessExitStatus=1"] if job.bot == "check" else
                   ["# Only exit 0 is success: an outage (6), a stop (4), a busy lock (5) fail the unit."])
        units[unit + ".service"] = "\n".join([
            "[Unit]", f"Description={desc}", "",
            "[Service]", "Type=oneshot", f"WorkingDirectory={_unit_text(repo)}", *environment,
            f"ExecStart={exec_start}",
            "# bots.jobs enforces the job's timeout; this is only a backstop.",
            f"TimeoutStartSec={int(job.timeout) + 60}", *success, ""])
        calendar = [f"OnCalendar={expr}" for expr in job.schedule.on_calendar()]
        units[unit + ".timer"] = "\n".join([
            "[Unit]", f"Description=Schedule of {desc}: {_unit_text(job.schedule.text, job)}", "",
            "[Timer]", *calendar,
            "# After downtime, run a missed job once (not once per missed slot).",
            "Persistent=true", "", "[Install]", "WantedBy=timers.target", ""])
    return units


def toolforge_jobs(jobs: list[Job], repo: str, extra: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """A `toolforge jobs load` file."""
    items = [{"name": job.name, "command": runner_command(repo, "run", job.name, extra=extra, env=env),
              "image": "python3.11", "schedule": job.schedule.cron, "emails": "none", "filelog": True}
             for job in map(_check_job, jobs)]
    return yaml.safe_dump(items, sort_keys=False, default_flow_style=False, width=1000)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "&#124;").replace("\n", " ") or "&mdash;"


_COLOURS = {"ok": "#cfc", "findings": "#ffc", "running": "#ccf"}


def _counts(counts: dict | None) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((counts or {}).items()))


def status_wikitext(rows: list[dict], bot_user: str | None = None) -> str:
    """The wiki status page: a sortable table, one row per job, then each job's last runs. No clock
    of its own in it, so an unchanged status renders unchanged text and is not saved again."""
    out = ["<!-- Written by python -m bots.jobs status -wiki:...; a note outside the tables is kept. -->",
           '{| class="wikitable sortable"',
           "! Job !! Bot !! Schedule !! Last run !! Outcome !! Counts !! Next run"]
    for row in rows:
        outcome = row.get("outcome") or "never run"
        colour = _COLOURS.get(outcome, "#fcc" if row.get("outcome") else "")
        style = f'style="background:{colour}" | ' if colour else ""
        missed = f" (slot {row['missed']} missed: the next due pass runs it)" if row.get("missed") else ""
        out += ["|-", f"| {_cell(row['name'])} || {_cell(row['bot'])}"
                f" || <code>{_cell(row['schedule'])}</code>"
                f" || {_cell(row.get('last_started'))} || {style}{_cell(outcome)} || {_cell(_counts(row.get('counts')))}"
                f" || {_cell(row.get('next_due'))}{_cell(missed) if missed else ''}"]
    out.append("|}")
    for row in rows:
        if not row.get("recent"):
            continue
        out += ["", f"=== {_cell(row['name'])}: the last {len(row['recent'])} runs ===", '{| class="wikitable"',
                "! Started !! Outcome !! Duration !! Findings and counts"]
        for run in row["recent"]:
            secs = f"{run['seconds']:g} s" if run.get("seconds") is not None else None
            out += ["|-", f"| {_cell(run['started'])} || {_cell(run.get('outcome'))} || {_cell(secs)} || "
                          f"{_cell(_counts(run.get('counts')))}"]
        out.append("|}")
    if bot_user:
        out.append(f"Stop page: [[User:{bot_user}/Run]].")
    return "\n".join(out) + "\n"
