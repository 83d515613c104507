"""`python -m bots.jobs` end to end, in subprocesses, with the fake bot tests/fakebots/sleepy.py."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bots.core.jobs.history import History
from bots.core.jobs.runner import JobLock, State

ROOT = Path(__file__).resolve().parents[2]
SLEEPY = "tests.fakebots.sleepy"


def fake_job(name: str, schedule: str, args: str = "", timeout: str = "30") -> str:
    return (f"  - name: {name}\n    bot: {SLEEPY}\n    schedule: '{schedule}'\n    timeout: {timeout}\n"
            f"    arguments: {args!r}\n")


@pytest.fixture
def env(tmp_path):
    """Jobs file, state folder and marks (one line per start of a job) in tmp_path."""
    marks = tmp_path / "marks"
    marks.mkdir()
    text = "jobs:\n" + "".join([
        fake_job("sleepy", "0 0 1 1 *", f"-sleep:2 -mark:{marks}/sleepy"),
        fake_job("hourly", "0 * * * *", f"-mark:{marks}/hourly -json"),
        fake_job("nightly", "30 2 * * *", f"-mark:{marks}/nightly"),
        fake_job("quarter", "*/15 * * * *", f"-mark:{marks}/quarter -exit:3"),
        fake_job("killme", "0 0 1 1 *", f"-sleep:30 -mark:{marks}/killme"),
        fake_job("slow", "0 0 1 1 *", "-sleep:30", timeout="1"),
    ])
    (tmp_path / "jobs.yaml").write_text(text)
    environ = dict(os.environ, GMW_JOBS_ALLOW_MODULES="1", GMW_JOBS_FILE=str(tmp_path / "jobs.yaml"),
                   GMW_JOBS_STATE=str(tmp_path / "state"), TZ="UTC")
    return {"env": environ, "tmp": tmp_path, "marks": marks, "state": State(tmp_path / "state")}


def jobs(env, *args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bots.jobs", *args], cwd=ROOT, env=env["env"],
                          capture_output=True, text=True, timeout=30, **kw)


def starts(env, name: str) -> int:
    path = env["marks"] / name
    return len(path.read_text().splitlines()) if path.exists() else 0


def wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def history(env) -> History:
    return env["state"].history()


def test_help_and_usage(env):
    assert jobs(env, "-help").returncode == 0 and "crontab" in jobs(env, "-help").stdout
    assert jobs(env, "nosuch").returncode == 2
    assert jobs(env, "run").returncode == 2
    assert jobs(env, "run", "nope").returncode == 2


def test_concurrent_runs_one_is_refused(env):
    first = subprocess.Popen([sys.executable, "-m", "bots.jobs", "run", "sleepy"], cwd=ROOT, env=env["env"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: starts(env, "sleepy") == 1), "the first run did not start"
        t0 = time.monotonic()
        second = jobs(env, "run", "sleepy")
        assert second.returncode == 5 and time.monotonic() - t0 < 1.5
        assert "busy" in second.stderr and "sleepy" in second.stderr and "already running" in second.stderr
        assert first.wait(timeout=15) == 0
    finally:
        first.kill()
        first.communicate()
    assert starts(env, "sleepy") == 1
    runs = history(env).runs("sleepy")
    assert [r.outcome for r in runs] == ["ok"] and runs[0].ended > runs[0].started


def test_due_runs_exactly_the_due_jobs(env):
    def due(now):
        proc = jobs(env, "due", f"-now:{now}", "-format:json")
        assert proc.returncode in (0, 3), proc.stderr
        return sorted(r["job"] for r in json.loads(proc.stdout))

    # First pass ever: only slots within the window (02:30), no backlog (02:00 hourly, yearly ones).
    assert due("2025-03-01T02:31:00+00:00") == ["nightly", "quarter"]
    assert due("2025-03-01T02:40:00+00:00") == []                    # nothing new; failed quarter waits
    assert due("2025-03-01T03:00:30+00:00") == ["hourly", "quarter"]  # hourly's first slot since 02:40
    assert due("2025-03-01T03:05:00+00:00") == []
    assert due("2025-03-02T02:31:00+00:00") == ["hourly", "nightly", "quarter"]
    assert [starts(env, n) for n in ("hourly", "nightly", "quarter", "sleepy", "killme")] == [2, 2, 3, 0, 0]
    h = history(env)
    assert {r.outcome for r in h.runs("quarter")} == {"failed"}
    assert h.last("hourly").counts == {"checked": 3, "errors": 1}   # the bot's final -format:json object
    assert h.last("nightly").trigger == "due" and h.last("nightly").counts is None


def test_killed_run_is_recorded_and_run_again(env):
    runner = subprocess.Popen([sys.executable, "-m", "bots.jobs", "run", "killme", "-now:2025-03-01T02:31Z"],
                              cwd=ROOT, env=env["env"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: starts(env, "killme") == 1)
        runner.send_signal(signal.SIGKILL)
        runner.wait(timeout=5)
    finally:
        runner.kill()
    lock = JobLock(env["state"].lock_path("killme"))
    assert wait_for(lambda: not lock.held_elsewhere()), "the bot outlived its killed runner"
    assert history(env).last("killme").ended is None
    status = json.loads(jobs(env, "status", "-now:2025-03-01T02:33Z", "-format:json").stdout)
    assert {r["name"]: r["outcome"] for r in status}["killme"].startswith("killed")
    # The next due records the killed run and runs the job again (a yearly job: only because of the
    # kill). It sleeps 30 s: stop that run with SIGTERM, which the runner records as killed at once.
    proc = subprocess.Popen([sys.executable, "-m", "bots.jobs", "due", "-now:2025-03-01T02:35Z"], cwd=ROOT,
                            env=env["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: starts(env, "killme") == 2), "due did not run the killed job again"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        proc.kill()
    assert "killed mid-way" in out
    outcomes = [r.outcome for r in history(env).runs("killme")]
    assert outcomes == ["killed", "killed"]   # the first by SIGKILL, the second by SIGTERM (recorded at once)


def test_timeout_kills_the_job(env):
    t0 = time.monotonic()
    proc = jobs(env, "run", "slow", "-format:json")
    assert time.monotonic() - t0 < 10
    assert proc.returncode == 3 and json.loads(proc.stdout)["outcome"] == "timeout"
    run = history(env).last("slow")
    assert run.outcome == "timeout" and run.ended is not None
    assert "timeout of 1 s was exceeded" in Path(run.log).read_text()


def test_bad_jobs_file_exits_2_naming_the_job(env):
    (env["tmp"] / "jobs.yaml").write_text("jobs:\n" + fake_job("ok", "@daily") +
                                          "  - name: broken\n    bot: nosuch\n    schedule: '@daily'\n"
                                          "    timeout: 5\n")
    for command in ("list", "due", "crontab"):
        proc = jobs(env, command)
        assert proc.returncode == 2
        assert "jobs.yaml:8: job 'broken': unknown bot 'nosuch'" in proc.stderr
    assert starts(env, "ok") == 0


def test_list_status_and_emitters(env):
    listing = json.loads(jobs(env, "list", "-format:json").stdout)
    assert [j["name"] for j in listing][:2] == ["sleepy", "hourly"]
    status = json.loads(jobs(env, "status", "-now:2025-03-01T02:31Z", "-format:json").stdout)
    assert {r["name"]: r["due_now"] for r in status}["nightly"] is True
    cron = jobs(env, "crontab", "-form:due")
    assert cron.returncode == 0 and "\n*/5 * * * * cd " in cron.stdout and "# 0 * * * * cd " in cron.stdout
    units = jobs(env, "systemd", f"-out:{env['tmp'] / 'units'}")
    assert units.returncode == 0 and len(list((env["tmp"] / "units").glob("*.timer"))) == len(listing)
    assert jobs(env, "toolforge").stdout.startswith("- name: sleepy")


def test_status_text_shows_counts_and_due_now_only_for_a_missed_slot(env):
    assert jobs(env, "run", "hourly").returncode == 0
    rows = {line.split()[0]: line for line in jobs(env, "status").stdout.splitlines()[1:]}
    assert "checked 3, errors 1" in rows["hourly"] and "due now" not in rows["hourly"]
    later = jobs(env, "status", "-now:2099-01-01T00:30+00:00").stdout
    hourly = next(line for line in later.splitlines() if line.startswith("hourly"))
    assert "(missed 2099-01-01T00:00+00:00: due now)" in hourly and "2099-01-01T01:00" in hourly
