"""How long the bots keep trying a wiki that does not answer: one budget, in seconds. Pure.

pywikibot waits `retry_wait` seconds after a failed request, doubling each time up to `retry_max`,
and gives up after `max_retries` retries. The bots turn one number, the retry budget (GMW_RETRY_BUDGET,
default 120 s), into those settings, so that an unreachable wiki or one that keeps answering errors
is reported (exit 6) within about that time, not after pywikibot's own defaults (up to ~30 minutes).
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RetryPlan", "retry_plan", "DEFAULT_BUDGET"]

DEFAULT_BUDGET = 120.0


@dataclass(frozen=True)
class RetryPlan:
    max_retries: int
    retry_wait: float
    retry_max: float
    read_timeout: float      # seconds a request may wait for its answer (one hung request counts too)

    @property
    def waits(self) -> float:
        """The seconds spent waiting between tries, all retries used."""
        total, wait = 0.0, self.retry_wait
        for _ in range(self.max_retries):
            total += min(wait, self.retry_max)
            wait *= 2
        return total


def retry_plan(budget: float = DEFAULT_BUDGET, first_wait: float = 1.0, cap: float = 20.0) -> RetryPlan:
    """The most retries whose waits, and one request's read timeout, fit in `budget` seconds."""
    budget = max(float(budget), 1.0)
    first_wait = min(first_wait, budget)
    read_timeout = max(5.0, min(45.0, budget / 4))
    retries, total, wait = 0, 0.0, first_wait
    while total + min(wait, cap) + read_timeout <= budget and retries < 50:
        total += min(wait, cap)
        wait *= 2
        retries += 1
    return RetryPlan(retries, first_wait, cap, read_timeout)
