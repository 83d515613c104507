"""Check results as text: the terminal table, and the report page editors read on the wiki."""
from __future__ import annotations

from collections import Counter, defaultdict

from bots.core.escape import escape_value
from bots.core.rules.base import Finding

__all__ = ["render_table", "render_report"]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def render_table(findings: list[Finding], pages: int, width: int = 100) -> str:
    """The terminal table: page, line, severity, rule, message (the fix, when there is one)."""
    if not findings:
        return f"{pages} pages checked: no findings."
    rows = [("PAGE", "LINE", "SEVERITY", "RULE", "MESSAGE")]
    for f in findings:
        msg = f.message + (f" [fix: {f.fix}]" if f.fix else "")
        rows.append((f.page, str(f.line), f.severity.value, f.rule, msg))
    w0 = min(max(len(r[0]) for r in rows), 40)
    w3 = max(len(r[3]) for r in rows)
    lines = []
    for r in rows:
        page = r[0] if len(r[0]) <= w0 else r[0][: w0 - 1] + "…"
        lines.append(f"{page:<{w0}}  {r[1]:>5}  {r[2]:<8}  {r[3]:<{w3}}  {r[4]}")
    counts = Counter(f.severity.value for f in findings)
    lines.append("")
    lines.append(f"{pages} pages checked: {counts['error']} errors, {counts['warning']} warnings, "
                 f"{counts['info']} info.")
    return "\n".join(lines)


def _cell(text: str) -> str:
    # Messages quote page text: never let them add markup to the report.
    return escape_value(text).replace("&#10;", " ")


def render_report(findings: list[Finding], pages: int, universes: dict[str, str | None],
                  rule_docs: dict[str, str]) -> str:
    """The report page: counts per rule, then one sortable table per universe, linking the pages.
    Deterministic (no timestamp), so an unchanged result gives an unchanged page and no edit."""
    out = ["This page is written by the consistency-check bot; edits here are overwritten. "
           "To accept a finding, list it on the exceptions page.", "",
           f"'''{pages}''' pages checked, '''{len(findings)}''' findings.", "",
           "== Findings per rule ==", '{| class="wikitable sortable"', "! Rule !! Severity !! Findings !! What it finds"]
    per_rule = Counter((f.rule, f.severity.value) for f in findings)
    for (rule, sev), n in sorted(per_rule.items(), key=lambda kv: (_SEVERITY_ORDER[kv[0][1]], kv[0][0])):
        out.append(f"|-\n| <code>{rule}</code> || {sev} || {n} || {_cell(rule_docs.get(rule, ''))}")
    out.append("|}")
    by_universe: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_universe[universes.get(f.page) or "(no universe)"].append(f)
    for universe in sorted(by_universe):
        items = by_universe[universe]
        out += ["", f"== {_cell(universe)} ==", '{| class="wikitable sortable"',
                "! Page !! Line !! Severity !! Rule !! Message !! Fix"]
        for f in sorted(items, key=lambda f: (f.page, f.line, f.rule)):
            out.append(f"|-\n| [[:{f.page}]] || {f.line} || {f.severity.value} || <code>{f.rule}</code> || "
                       f"{_cell(f.message)} || {_cell(f.fix or '')}")
        out.append("|}")
    return "\n".join(out) + "\n"
