"""The pre-publish gate: the offline page checks run on a page's text before it is saved.

Each page is checked in a worker process within the page budget of the check configuration
(bots.core.budget): a page that cannot be parsed within it is blocked with `page-too-complex`,
and the next page is gated at once. The worker lives as long as the gate, or the process.
"""
from __future__ import annotations

import atexit
from pathlib import Path
from typing import Callable

from bots.core.budget import BudgetPool
from bots.core.check.config import load_config
from bots.core.check.checker import PAGE_GROUPS, Checker
from bots.core.check.rules.base import Severity

__all__ = ["make_gate"]

_CONFIG = Path(__file__).resolve().parents[3] / "check-config.yaml"


def make_gate(schemas: dict, config_path: Path = _CONFIG) -> Callable[[str, str], list[str]]:
    """(title, text) -> the error-level findings that block the page, as readable reasons. The
    project's check configuration applies (a rule switched off there does not block)."""
    config = load_config(config_path if config_path.exists() else None)
    checker = Checker(config, schemas, groups=PAGE_GROUPS)
    pool: list[BudgetPool] = []     # started at the first page: a run with nothing to gate forks nothing

    def gate(title: str, text: str) -> list[str]:
        if not pool:
            pool.append(BudgetPool(lambda page: checker.check_page(*page), config.budget))
            atexit.register(pool[0].close)
        outcome = pool[0].run((title, text))
        if not hasattr(outcome, "findings"):
            outcome = checker.unchecked(title, outcome)
        return [f"{f.rule} (line {f.line}): {f.message}" for f in outcome.findings if f.severity is Severity.ERROR]

    return gate
