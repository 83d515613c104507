"""The exceptions page is checked too: a line that accepts nothing is a finding on that page.

Editors accept findings on the exceptions page (bots.core.check.config); a typo there would silently
accept nothing while the finding it meant stays, and an exception whose finding is gone hides the
next one on that page. WPCleaner audits its whitelists the same way. These rules are answered by
the checker once the run is over (`audit`), on the lines of the exceptions page itself.
"""
from __future__ import annotations

from difflib import get_close_matches
from typing import Iterable

from .base import RULES, Finding, Severity, declare_rule

__all__ = ["EXCEPTION_RULES", "audit"]

GROUP = "exceptions"
UNKNOWN_RULE = declare_rule(
    "exception-unknown-rule", Severity.WARNING,
    "A line of the exceptions page names a rule id that does not exist (a typo): it accepts nothing.", GROUP)
MISSING_PAGE = declare_rule(
    "exception-missing-page", Severity.WARNING,
    "A line of the exceptions page names a page that does not exist: it accepts nothing.", GROUP)
STALE = declare_rule(
    "exception-stale", Severity.INFO,
    "A line of the exceptions page accepts a finding that no longer occurs on a page this run checked: "
    "the line can go.", GROUP)
EXCEPTION_RULES = (UNKNOWN_RULE, MISSING_PAGE, STALE)


def audit(page: str, entries: Iterable[tuple[str, str, int]], *, checked: set[str],
          used: set[tuple[str, str]], existing: set[str] | None, enabled: Iterable[str]) -> list[Finding]:
    """Findings on the exceptions page `page` for its (rule, title, line) entries.

    `checked`: the titles this run checked; `used`: the (rule, title) exceptions that removed a
    finding; `existing`: the titles known to exist (main namespace; None: unknown); `enabled`: the
    rule ids that ran (an exception of a rule switched off is not stale, it just waits)."""
    enabled = set(enabled)
    out = []
    for rule_id, title, line in entries:
        if rule_id not in RULES:
            close = get_close_matches(rule_id, RULES, n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]}?)" if close else " (see -listrules)"
            out.append(Finding(page, UNKNOWN_RULE, RULES[UNKNOWN_RULE].severity, line,
                               f"`{rule_id}` is not a rule id{hint}; this line accepts nothing for [[{title}]]"))
        elif existing is not None and ":" not in title and title not in existing and title not in checked:
            out.append(Finding(page, MISSING_PAGE, RULES[MISSING_PAGE].severity, line,
                               f"[[{title}]] does not exist; this line ({rule_id}) accepts nothing"))
        elif title in checked and rule_id in enabled and (rule_id, title) not in used:
            out.append(Finding(page, STALE, RULES[STALE].severity, line,
                               f"{rule_id} no longer finds anything on [[{title}]]: this exception can go"))
    return out
