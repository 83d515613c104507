"""The operator's view: an unreachable wiki is one line and exit 6 for every bot, within the retry
budget; a crontab line runs under cron's empty environment against the wiki it was made for; no
bot prompts without a terminal."""
from __future__ import annotations

import json
import shlex
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .helpers import api, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
BUDGET = 4

# Every bot that talks to the wiki, doing what it does on it.
BOTS = {
    "check": ["-cat:Earth-1389"],
    "check-report": ["-cat:Earth-1389", "-report"],
    "check-json": ["-cat:Earth-1389", "-format:json"],
    "harvest": ["-cat:Earth-1389"],
    "publish": [f"-source:{ROOT / 'data/universes'}"],
    "install_templates": [],
    "jobs": ["status", "-wiki:User:MultiverseBot/Jobs"],
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Silent:
    """A server that accepts connections and never answers: a wiki that hangs."""

    def __enter__(self) -> int:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()
        return self.sock.getsockname()[1]

    def _accept(self) -> None:
        try:
            while True:
                self.held.append(self.sock.accept()[0])
        except OSError:
            pass

    def __exit__(self, *exc) -> None:
        self.sock.close()
        for c in self.held:
            c.close()


@pytest.mark.parametrize("kind", ["refused", "silent"])
@pytest.mark.parametrize("bot", sorted(BOTS))
def test_an_unreachable_wiki_is_one_line_and_exit_6_within_the_budget(wiki, bot, kind):
    def run(port: int):
        start = time.monotonic()
        res = wiki.bot(bot.split("-")[0], *BOTS[bot], timeout=120,
                       env={"GMW_WIKI_PORT": str(port), "GMW_RETRY_BUDGET": str(BUDGET)})
        return res, time.monotonic() - start

    if kind == "refused":
        port = _closed_port()
        res, took = run(port)
    else:
        with _Silent() as port:
            res, took = run(port)
    assert res.returncode == 6, res.stdout[-2000:] + res.stderr[-2000:]
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"error: the wiki at http://127.0.0.1:{port}/api.php ")
    assert ("Connection refused" if kind == "refused" else "timed out") in lines[0]
    assert "Traceback" not in res.stdout + res.stderr
    if bot.endswith("json"):
        json.loads(res.stdout)
    # The budget bounds the retries; one request's own timeout and the start-up come on top.
    assert took < BUDGET + 30, f"{took:.0f} s"


def test_no_bot_prompts_without_a_terminal(wiki):
    """An account with no BotPassword in the password file: pywikibot would ask for a password."""
    res = wiki.bot("publish", f"-source:{ROOT / 'data/universes'}", "-user:Admin", timeout=120)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "no terminal" in lines[0], res.stderr
    assert "Traceback" not in res.stderr


def _cron_line(w, jobs: Path, state: Path) -> str:
    """The active line `jobs crontab` prints for the one job: its command, without the schedule."""
    out = w.bot("jobs", f"-jobs:{jobs}", f"-state:{state}", "crontab", check=True).stdout
    [line] = [ln for ln in out.splitlines() if ln and not ln.startswith("#")]
    return line.split(None, 5)[5]


def _env_i(command: str) -> subprocess.CompletedProcess:
    """The line as cron runs it: /bin/sh, an environment of nothing but HOME, PATH and SHELL."""
    return subprocess.run(["env", "-i", "HOME=/nonexistent", "PATH=/usr/bin:/bin", "SHELL=/bin/sh",
                           "/bin/sh", "-c", command.replace("\\%", "%")], capture_output=True, text=True,
                          timeout=600, cwd="/")


def test_the_crontab_line_runs_under_an_empty_environment_against_its_wiki(empty_wiki, tmp_path):
    w = empty_wiki
    assert w.bot("install_templates").returncode == 0
    assert w.bot("publish", f"-source:{ROOT / 'data/universes'}", "-force").returncode == 0
    jobs, state = tmp_path / "jobs.yaml", tmp_path / "state"
    jobs.write_text("jobs:\n  - name: check-earth\n    bot: check\n"
                    '    arguments: ["-cat:Earth-1389", "-report", "-format:json"]\n'
                    '    schedule: "30 2 * * *"\n    timeout: 10m\n', encoding="utf-8")
    command = _cron_line(w, jobs, state)
    assert f"GMW_WIKI_PORT={w.port}" in command and str(ROOT / ".venv/bin/python") in command
    assert "GMW_RETRY_BUDGET" not in command
    command = command.replace(" env ", f" env GMW_RETRY_BUDGET={BUDGET} ", 1)

    subprocess.run(["bash", str(ROOT / "scripts/wiki-down.sh")], env=w.env, check=True, capture_output=True)
    try:
        down = _env_i(command)
    finally:
        up = subprocess.run(["bash", str(ROOT / "scripts/wiki-up.sh")], env=w.env, capture_output=True, text=True)
        assert up.returncode == 0, up.stderr[-2000:]
    assert down.returncode == 6, down.stdout[-2000:] + down.stderr[-2000:]
    status = json.loads(w.bot("jobs", f"-jobs:{jobs}", f"-state:{state}", "status", "-format:json",
                              check=True).stdout)
    [row] = status
    assert row["outcome"] == "wiki unavailable" and row["exit_code"] == 6, row

    ran = _env_i(command)
    assert ran.returncode == 1, ran.stdout[-2000:] + ran.stderr[-2000:]     # the seed's calendar error
    [row] = json.loads(w.bot("jobs", f"-jobs:{jobs}", f"-state:{state}", "status", "-format:json",
                             check=True).stdout)
    assert row["outcome"] == "findings"
    report = "Project:Consistency report/Earth-1389"
    text = page_text(w, report)
    assert text and "-cat:Earth-1389" in text and "check-earth" in text, text
    assert api(w, action="query", list="allpages", apprefix="Consistency report", apnamespace=4)
