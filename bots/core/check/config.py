"""What a check run reports: rules switched off, severities changed, accepted exceptions.

The configuration file is YAML (the project's default, documented, is ``check-config.yaml`` at the
repository root)::

    rules:
      markup-invalid-br: {enabled: false}        # not run, not reported
      cross-universe-link: {severity: info}      # reported as info instead of warning
    exceptions_page: "Project:Bot exceptions"
    page_budget: {cpu_seconds: 2, memory_mb: 512}   # what parsing one page may cost (bots.core.budget)

A rule id the registry does not know is a :class:`ConfigError` naming the file and the id (a usage
error for the command line), so that a typo never silently leaves a rule on.

The exceptions page is a wiki page where editors list the findings they have looked at and accepted.
One exception per line, a list item naming the rule and then the page or pages::

    * cross-universe-link: [[Napoleon Bonaparte (Earth-1263)]]
    * duplicate-event: [[October Revolution]], [[October Revolution (Earth-1389)]]

Every other line (headings, prose, other lists, anything in <!-- comments --> or <nowiki>/<pre>) is
ignored, so the page can explain itself. Titles are normalised as MediaWiki does ("october_revolution"
is "October revolution"); a rule id is matched exactly. An exception removes that rule's findings on
that page, and its safe fixes too.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from bots.core.sources import safeload
from bots.core.budget import DEFAULT as DEFAULT_BUDGET, Budget
from bots.core.wikitext.lines import line_of
from bots.core.check.rules import load_rules
from bots.core.check.rules.base import Finding, Severity
from bots.core.wikitext.titles import normalize_title

__all__ = ["CheckConfig", "ConfigError", "DEFAULT_EXCEPTIONS_PAGE", "load_config", "parse_exceptions",
           "exception_entries"]

DEFAULT_EXCEPTIONS_PAGE = "Project:Bot exceptions"
_RULE_KEYS = {"enabled", "severity"}
_TOP_KEYS = {"rules", "exceptions_page", "page_budget"}
_BUDGET_KEYS = {"cpu_seconds": (0.05, 3600.0), "memory_mb": (64, 65536)}   # allowed ranges


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message names the file and what is wrong."""


@dataclass
class CheckConfig:
    disabled: set[str] = field(default_factory=set)
    severities: dict[str, Severity] = field(default_factory=dict)
    exceptions: set[tuple[str, str]] = field(default_factory=set)     # (rule id, normalised title)
    exceptions_page: str = DEFAULT_EXCEPTIONS_PAGE
    budget: Budget = DEFAULT_BUDGET
    entries: tuple[tuple[str, str, int], ...] = ()    # the exceptions page's lines: (rule, title, line)

    def enabled(self, rule_id: str) -> bool:
        return rule_id not in self.disabled

    def excepted(self, rule_id: str, title: str) -> bool:
        return bool(self.exceptions) and (rule_id, normalize_title(title) or title) in self.exceptions

    def apply(self, finding: Finding, exceptions: bool = True) -> Finding | None:
        """The finding as this configuration reports it, or None when it is not reported. With
        `exceptions` False the accepted exceptions are left for the caller (who counts their use)."""
        if finding.rule in self.disabled or (exceptions and self.excepted(finding.rule, finding.page)):
            return None
        severity = self.severities.get(finding.rule)
        return finding if severity is None or severity is finding.severity else replace(finding, severity=severity)

    def with_exceptions(self, exceptions: set[tuple[str, str]] | list[tuple[str, str, int]]) -> CheckConfig:
        """A copy with more exceptions: (rule, title) pairs, or the (rule, title, line) entries of the
        wiki's exceptions page (exception_entries), which the check then audits."""
        entries = [e for e in exceptions if len(e) == 3]
        pairs = {(e[0], e[1]) for e in exceptions}
        return replace(self, exceptions=self.exceptions | pairs, entries=tuple(self.entries) + tuple(entries))


def load_config(path: Path | None) -> CheckConfig:
    """The configuration in `path`; the defaults (every rule on, as registered) when None."""
    if path is None:
        return CheckConfig()
    path = Path(path)
    try:
        data = safeload.load_yaml(safeload.read_text(path, safeload.SETTINGS), safeload.SETTINGS)
    except safeload.LimitError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise ConfigError(f"{where}: refused: {exc.message}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 ({exc.reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: malformed YAML: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return CheckConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with 'rules' and 'exceptions_page'")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")
    config = CheckConfig()
    page = data.get("exceptions_page", DEFAULT_EXCEPTIONS_PAGE)
    if not isinstance(page, str) or not normalize_title(page):
        raise ConfigError(f"{path}: exceptions_page must be a page title")
    config.exceptions_page = normalize_title(page)
    config.budget = _budget(path, data.get("page_budget"))
    rules = data.get("rules") or {}
    if not isinstance(rules, dict):
        raise ConfigError(f"{path}: 'rules' must map rule ids to settings")
    registry = load_rules()
    for rule_id, settings in rules.items():
        if rule_id not in registry:
            raise ConfigError(f"{path}: unknown rule {rule_id!r} (see -listrules)")
        settings = settings or {}
        if not isinstance(settings, dict) or set(settings) - _RULE_KEYS:
            raise ConfigError(f"{path}: rule {rule_id!r}: settings are 'enabled: false' and/or "
                              f"'severity: error|warning|info'")
        enabled = settings.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{path}: rule {rule_id!r}: 'enabled' must be true or false")
        if not enabled:
            config.disabled.add(rule_id)
        if "severity" in settings:
            try:
                config.severities[rule_id] = Severity(str(settings["severity"]).lower())
            except ValueError:
                raise ConfigError(f"{path}: rule {rule_id!r}: severity {settings['severity']!r} is not "
                                  "error, warning or info") from None
    return config


def _budget(path: Path, value) -> Budget:
    if value is None:
        return DEFAULT_BUDGET
    if not isinstance(value, dict) or set(value) - set(_BUDGET_KEYS):
        raise ConfigError(f"{path}: page_budget takes cpu_seconds and/or memory_mb, e.g. "
                          "{cpu_seconds: 2, memory_mb: 512}")
    numbers = {}
    for key, (low, high) in _BUDGET_KEYS.items():
        number = value.get(key, getattr(DEFAULT_BUDGET, key))
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not low <= number <= high:
            raise ConfigError(f"{path}: page_budget {key} must be a number from {low:g} to {high:g}, "
                              f"not {number!r}")
        numbers[key] = number
    return Budget(float(numbers["cpu_seconds"]), int(numbers["memory_mb"]))


_IGNORED = re.compile(r"<!--.*?(?:-->|$)|<(nowiki|pre)\b[^>]*>.*?(?:</\1\s*>|$)", re.S | re.I)
_ENTRY = re.compile(r"^\*+[ \t]*([a-z][a-z0-9-]+)[ \t]*:(.*)$", re.M)
_LINK = re.compile(r"\[\[([^\[\]|\n]+)(?:\|[^\[\]\n]*)?\]\]")


def parse_exceptions(text: str) -> set[tuple[str, str]]:
    """(rule id, normalised title) pairs listed on the exceptions page (format: module docstring)."""
    return {(rule, title) for rule, title, _line in exception_entries(text)}


def exception_entries(text: str) -> list[tuple[str, str, int]]:
    """(rule id, normalised title, line) for every page every entry of the exceptions page names.
    What is ignored is blanked, not removed, so the lines stay those of the page."""
    text = _IGNORED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    out = []
    for m in _ENTRY.finditer(text):
        line = line_of(text, m.start())
        for link in _LINK.finditer(m.group(2)):
            title = normalize_title(link.group(1))
            if title:
                out.append((m.group(1), title, line))
    return out
