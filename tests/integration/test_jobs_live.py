"""Scheduled runs against the real wiki: a job runs a real bot, and the status page is saved once."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import history, page_text

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
STATUS = "User:MultiverseBot/Jobs"


def _jobs(wiki, state: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bots.jobs", f"-state:{state}", *args], cwd=ROOT, env=wiki.env,
                          capture_output=True, text=True, timeout=600)


def test_a_job_runs_a_real_bot_and_the_status_page_is_saved_once(wiki, tmp_path):
    state = tmp_path / "state"
    run = _jobs(wiki, state, "run", "install-templates")
    assert run.returncode == 0, run.stdout + run.stderr
    status = _jobs(wiki, state, "status", "-format:json")
    [row] = [r for r in json.loads(status.stdout) if r["name"] == "install-templates"]
    assert row["outcome"] == "ok" and row["counts"]["created"] + row["counts"]["unchanged"] >= 9
    first = _jobs(wiki, state, "status", f"-wiki:{STATUS}")
    assert first.returncode == 0, first.stderr
    assert "install-templates" in page_text(wiki, STATUS)
    revs = history(wiki, STATUS)
    again = _jobs(wiki, state, "status", f"-wiki:{STATUS}")
    assert again.returncode == 0 and "unchanged" in again.stdout
    assert history(wiki, STATUS) == revs
