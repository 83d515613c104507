"""Ready-to-install scheduler configuration for the jobs, and the wikitext of the status page. Pure.

Every form runs the job through the jobs runner (`python -m bots.jobs run NAME`), never the bot
directly, so the lock, the timeout, the log and the history are the same whoever starts it.
"""
from __future__ import annotations

import re
import shlex

import yaml

from bots.core.jobs import Job

__all__ = ["runner_command", "crontab", "systemd_units", "toolforge_jobs", "status_wikitext",
           "VENV_PYTHON", "UNIT_PREFIX"]

VENV_PYTHON = ".venv/bin/python"
UNIT_PREFIX = "gmw-job-"
_SAFE = re.compile(r"^[\w@+=:,./$~-]+$")   # `$` left bare on purpose: -repo:'$HOME/gmw-bots'


def _sh(word: str) -> str:
    return word if _SAFE.match(word) else shlex.quote(word)


def runner_command(repo: str, *args: str, extra: tuple[str, ...] = ()) -> str:
    """`cd REPO && .venv/bin/python -m bots.jobs ARGS` (a shell line)."""
    words = [VENV_PYTHON, "-m", "bots.jobs", *args, *extra]
    return f"cd {_sh(repo)} && " + " ".join(_sh(w) for w in words)


def crontab(jobs: list[Job], repo: str, source: str, extra: tuple[str, ...] = (), form: str = "jobs",
            every: int = 5) -> str:
    """Both forms; the one named by `form` ("jobs" or "due") active, the other commented out."""
    def line(schedule: str, command: str, active: bool) -> str:
        text = f"{schedule} {command.replace('%', chr(92) + '%')}"   # cron reads % as a newline
        return text if active else "# " + text

    out = [f"# gmw-bots jobs, from {source}. Install: crontab -e, and paste (or: python -m bots.jobs crontab",
           "# | crontab -  which REPLACES the whole crontab). Use ONE of the two forms below, not both.",
           "# Every run takes the job's lock, so overlapping starts are refused (exit 5), never doubled.",
           "#",
           "# Form 1 (-form:jobs): one line per job, at the job's own schedule."]
    for job in jobs:
        out.append(f"# {job.name}: python -m {job.module} {shlex.join(job.arguments)}".rstrip())
        command = runner_command(repo, "run", job.name, extra=extra)
        out.append(line(job.schedule.cron, command, form == "jobs"))
    out += ["#", f"# Form 2 (-form:due): one line every {every} minutes; runs each job whose schedule",
            "# has come due since its last recorded run (a failed run is retried at the job's next slot).",
            line(f"*/{every} * * * *", runner_command(repo, "due", extra=extra), form == "due")]
    return "\n".join(out) + "\n"


def _unit_quote(word: str) -> str:
    word = word.replace("%", "%%")   # systemd expands %-specifiers in unit files
    return word if re.match(r"^[\w@+=:,./-]+$", word) else '"' + word.replace('"', '\\"') + '"'


def systemd_units(jobs: list[Job], repo: str, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """`gmw-job-NAME.service` and `.timer` for each job: file name -> text."""
    units = {}
    python = repo.rstrip("/") + "/" + VENV_PYTHON
    for job in jobs:
        unit = UNIT_PREFIX + job.name
        exec_start = " ".join(_unit_quote(w) for w in (python, "-m", "bots.jobs", "run", job.name, *extra))
        desc = f"gmw-bots job {job.name} (python -m {job.module})"
        units[unit + ".service"] = "\n".join([
            "[Unit]", f"Description={desc.replace('%', '%%')}", "",
            "[Service]", "Type=oneshot", f"WorkingDirectory={_unit_quote(repo)}", f"ExecStart={exec_start}",
            "# bots.jobs enforces the job's timeout; this is only a backstop.",
            f"TimeoutStartSec={int(job.timeout) + 60}",
            "# Exit 1 means findings, 5 another run holds the lock: neither is a unit failure.",
            "SuccessExitStatus=1 5", ""])
        calendar = [f"OnCalendar={expr}" for expr in job.schedule.on_calendar()]
        units[unit + ".timer"] = "\n".join([
            "[Unit]", f"Description=Schedule of {desc.replace('%', '%%')}: {job.schedule.text}", "",
            "[Timer]", *calendar,
            "# After downtime, run a missed job once (not once per missed slot).",
            "Persistent=true", "", "[Install]", "WantedBy=timers.target", ""])
    return units


def toolforge_jobs(jobs: list[Job], repo: str, extra: tuple[str, ...] = ()) -> str:
    """A `toolforge jobs load` file."""
    items = [{"name": job.name, "command": runner_command(repo, "run", job.name, extra=extra),
              "image": "python3.11", "schedule": job.schedule.cron, "emails": "none", "filelog": True}
             for job in jobs]
    return yaml.safe_dump(items, sort_keys=False, default_flow_style=False, width=1000)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "&#124;").replace("\n", " ") or "&mdash;"


_COLOURS = {"ok": "#cfc", "findings": "#ffc", "running": "#ccf"}


def status_wikitext(rows: list[dict], bot_user: str | None = None) -> str:
    """The wiki status page: a sortable table, one row per job. No clock in it, so an unchanged
    status renders unchanged text and is not saved again."""
    out = ["<!-- Written by python -m bots.jobs status -wiki:...; edits here are overwritten. -->",
           '{| class="wikitable sortable"',
           "! Job !! Bot !! Schedule !! Last run !! Outcome !! Counts !! Next due"]
    for row in rows:
        outcome = row.get("outcome") or "never run"
        colour = _COLOURS.get(outcome, "#fcc" if row.get("outcome") else "")
        style = f'style="background:{colour}" | ' if colour else ""
        counts = ", ".join(f"{k}: {v}" for k, v in sorted((row.get("counts") or {}).items()))
        out += ["|-", f"| {_cell(row['name'])} || {_cell(row['bot'])}"
                f" || <code>{_cell(row['schedule'])}</code>"
                f" || {_cell(row.get('last_started'))} || {style}{_cell(outcome)} || {_cell(counts)}"
                f" || {_cell(row.get('next_due'))}{' (due now)' if row.get('due_now') else ''}"]
    out.append("|}")
    if bot_user:
        out.append(f"Stop page: [[User:{bot_user}/Run]].")
    return "\n".join(out) + "\n"
