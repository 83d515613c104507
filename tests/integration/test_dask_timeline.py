"""timeline -engine:dask (a LocalCluster of 2 workers) builds, from a multistream dump, the same timeline
pages as -engine:local; without a -source: it is refused (the live wiki is read with -engine:local)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dumps import event_pages, write_dump

pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[2]


def run_timeline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bots.timeline", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ})


def test_the_timelines_of_a_dump_are_the_same_on_dask(tmp_path):
    dump, _ = write_dump(tmp_path / "dump", event_pages(600), per_stream=100)
    local, dask = tmp_path / "local", tmp_path / "dask"
    a = run_timeline(f"-source:{dump}", f"-out:{local}", "-processes:2", "-format:json")
    b = run_timeline(f"-source:{dump}", f"-out:{dask}", "-engine:dask", "-processes:2", "-format:json")
    assert a.returncode == 3, a.stderr[-2000:]      # the dump's title given twice, its flood page: errors
    assert b.returncode == 3, b.stderr[-2000:]
    assert "harvest (pieces):" in b.stderr
    files = sorted(p.name for p in local.iterdir())
    assert files and files == sorted(p.name for p in dask.iterdir())
    for name in files:
        assert (dask / name).read_text("utf-8") == (local / name).read_text("utf-8"), name
    assert a.stdout == b.stdout


def test_dask_without_a_source_is_refused_with_the_reason():
    res = run_timeline("-engine:dask", "-simulate")
    assert res.returncode == 2 and "-source:" in res.stderr, res.stderr[-1000:]
