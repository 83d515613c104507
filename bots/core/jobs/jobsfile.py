"""The jobs file (jobs.yaml): what runs, when, for how long; and when a job is due.

Pure: reads text and folders, never the network, never pywikibot. The format::

    jobs:
      - name: check-sample          # lowercase letters, digits and '-' (a unit and a lock file name)
        bot: check                  # runs `python -m bots.check ARGUMENTS`
        arguments: [-source:data/sample.jsonl, -format:json]   # a list, or one string (shell-split)
        schedule: "30 2 * * *"      # 5-field cron, or @hourly / @daily / @weekly / @monthly
        timeout: 2h                 # seconds, or a number with s / m / h
        description: optional text (one line)

Names, bots, arguments, schedules and descriptions may not hold control characters (a newline in an
argument would end a crontab line): such a job is refused with its file and line.

`bot` names a module of bots/ that has a `main` (found at run time). A dotted module (`tests.fakebots.sleepy`)
is accepted only when the environment says GMW_JOBS_ALLOW_MODULES=1: that is for the tests.
"""
from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from bots.core.sources import safeload
from bots.core.jobs.schedule import Schedule, ScheduleError

__all__ = ["Job", "JobsError", "parse_jobs", "load_jobs", "discover_bots", "parse_timeout",
           "is_due", "job_command", "control_character", "printable", "NAME_RE", "RUNNER"]

NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
# What no line of a crontab, unit file or terminal may carry: C0 and C1 controls, DEL, line and
# paragraph separators (a newline in an argument ended a crontab comment and began a cron line).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_KEYS = {"name", "bot", "arguments", "schedule", "timeout", "description"}
_REQUIRED = ("name", "bot", "schedule", "timeout")
# The jobs runner is a bot too, but a job that ran it would run jobs from a job.
RUNNER = "jobs"


class JobsError(ValueError):
    """A problem in the jobs file, named by file, line and job."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 job: str | None = None) -> None:
        self.message, self.path, self.line, self.job = message, path, line, job
        where = ":".join(str(p) for p in (path, line) if p is not None)
        who = f"job {job!r}: " if job else ""
        super().__init__(f"{where + ': ' if where else ''}{who}{message}")


@dataclass(frozen=True)
class Job:
    name: str
    bot: str
    schedule: Schedule
    timeout: float                      # seconds
    arguments: tuple[str, ...] = ()
    description: str = ""
    line: int | None = field(default=None, compare=False)
    path: str | None = field(default=None, compare=False)     # the jobs file, for messages

    @property
    def module(self) -> str:
        return self.bot if "." in self.bot else f"bots.{self.bot}"


def control_character(text: str) -> str | None:
    """The first control character in `text`, described ("U+000A"), or None."""
    m = _CONTROL.search(text)
    return f"the control character U+{ord(m.group()):04X}" if m else None


def printable(text: str, limit: int = 80) -> str:
    """`text` quoted for a message or a listing: control characters as escapes, never raw."""
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return repr(shown) if _CONTROL.search(shown) else f"'{shown}'"


def parse_timeout(value) -> float:
    """`90`, `90s`, `30m`, `2h` -> seconds; raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smh]?)\s*", str(value))
        if not m:
            raise ValueError(f"{value!r} is not a duration (seconds, or a number with s, m or h)")
        seconds = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    if seconds <= 0:
        raise ValueError(f"the timeout must be positive, not {value!r}")
    return seconds


def _is_bot(tree: ast.Module) -> bool:
    """A bot's module: its `main` is made by bots.cli.command (the entry points of bots/ are the
    only modules there besides cli itself)."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "main":
            return any(isinstance(d, ast.Call) and getattr(d.func, "id", "") == "command" for d in node.decorator_list)
    return False


def discover_bots(bots_dir: Path) -> set[str]:
    """The bots a job may run: the entry points of bots/ (read, not imported: no pywikibot needed),
    the jobs runner itself aside."""
    found = set()
    for path in sorted(Path(bots_dir).glob("*.py")):
        if path.stem.startswith("_") or path.stem == RUNNER:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        if _is_bot(tree):
            found.add(path.stem)
    return found


def _module_file(root: Path, dotted: str) -> Path:
    return root.joinpath(*dotted.split(".")).with_suffix(".py")


def _lines(text: str) -> tuple[dict[int, int], dict[tuple[int, str], int], dict[int, list[str]]]:
    """Line numbers (1-based) of each job, of each key in it, and the keys given twice."""
    job_line, key_line, dupes = {}, {}, {}
    try:
        root = safeload.compose_yaml(text, safeload.SETTINGS)
    except (yaml.YAMLError, safeload.LimitError):
        return job_line, key_line, dupes
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if getattr(k, "value", None) == "jobs" and isinstance(v, yaml.SequenceNode):
                for i, item in enumerate(v.value):
                    job_line[i] = item.start_mark.line + 1
                    if isinstance(item, yaml.MappingNode):
                        seen = set()
                        for kk, _ in item.value:
                            key = str(kk.value)
                            key_line.setdefault((i, key), kk.start_mark.line + 1)
                            if key in seen:
                                dupes.setdefault(i, []).append(key)
                            seen.add(key)
    return job_line, key_line, dupes


def parse_jobs(text: str, path: str = "jobs.yaml", known_bots: set[str] | None = None,
               allow_modules: bool = False, root: Path | None = None) -> list[Job]:
    """Read and check a whole jobs file; the first problem raises JobsError (before anything runs).

    `known_bots`: the bot names a job may use (None: do not check). `allow_modules`: accept a dotted
    module that exists as a file under `root` (tests only).
    """
    try:
        data = safeload.load_yaml(text, safeload.SETTINGS)
    except safeload.LimitError as exc:
        raise JobsError(f"refused: {exc.message}", path, exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise JobsError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path,
                        mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
        raise JobsError("the file must have a top-level 'jobs:' list", path)
    job_line, key_line, dupes = _lines(text)
    jobs, names = [], {}
    for i, raw in enumerate(data["jobs"]):
        line = job_line.get(i)
        if not isinstance(raw, dict):
            raise JobsError(f"job #{i + 1} is not a mapping of name, bot, schedule ...", path, line)
        name = raw.get("name")
        label = str(name) if name is not None else f"#{i + 1}"

        def fail(message: str, key: str | None = None) -> JobsError:
            return JobsError(message, path, key_line.get((i, key), line) if key else line, label)

        if i in dupes:
            raise fail(f"{dupes[i][0]!r} is given twice", dupes[i][0])
        unknown = sorted(set(map(str, raw)) - _KEYS)
        if unknown:
            raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})", unknown[0])
        for key in _REQUIRED:
            if raw.get(key) in (None, ""):
                raise fail(f"'{key}' is missing")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise fail("the name must be 1-50 lowercase letters, digits or '-' (not at either end)", "name")
        if name in names:
            raise fail(f"the name is used twice (first on line {names[name]})", "name")
        names[name] = line
        bot = raw["bot"]
        if not isinstance(bot, str) or not _MODULE_RE.match(bot):
            raise fail(f"'bot' must be a module name (letters, digits, '_', dots), not {printable(str(bot))}", "bot")
        if "." in bot:
            if not allow_modules:
                raise fail(f"bot {bot!r}: a dotted module is only allowed with GMW_JOBS_ALLOW_MODULES=1 "
                           "(tests)", "bot")
            if root is not None and not _module_file(root, bot).is_file():
                raise fail(f"bot {bot!r}: no such module", "bot")
        elif known_bots is not None and bot not in known_bots:
            raise fail(f"unknown bot {bot!r} (known: {', '.join(sorted(known_bots)) or 'none'})", "bot")
        if control_character(str(raw["schedule"])):
            raise fail(f"bad schedule {printable(str(raw['schedule']))}: control characters are not accepted",
                       "schedule")
        try:
            schedule = Schedule.parse(str(raw["schedule"]))
        except ScheduleError as exc:
            raise fail(f"bad schedule: {exc}", "schedule") from None
        try:
            timeout = parse_timeout(raw["timeout"])
        except ValueError as exc:
            raise fail(f"bad timeout: {exc}", "timeout") from None
        args = raw.get("arguments") or []
        if isinstance(args, str):
            try:
                args = shlex.split(args)
            except ValueError as exc:
                raise fail(f"bad arguments: {exc}", "arguments") from None
        if not isinstance(args, list) or not all(isinstance(a, (str, int, float)) for a in args):
            raise fail("'arguments' must be a list of strings or one string", "arguments")
        args = [str(a) for a in args]
        for n, arg in enumerate(args):
            bad = control_character(arg)
            if bad:
                raise fail(f"argument {n + 1} ({printable(arg)}) holds {bad}: not accepted (a crontab or unit "
                           "file line would end there)", "arguments")
        description = raw.get("description") or ""
        if not isinstance(description, str) or control_character(description):
            raise fail(f"'description' must be one line of text without control characters "
                       f"({control_character(str(description)) or 'not text'})", "description")
        jobs.append(Job(name, bot, schedule, timeout, tuple(args), description, line, path))
    return jobs


def load_jobs(path: Path, known_bots: set[str] | None = None, allow_modules: bool = False,
              root: Path | None = None) -> list[Job]:
    try:
        text = safeload.read_text(Path(path), safeload.SETTINGS)
    except (OSError, UnicodeDecodeError) as exc:
        raise JobsError(f"cannot read the jobs file: {exc}", str(path)) from None
    except safeload.LimitError as exc:
        raise JobsError(f"refused: {exc.message}", str(path)) from None
    return parse_jobs(text, str(path), known_bots, allow_modules, root)


def job_command(job: Job, python: str) -> list[str]:
    """What a run executes: `python -m bots.<bot> <arguments>`."""
    return [python, "-m", job.module, *job.arguments]


def is_due(job: Job, now: datetime, last_done: datetime | None, first_since: datetime,
           ran_before: bool = False) -> datetime | None:
    """The slot `job` is due for at `now`, or None.

    Due when the last scheduled slot <= now has no completed run started at or after it (`last_done`:
    the start of the latest run that was not killed; a killed run does not count). A job that never
    ran (`ran_before` False: not even a killed run) is due only if that slot
    is after `first_since` (the previous `due` pass, or a short window): a fresh install does not replay
    a backlog. A failed run counts as done: it is retried at the next slot, not in a tight loop.
    """
    slot = job.schedule.last_slot(now)
    if last_done is None:
        return slot if ran_before or slot > first_since else None
    return slot if last_done < slot else None
