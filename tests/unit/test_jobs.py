"""The jobs layer offline: schedules, the jobs file, due computation, history, emitted configuration."""
from __future__ import annotations

import configparser
import shlex
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from bots.core.jobs.emit import crontab, status_wikitext, systemd_units, toolforge_jobs
from bots.core.jobs.history import History
from bots.core.jobs.jobsfile import JobsError, discover_bots, is_due, parse_jobs, parse_timeout
from bots.core.jobs.runner import final_json
from bots.core.jobs.schedule import Schedule, ScheduleError

ROOT = Path(__file__).resolve().parents[2]
UTC = timezone.utc
PROJECT_BOTS = {"check", "publish", "install_templates", "timeline"}


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def jobs_text(*items: str) -> str:
    return "jobs:\n" + "".join(items)


def job(name="a", bot="check", schedule="'0 * * * *'", timeout="60", extra="") -> str:
    return (f"  - name: {name}\n    bot: {bot}\n    schedule: {schedule}\n    timeout: {timeout}\n" + extra)


# -- schedules -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["*/5 * * * *", "0 3 * * *", "30 2 1,15 * *", "0 9-17/2 * * mon-fri",
                                  "0 0 * jan,jul 0", "5 4 * * 7", "@hourly", "@daily", "@weekly", "@monthly"])
def test_schedules_parse(text):
    assert len(Schedule.parse(text).cron.split()) == 5


@pytest.mark.parametrize("text", ["", "* * * *", "* * * * * *", "61 * * * *", "* 24 * * *", "*/0 * * * *",
                                  "5-1 * * * *", "0 0 L * *", "0 0 * * 1#2", "H * * * *", "@reboot", "x y z w v"])
def test_bad_schedules(text):
    with pytest.raises(ScheduleError):
        Schedule.parse(text)


def test_last_and_next_slot():
    s = Schedule.parse("30 2 * * *")
    assert s.last_slot(t("2025-03-02T02:30:00")) == t("2025-03-02T02:30")
    assert s.last_slot(t("2025-03-02T02:29:59")) == t("2025-03-01T02:30")
    assert s.next_slot(t("2025-03-02T02:30:00")) == t("2025-03-03T02:30")


@pytest.mark.parametrize("cron, expected", [
    ("*/5 * * * *", ["*-*-* *:00/5:00"]),
    ("30 2 * * *", ["*-*-* 02:30:00"]),
    ("0 9-17 * * mon-fri", ["Mon..Fri *-*-* 09..17:00:00"]),
    ("0 0 1,15 * 0", ["*-*-01,15 00:00:00", "Sun *-*-* 00:00:00"]),   # cron ORs the two day fields
    ("@weekly", ["Sun *-*-* 00:00:00"]),
])
def test_on_calendar(cron, expected):
    assert Schedule.parse(cron).on_calendar() == expected


def test_on_calendar_checked_by_systemd():
    exe = shutil.which("systemd-analyze")
    if not exe:
        pytest.skip("systemd-analyze not installed: OnCalendar syntax not checked by systemd")
    for cron in ["*/5 * * * *", "30 2 * * *", "0 9-17/2 * * mon-fri", "0 0 1,15 * 0", "15 3 * 1-3,6 *",
                 "@hourly", "@monthly"]:
        for expr in Schedule.parse(cron).on_calendar():
            proc = subprocess.run([exe, "calendar", expr], capture_output=True, text=True)
            assert proc.returncode == 0, (cron, expr, proc.stderr)


# -- the jobs file ---------------------------------------------------------------------------------
def test_project_jobs_file_is_valid():
    jobs = parse_jobs((ROOT / "jobs.yaml").read_text(), "jobs.yaml", PROJECT_BOTS)
    assert {"check-sample-full", "check-sample-hourly", "publish-sample"} <= {j.name for j in jobs}
    assert all(j.timeout > 0 for j in jobs)


def test_arguments_and_timeouts():
    [j] = parse_jobs(jobs_text(job(timeout="2h", extra="    arguments: -source:a -format:json\n")),
                     known_bots=PROJECT_BOTS)
    assert j.arguments == ("-source:a", "-format:json") and j.timeout == 7200
    assert parse_timeout("30m") == 1800 and parse_timeout(5) == 5


@pytest.mark.parametrize("text, needle, line", [
    (jobs_text(job(), job(name="b", bot="nosuch")), "unknown bot 'nosuch'", 7),
    (jobs_text(job(name="b", schedule="'61 * * * *'")), "bad schedule", 4),
    (jobs_text("  - name: b\n    bot: check\n    timeout: 5\n"), "'schedule' is missing", 2),
    (jobs_text("  - name: b\n    schedule: '@daily'\n    timeout: 5\n"), "'bot' is missing", 2),
    (jobs_text(job(name="b", timeout="0")), "timeout must be positive", 5),
    (jobs_text(job(name="b", timeout="-3")), "timeout must be positive", 5),
    (jobs_text(job(name="b"), job(name="b")), "used twice", 6),
    (jobs_text(job(name="b", extra="    schedual: x\n")), "unknown key 'schedual'", 6),
    (jobs_text(job(name="b", bot="tests.fakebots.sleepy")), "GMW_JOBS_ALLOW_MODULES", 3),
    (jobs_text(job(name="b", extra="    timeout: 5\n")), "given twice", 5),
])
def test_bad_jobs_name_the_job_and_line(text, needle, line):
    with pytest.raises(JobsError) as err:
        parse_jobs(text, "my-jobs.yaml", PROJECT_BOTS)
    message = str(err.value)
    assert needle in message and "'b'" in message and f"my-jobs.yaml:{line}:" in message


@pytest.mark.parametrize("text", ["", "jobs: 3\n", "jobs: [\n", "- name: a\n"])
def test_bad_files(text):
    with pytest.raises(JobsError):
        parse_jobs(text, "x.yaml", PROJECT_BOTS)


def test_dotted_modules_only_when_allowed():
    text = jobs_text(job(bot="tests.fakebots.sleepy"))
    assert parse_jobs(text, known_bots=PROJECT_BOTS, allow_modules=True, root=ROOT)[0].module == \
        "tests.fakebots.sleepy"
    with pytest.raises(JobsError, match="no such module"):
        parse_jobs(jobs_text(job(bot="tests.fakebots.nope")), known_bots=set(), allow_modules=True, root=ROOT)


def test_discover_bots_finds_the_entry_points_and_only_them():
    found = discover_bots(ROOT / "bots")
    assert found == {"check", "publish", "generate", "harvest", "install_templates", "timeline"}


# -- due -------------------------------------------------------------------------------------------
def _job(schedule: str):
    return parse_jobs(jobs_text(job(schedule=f"'{schedule}'")), known_bots=PROJECT_BOTS)[0]


def test_due_rules():
    daily = _job("30 2 * * *")
    now = t("2025-03-02T02:31")
    window = now - timedelta(minutes=5)
    assert is_due(daily, now, None, window) == t("2025-03-02T02:30")            # first pass, in window
    assert is_due(daily, t("2025-03-02T04:00"), None, t("2025-03-02T03:55")) is None   # no backlog
    assert is_due(daily, t("2025-03-02T04:00"), None, t("2025-03-02T03:55"), ran_before=True)  # killed before
    assert is_due(daily, now, t("2025-03-02T02:30:05"), window) is None          # done (even if it failed)
    assert is_due(daily, t("2025-03-03T02:30"), t("2025-03-02T02:30:05"), window) == t("2025-03-03T02:30")


# -- history ---------------------------------------------------------------------------------------
def test_history_rows(tmp_path):
    h = History(tmp_path / "h.sqlite3")
    a = h.start("j", t("2025-01-01T00:00"), "run", 1, "log")
    h.finish(a, t("2025-01-01T00:01"), "failed", 3, {"errors": 2})
    b = h.start("j", t("2025-01-02T00:00"), "due", 1, "log")
    assert h.last_done("j") == t("2025-01-01T00:00")
    assert h.close_open("j", t("2025-01-02T01:00")) == [b]
    assert h.last("j").outcome == "killed" and h.last_done("j") == t("2025-01-01T00:00")
    assert h.runs("j")[1].counts == {"errors": 2}


def test_final_json():
    assert final_json('log line\n{\n "counts": {"a": 1}\n}\n') == {"counts": {"a": 1}}
    assert final_json('{"a": 1}') == {"a": 1}
    assert final_json('{"a": 1}\nthen more text\n') is None
    assert final_json("no json { here\n") is None


# -- emitted configuration -------------------------------------------------------------------------
@pytest.fixture
def project_jobs():
    return parse_jobs((ROOT / "jobs.yaml").read_text(), "jobs.yaml", PROJECT_BOTS)


@pytest.mark.parametrize("form", ["jobs", "due"])
def test_crontab_lines_parse(project_jobs, form):
    text = crontab(project_jobs, "/srv/gmw bots", "jobs.yaml", form=form)
    lines = [ln.removeprefix("# ") for ln in text.splitlines() if "/.venv/bin/python' -m bots.jobs" in ln]
    active = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert len(lines) == len(project_jobs) + 1
    assert len(active) == (len(project_jobs) if form == "jobs" else 1)
    for ln in lines:
        fields = ln.split(None, 5)
        Schedule.parse(" ".join(fields[:5]))
        assert fields[5].startswith("cd '/srv/gmw bots' && '/srv/gmw bots/.venv/bin/python' -m bots.jobs ")
    assert any(ln.endswith("bots.jobs run check-sample-full") for ln in lines)
    assert any(ln.startswith("*/5 * * * * ") and ln.endswith("bots.jobs due") for ln in lines)


def test_systemd_units_parse(project_jobs):
    units = systemd_units(project_jobs, "/srv/gmw")
    assert len(units) == 2 * len(project_jobs)
    for name, text in units.items():
        cfg = configparser.ConfigParser(strict=False, interpolation=None)
        cfg.read_string(text)
        if name.endswith(".timer"):
            assert cfg["Timer"]["OnCalendar"] and cfg["Install"]["WantedBy"] == "timers.target"
        else:
            words = shlex.split(cfg["Service"]["ExecStart"])   # each word double-quoted, systemd-style
            assert words[:4] == ["/srv/gmw/.venv/bin/python", "-m", "bots.jobs", "run"]
    assert "gmw-job-check-sample-full.timer" in units


def test_toolforge_yaml(project_jobs):
    items = yaml.safe_load(toolforge_jobs(project_jobs, "$HOME/gmw-bots"))
    assert [i["name"] for i in items] == [j.name for j in project_jobs]
    for item in items:
        assert set(item) == {"name", "command", "image", "schedule", "emails", "filelog"}
        assert item["image"] == "python3.11" and item["emails"] == "none" and item["filelog"] is True
        Schedule.parse(item["schedule"])
        assert item["command"].startswith("cd $HOME/gmw-bots && ")


def test_status_wikitext():
    rows = [{"name": "a", "bot": "check", "schedule": "@daily", "last_started": "2025-01-01T00:00:00+00:00",
             "outcome": "failed", "counts": {"errors": 2, "pages": 9}, "next_due": "2025-01-02T00:00+00:00",
             "due_now": False},
            {"name": "b|c", "bot": "publish", "schedule": "0 * * * *", "last_started": None, "outcome": None,
             "counts": None, "next_due": "2025-01-01T01:00+00:00", "due_now": True,
             "missed": "2025-01-01T00:00+00:00"}]
    rows[0]["recent"] = [{"started": "2025-01-01T00:00:00+00:00", "outcome": "failed", "seconds": 12.5,
                          "counts": {"errors": 2, "pages": 9}}]
    text = status_wikitext(rows)
    assert text.count("\n|-\n") == 3 and text.rstrip().endswith("|}")
    assert "=== a: the last 1 runs ===" in text and "12.5 s" in text
    assert "errors: 2, pages: 9" in text and "b&#124;c" in text and "never run" in text and "missed" in text
    assert status_wikitext(rows) == text   # no clock: unchanged status, unchanged page


def test_pure_layer_does_not_import_pywikibot():
    code = ("import sys, bots.core.jobs.jobsfile, bots.core.jobs.schedule, bots.core.jobs.history, bots.core.jobs.runner, "
            "bots.core.jobs.emit, bots.jobs; assert 'pywikibot' not in sys.modules, 'pywikibot imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
