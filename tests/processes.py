"""A process's children as Linux lists them (/proc/PID/task/TID/children): for the tests and
benchmarks that follow a run's processes (Dask workers, page-budget children)."""
from __future__ import annotations

import os

__all__ = ["children", "descendants"]


def children(pid: int) -> list[int]:
    """The live children of `pid`, of every one of its threads; none once it is gone."""
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def descendants(pid: int) -> set[int]:
    out: set[int] = set()
    level = [pid]
    while level:
        level = [c for p in level for c in children(p)]
        out.update(level)
    return out
