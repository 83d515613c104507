"""The cyclic garbage collector paused over a bulk step that builds many objects and no cycles.

Each pass of the collector walks every tracked object of the process; a step that builds some
hundred thousand objects triggers many passes over a heap they make large, for nothing to collect.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["gc_paused", "settle"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No collection inside; the collector as it was after (a caller that disabled it keeps it so)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def settle() -> None:
    """For a process that keeps most of what it builds to its end (a check's parent holds every page's
    outcome): one collection, then what survives it is left out of every later pass (gc.freeze). The
    collector's full passes walk the whole heap each time it has grown by a quarter, so they cost
    several times the heap over a run; this walks each object about once. Only what is alive now
    is frozen, garbage is collected first. Nothing is done while the collector is paused: the
    caller manages it (gc_paused)."""
    if gc.isenabled():
        gc.collect()
        gc.freeze()
