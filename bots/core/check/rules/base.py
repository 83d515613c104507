"""What a rule is, what it finds, and the registry that lists them (``-listrules``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Callable, Iterable, Iterator

from mwparserfromhell.wikicode import Wikicode

from bots.core.wikitext.article import Article
from bots.core.wikitext.lines import line_of

__all__ = ["Severity", "Finding", "Hit", "PageView", "Rule", "RULES", "rule", "declare_rule", "line_at"]


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One thing wrong on one page: what `-format:json` prints, one object per finding."""

    page: str
    rule: str
    severity: Severity
    line: int
    message: str
    fix: str | None = None

    def as_dict(self) -> dict:
        out = {"page": self.page, "rule": self.rule, "severity": self.severity.value,
               "line": self.line, "message": self.message}
        if self.fix is not None:
            out["fix"] = self.fix
        return out


@dataclass(frozen=True)
class Hit:
    """What a page rule yields; the runner turns it into a Finding with the rule's id and severity.

    `fix` is a human-readable description of the safe fix (e.g. the right date); `edit`, when set, is
    (start, end, replacement) on the page text, applied by `-fix`.
    """

    line: int
    message: str
    fix: str | None = None
    edit: tuple[int, int, str] | None = None


def line_at(text: str, offset: int) -> int:
    """1-based line number of a character offset (bots.core.wikitext.lines)."""
    return line_of(text, offset)


@dataclass
class PageView:
    """A page as the rules see it: the raw text, parsed once into the Article model and shared by
    every rule. `extras` carries what a caller knows beyond the text (the schemas, for instance)."""

    title: str
    text: str
    extras: dict = field(default_factory=dict)

    @cached_property
    def article(self) -> Article:
        return Article(self.title, self.text)

    @property
    def code(self) -> Wikicode:
        return self.article.code

    def line_at(self, offset: int) -> int:
        return self.article.line_at(offset)


PageCheck = Callable[[PageView], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    doc: str
    check: PageCheck | None = None   # page rules; cross-page rules run in the universe index instead
    group: str = "page"


RULES: dict[str, Rule] = {}


def declare_rule(rule_id: str, severity: Severity, doc: str, group: str, check: PageCheck | None = None) -> str:
    """Register a rule; without `check` it is answered elsewhere (the universe index, the live wiki's
    rendering, the engine itself) and is still listed, configured and excepted like every rule."""
    if rule_id in RULES:
        raise ValueError(f"rule id {rule_id!r} registered twice")
    RULES[rule_id] = Rule(rule_id, severity, doc, check, group)
    return rule_id


def rule(rule_id: str, severity: Severity, doc: str, group: str = "page") -> Callable[[PageCheck], PageCheck]:
    """Register a page rule: ``@rule("dup-category", Severity.WARNING, "A category is given twice.")``."""

    def register(func: PageCheck) -> PageCheck:
        declare_rule(rule_id, severity, doc, group, func)
        return func

    return register


def iter_rules(group: str | None = None) -> Iterator[Rule]:
    return (r for r in RULES.values() if group is None or r.group == group)
