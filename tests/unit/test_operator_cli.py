"""One CLI for every bot, offline: the one exit-code table in each -help, valid JSON from every
command that reports, pywikibot's -simulate and -always where a bot edits, schedules that carry the
configuration they were made with, progress with done/total, rate and ETA, --help on benchmarks."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bots.core.exitcodes import EXIT_HELP, ExitCode
from bots.core.jobs.emit import crontab, systemd_units, toolforge_jobs
from bots.core.jobs.jobsfile import parse_jobs
from bots.core.progress import Progress

from .test_project import BOTS

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "data" / "universes"
EDITING = ["publish", "install_templates", "check"]    # generate writes files: -simulate only


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", BOTS)
def test_every_bots_help_holds_the_one_exit_table(name):
    res = _run("-m", f"bots.{name}", "-help")
    assert res.returncode == 0 and EXIT_HELP in res.stdout


@pytest.mark.parametrize("args", [
    ["check", f"-source:{RECORDS}", "-format:json"],
    ["check", "-listrules", "-format:json"],
    ["harvest", f"-source:{RECORDS}", "-format:json"],
    ["generate", f"-source:{RECORDS}", "-out:{tmp}/out", "-simulate", "-format:json"],
    ["jobs", "list", "-format:json"],
    ["jobs", "-state:{tmp}/state", "status", "-format:json"],
], ids=" ".join)
def test_every_command_that_reports_prints_json_and_exits_from_the_table(args, tmp_path):
    res = _run("-m", f"bots.{args[0]}", *(a.replace("{tmp}", str(tmp_path)) for a in args[1:]))
    assert res.returncode in set(ExitCode), res.stderr
    assert res.returncode in (0, 1), res.stderr
    json.loads(res.stdout)
    assert "Traceback" not in res.stderr


def test_harvest_reads_records_as_check_does():
    harvested = json.loads(_run("-m", "bots.harvest", f"-source:{RECORDS}").stdout)
    checked = json.loads(_run("-m", "bots.check", f"-source:{RECORDS}", "-format:json").stdout)
    assert harvested["pages"] == checked["pages"] > 0
    assert not harvested["errors"]


@pytest.mark.parametrize("name", EDITING)
def test_a_bot_that_edits_takes_simulate_and_always(name):
    spec = importlib.import_module(f"bots.{name}").SPEC
    opts = spec.parse(["-simulate", "-always"])
    assert opts.simulate and opts.flag("always")
    opts.offline()          # pywikibot's own options: accepted offline too


def test_generate_takes_simulate():
    from bots.generate import SPEC

    assert SPEC.parse(["-simulate"]).simulate


def _jobs():
    return parse_jobs(
        "jobs:\n"
        "  - name: check-x\n    bot: check\n    arguments: ['-cat:Earth-1389', '-report']\n"
        "    schedule: '30 2 * * *'\n    timeout: 1h\n"
        "  - name: publish-x\n    bot: publish\n    arguments: ['-source:data/universes']\n"
        "    schedule: '@daily'\n    timeout: 1h\n", "jobs.yaml")


def test_systemd_counts_only_real_success_as_success():
    units = systemd_units(_jobs(), "/srv/gmw")
    assert "\nSuccessExitStatus=1\n" in units["gmw-job-check-x.service"]
    assert "SuccessExitStatus" not in units["gmw-job-publish-x.service"]
    assert not any("SuccessExitStatus=1 5" in u or "SuccessExitStatus=6" in u for u in units.values())


def test_every_schedule_form_carries_the_configuration_it_was_made_with():
    from bots.jobs import scheduled_env

    env = scheduled_env({"GMW_WIKI_PORT": "9123", "GMW_WIKI_DIR": "wikis/mine", "HOME": "/root",
                         "GMW_JOB": "leaks"}, root=Path("/srv/gmw"))
    assert env["GMW_WIKI_PORT"] == "9123" and Path(env["GMW_WIKI_DIR"]).is_absolute()
    assert "HOME" not in env and "GMW_JOB" not in env
    forms = {"crontab": crontab(_jobs(), "/srv/gmw", "jobs.yaml", env=env),
             "toolforge": toolforge_jobs(_jobs(), "/srv/gmw", env=env),
             "systemd": "\n".join(systemd_units(_jobs(), "/srv/gmw", env=env).values())}
    for name, text in forms.items():
        assert "GMW_WIKI_PORT=9123" in text, name
        assert f"GMW_WIKI_DIR={env['GMW_WIKI_DIR']}" in text, name
        assert "/srv/gmw/.venv/bin/python" in text, name
    active = [ln for ln in forms["crontab"].splitlines() if ln and not ln.startswith("#")]
    assert len(active) == 2 and all(" env GMW_WIKI_DIR=" in ln for ln in active)
    assert scheduled_env({}, root=Path("/srv/gmw"))["GMW_WIKI_PORT"] == "8080"   # the default spelled out


class _Out:
    """A terminal stand-in that keeps what Progress prints."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, s: str) -> None:
        self.lines.append(s)

    def flush(self) -> None:
        pass


def _progress_lines(label: str, total: int, steps: int, finish: bool = False) -> list[str]:
    """What Progress prints over `steps` items, one each half second."""
    now = [0.0]
    out = _Out()
    p = Progress(label, total=total, out=out, clock=lambda: now[0])
    for _ in range(steps):
        now[0] += 0.5
        p.advance()
    if finish:
        p.finish()
    return [line.strip() for line in out.lines if line.strip()]


def test_progress_shows_done_total_rate_and_eta():
    shown = _progress_lines("checked", 100, 25)
    assert shown, "no progress line in 12 s"
    assert "checked: 20/100 (20%), 2.0/s, ETA 40s" in shown[0]


def test_progress_past_an_estimated_total_shows_no_percent_over_100_or_negative_eta():
    # The live check's total is the wiki's article count, which counts only pages with a link: a wiki
    # of 10,000 pages can report 3.
    shown = _progress_lines("check", 3, 30, finish=True)
    assert shown and all("%" not in line and "ETA" not in line for line in shown), shown
    assert shown[-1].startswith("check: 30, 2.0/s"), shown


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")))
def test_every_benchmark_has_help(script):
    res = _run(str(ROOT / "benchmarks" / script), "--help")
    assert res.returncode == 0, res.stderr
    assert "usage" in res.stdout.lower() and len(res.stdout.splitlines()) >= 3


@pytest.mark.parametrize("name", ["check", "harvest"])
def test_a_long_run_ends_with_its_progress_line_and_a_short_one_is_quiet(name, tmp_path):
    from bots.core.progress import QUIET

    for i in range(QUIET + 1):
        (tmp_path / f"Page_{i}.wikitext").write_text(f"Page {i}, of 1389.\n", encoding="utf-8")
    res = _run("-m", f"bots.{name}", f"-source:{tmp_path}", "-format:json")
    assert f"{name}: {QUIET + 1}/{QUIET + 1} (100%)" in res.stderr and "/s" in res.stderr, res.stderr
    (tmp_path / "Page_0.wikitext").rename(tmp_path.parent / "Page_0.wikitext")
    for p in list(tmp_path.iterdir())[10:]:
        p.unlink()
    assert "(100%)" not in _run("-m", f"bots.{name}", f"-source:{tmp_path}", "-format:json").stderr


def test_the_readme_holds_the_same_exit_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(line.split("|")[1:3] for line in readme.splitlines() if line.startswith("| ") and
                line.split("|")[1].strip().isdigit())
    assert sorted(int(k) for k in rows) == sorted(int(c) for c in ExitCode)
    for code in ExitCode:
        first = EXIT_HELP.split(f" {int(code)} ", 1)[1].split(":")[0].split("  ")[0].strip()
        assert first.split()[0] in rows[f" {int(code)} "], (code, first)
