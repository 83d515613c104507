"""The pre-publish gate: the offline page checks run on a page's text before it is saved."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from bots.core.checkconfig import load_config
from bots.core.checker import PAGE_GROUPS, Checker, page_errors

__all__ = ["make_gate"]

_CONFIG = Path(__file__).resolve().parent.parent / "check-config.yaml"


def make_gate(schemas: dict, config_path: Path = _CONFIG) -> Callable[[str, str], list[str]]:
    """(title, text) -> the error-level findings that block the page, as readable reasons. The
    project's check configuration applies (a rule switched off there does not block)."""
    config = load_config(config_path if config_path.exists() else None)
    checker = Checker(config, schemas, groups=PAGE_GROUPS)

    def gate(title: str, text: str) -> list[str]:
        return [f"{f.rule} (line {f.line}): {f.message}" for f in page_errors(title, text, schemas, config, checker)]

    return gate
