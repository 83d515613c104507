"""The cyclic garbage collector paused over a bulk step that builds many objects and no cycles.

Each pass of the collector walks every tracked object of the process; a step that builds some
hundred thousand objects triggers many passes over a heap they make large, for nothing to collect.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

__all__ = ["gc_paused"]


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
