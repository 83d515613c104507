"""The rules package: every module in it registers its rules in ``base.RULES`` when imported.

``load_rules()`` imports them all (found with pkgutil, so a new rule module needs no list to be kept
up to date) and returns the registry; ``all_rules()`` lists it in id order. The engine's own findings,
``rule-crashed`` and ``page-too-complex``, are registered here so that ``-listrules`` documents it and the configuration can
name it like any other rule.
"""
from __future__ import annotations

import importlib
import pkgutil

from .base import RULES, Rule, Severity, declare_rule

__all__ = ["RULE_CRASHED", "PAGE_TOO_COMPLEX", "load_rules", "all_rules"]

RULE_CRASHED = declare_rule(
    "rule-crashed", Severity.ERROR,
    "A rule raised an exception on this page; the run went on without that rule's findings.", "engine")
PAGE_TOO_COMPLEX = declare_rule(
    "page-too-complex", Severity.ERROR,
    "The page could not be parsed within the page budget (CPU, memory; check-config.yaml page_budget); "
    "it was not checked, the run went on.", "engine")


def load_rules() -> dict[str, Rule]:
    """Import every module of this package so that all rules register; the registry."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return RULES


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by id."""
    load_rules()
    return sorted(RULES.values(), key=lambda r: r.id)
