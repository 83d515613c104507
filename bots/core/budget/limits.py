"""What one page may cost (`Budget`), and what comes back in place of a result: `OverBudget` (what
was measured) or `Failed` (the work raised)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Budget", "OverBudget", "Failed", "DEFAULT"]


@dataclass(frozen=True)
class Budget:
    """What one page may cost. The defaults are the project's (check-config.yaml can change them)."""

    cpu_seconds: float = 2.0
    memory_mb: int = 512

    @property
    def wall_seconds(self) -> float:
        # Generous: the machine is shared, a worker may wait for a core. Only hangs get here.
        return 10 * self.cpu_seconds + 30

    def describe(self) -> str:
        return f"{self.cpu_seconds:g} s of CPU and {self.memory_mb} MB per page"


DEFAULT = Budget()


@dataclass(frozen=True)
class OverBudget:
    """An item whose work went over the budget (or was refused by a pre-scan); what was measured."""

    kind: str                        # "cpu", "memory", "wall", "shape" (pre-scan), "crashed"
    budget: Budget
    cpu_seconds: float | None = None
    memory_mb: float | None = None
    detail: str = ""
    label: Any = None                # which sub-item of an expanded item (see BudgetPool's expand)

    def message(self) -> str:
        # Names the budget, never the time measured: the same page gives the same finding however busy
        # the machine (or whichever Dask worker ran it). The measured figures stay on the object.
        if self.kind == "cpu":
            what = "parsing was stopped after the CPU time the budget allows"
        elif self.kind == "memory":
            what = f"parsing needed more than {self.budget.memory_mb} MB of memory"
        elif self.kind == "wall":
            what = f"parsing made no progress for {self.budget.wall_seconds:g} s"
        elif self.kind == "shape":
            what = f"not parsed: {self.detail}"
        else:
            what = f"the worker parsing it died ({self.detail})"
        extra = f"; {self.detail}" if self.detail and self.kind in ("cpu", "memory") else ""
        return f"{what}{extra}; the budget is {self.budget.describe()}"


@dataclass(frozen=True)
class Failed:
    """`func` raised on an item (a bug, or input it cannot handle); the run goes on."""

    error: str
    label: Any = None
