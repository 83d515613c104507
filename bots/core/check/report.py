"""Check results as text: the terminal table, the JSON document, and the report page editors read.

Bounded whatever the pages hold: of one rule's findings on one page, the first `CAP` are listed and
the rest counted ("and N more"); the counts always cover every finding; a message is cut at
`MESSAGE_CHARS`; and the report page never grows past the wiki's page size limit (what does not fit
is counted, not listed).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

from bots.core.wikitext.escape import escape_value
from bots.core.check.rules.base import Finding
from bots.core.wikitext.titles import InvalidTitle, validate_title

__all__ = ["render_table", "render_report", "json_document", "capped", "Omitted", "CAP", "MESSAGE_CHARS",
           "MAX_REPORT_BYTES", "ReportMeta", "TIME_MARK", "without_time", "render_index", "scope_label",
           "report_title", "DEFAULT_REPORT"]

CAP = 20                          # findings of one rule on one page that are listed
MESSAGE_CHARS = 300               # of a message, on the report page
MAX_REPORT_BYTES = 2048 * 1024    # MediaWiki's default $wgMaxArticleSize (2048 KB)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


TIME_MARK = "<!-- gmw-report-time -->"


@dataclass(frozen=True)
class ReportMeta:
    """What a report page says about itself: its scope, when, the revisions it saw, who wrote it."""

    scope: str                                  # the page generator options, or "all content pages"
    time: str                                   # when the check ran (UTC, ISO 8601)
    revisions: tuple[int, int] | None = None    # lowest and highest revision id of the pages checked
    job: str | None = None                      # the scheduled job that ran it (None: run by hand)
    command: str = ""                           # the command line, as run
    exceptions_page: str = "Project:Bot exceptions"
    index: str | None = None                    # the index page of all scoped reports


def without_time(text: str) -> str:
    """The report without its time line: two runs that found the same are the same report."""
    return "\n".join(line for line in text.split("\n") if TIME_MARK not in line)


@dataclass(frozen=True)
class Omitted:
    """Findings of one rule on one page beyond the first CAP: counted, not listed."""

    page: str
    rule: str
    severity: str
    count: int

    def as_dict(self) -> dict:
        return {"page": self.page, "rule": self.rule, "severity": self.severity, "count": self.count}

    def text(self) -> str:
        return f"and {self.count} more {self.rule} findings on this page"


def capped(findings: Iterable[Finding], cap: int = CAP) -> tuple[list[Finding], list[Omitted]]:
    """The findings to list (in their order, at most `cap` per page and rule), and what was left out."""
    shown: list[Finding] = []
    seen: Counter = Counter()
    severity: dict[tuple[str, str], str] = {}
    for f in findings:
        key = (f.page, f.rule)
        seen[key] += 1
        if seen[key] <= cap:
            shown.append(f)
        severity.setdefault(key, f.severity.value)
    omitted = [Omitted(page, rule, severity[(page, rule)], n - cap) for (page, rule), n in seen.items() if n > cap]
    return shown, sorted(omitted, key=lambda o: (o.page, o.rule))


def json_document(pages: int, findings: list[Finding], counts: dict, errors: list[str]) -> dict:
    """What `check -format:json` prints: the listed findings, what was left out, and every count."""
    shown, omitted = capped(findings)
    return {"pages": pages, "findings": [f.as_dict() for f in shown],
            "omitted": [o.as_dict() for o in omitted], "counts": counts, "errors": errors}


def render_table(findings: list[Finding], pages: int, width: int = 100) -> str:
    """The terminal table: page, line, severity, rule, message (the fix, when there is one)."""
    if not findings:
        return f"{pages} pages checked: no findings."
    shown, omitted = capped(findings)
    more = {(o.page, o.rule): o for o in omitted}
    rows = [("PAGE", "LINE", "SEVERITY", "RULE", "MESSAGE")]
    listed: Counter = Counter()
    for f in shown:
        msg = f.message + (f" [fix: {f.fix}]" if f.fix else "")
        rows.append((f.page, str(f.line), f.severity.value, f.rule, msg))
        listed[(f.page, f.rule)] += 1
        o = more.get((f.page, f.rule))
        if o is not None and listed[(f.page, f.rule)] == CAP:
            rows.append((f.page, "", o.severity, o.rule, f"... {o.text()}"))
    w0 = min(max(len(r[0]) for r in rows), 40)
    w3 = max(len(r[3]) for r in rows)
    lines = []
    for r in rows:
        page = r[0] if len(r[0]) <= w0 else r[0][: w0 - 1] + "…"
        lines.append(_printable(f"{page:<{w0}}  {r[1]:>5}  {r[2]:<8}  {r[3]:<{w3}}  {r[4]}"))
    counts = Counter(f.severity.value for f in findings)
    lines.append("")
    lines.append(f"{pages} pages checked: {counts['error']} errors, {counts['warning']} warnings, "
                 f"{counts['info']} info.")
    return "\n".join(lines)


def _printable(line: str) -> str:
    """No control character from a page reaches the terminal (a message may quote page text)."""
    return "".join(c if c.isprintable() or c == "\t" else f"\\x{ord(c):02x}" for c in line) \
        if not line.isprintable() else line


def _cell(text: str, limit: int | None = None) -> str:
    # Messages quote page text: never let them add markup to the report.
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape_value(text).replace("&#10;", " ")


_LINKED = re.compile(r"\[\[:?([^\[\]|\n]+)\]\]")


def _message_cell(text: str, limit: int | None = MESSAGE_CHARS) -> str:
    """A message with its [[Title]] mentions as links (to valid titles only), everything else escaped."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    out, cursor = [], 0
    for m in _LINKED.finditer(text):
        out.append(_cell(text[cursor:m.start()]))
        try:
            out.append(f"[[:{validate_title(m.group(1))}]]")
        except InvalidTitle:
            out.append(_cell(m.group(0)))
        cursor = m.end()
    out.append(_cell(text[cursor:]))
    return "".join(out)


def _header(meta: ReportMeta | None) -> list[str]:
    exceptions = meta.exceptions_page if meta else "Project:Bot exceptions"
    out = ["This page is written by the consistency-check bot; a note you add outside its tables is kept "
           f"through later runs. To accept a finding, list it on [[{exceptions}|the exceptions page]]."]
    if meta is None:
        return out + [""]
    revs = (f"{meta.revisions[0]}–{meta.revisions[1]} (the newest revision of each page checked)"
            if meta.revisions else "—")
    who = f"the scheduled job <code>{_cell(meta.job)}</code>" if meta.job else "a run by hand"
    out += ['{| class="wikitable"', f"! Scope\n| {_cell(meta.scope)}",
            f"|-\n! Checked\n| {_cell(meta.time)} {TIME_MARK}",
            f"|-\n! Revisions\n| {revs}", f"|-\n! Written by\n| {who}: <code>{_cell(meta.command)}</code>"]
    if meta.index:
        out.append(f"|-\n! All reports\n| [[{meta.index}]]")
    return out + ["|}", ""]


def _page_cell(title: str) -> str:
    """A link to the page; a title the wiki could not hold (an offline file's) is shown as text."""
    try:
        return f"[[:{validate_title(title)}]]"
    except InvalidTitle:
        return _cell(title, MESSAGE_CHARS)


def render_report(findings: list[Finding], pages: int, universes: dict[str, str | None],
                  rule_docs: dict[str, str], max_bytes: int = MAX_REPORT_BYTES, meta: ReportMeta | None = None) -> str:
    """The report page: what it covers (`meta`), counts per rule, then one sortable table per
    universe, linking the pages. Its only changing line is the time (TIME_MARK): compared without it
    (`without_time`), an unchanged result is an unchanged page, and no edit.
    At most `max_bytes` of UTF-8: rows that would not fit are counted at the end instead."""
    out = _header(meta) + [
           f"'''{pages}''' pages checked, '''{len(findings)}''' findings.", "",
           "== Findings per rule ==", '{| class="wikitable sortable"', "! Rule !! Severity !! Findings !! What it finds"]
    per_rule = Counter((f.rule, f.severity.value) for f in findings)
    for (rule, sev), n in sorted(per_rule.items(), key=lambda kv: (_SEVERITY_ORDER[kv[0][1]], kv[0][0])):
        out.append(f"|-\n| <code>{_cell(rule)}</code> || {sev} || {n} || {_cell(rule_docs.get(rule, ''), MESSAGE_CHARS)}")
    out.append("|}")
    shown, omitted = capped(findings)
    more = {(o.page, o.rule): o for o in omitted}
    by_universe: dict[str, list[Finding]] = defaultdict(list)
    for f in shown:
        by_universe[universes.get(f.page) or "(no universe)"].append(f)
    # What the page ends with when rows are left out; reserved so that it always fits.
    reserve = 400
    size = sum(len(line.encode("utf-8")) + 1 for line in out)
    unlisted = Counter()       # page -> findings not listed for lack of room
    full = size + reserve > max_bytes
    for universe in sorted(by_universe):
        head = ["", f"== {_cell(universe, MESSAGE_CHARS)} ==", '{| class="wikitable sortable"',
                "! Page !! Line !! Severity !! Rule !! Message !! Fix"]
        rows: list[str] = []
        listed: Counter = Counter()
        for f in sorted(by_universe[universe], key=lambda f: (f.page, f.line, f.rule)):
            key = (f.page, f.rule)
            listed[key] += 1
            row = [f"|-\n| {_page_cell(f.page)} || {f.line} || {f.severity.value} || <code>{_cell(f.rule)}</code>"
                   f" || {_message_cell(f.message)} || {_cell(f.fix or '', MESSAGE_CHARS)}"]
            if key in more and listed[key] == CAP:
                o = more[key]
                row.append(f"|-\n| {_page_cell(f.page)} || || {o.severity} || <code>{_cell(o.rule)}</code> || "
                           f"''{_cell(o.text())}'' ||")
            cost = sum(len(r.encode("utf-8")) + 1 for r in row)
            extra = sum(len(h.encode("utf-8")) + 1 for h in head) + 3 if not rows else 0
            if full or size + extra + cost + reserve > max_bytes:
                full = True
                unlisted[f.page] += 1 + (more[key].count if key in more and listed[key] == CAP else 0)
                continue
            size += extra + cost
            rows += row
        if rows:
            out += head + rows + ["|}"]
    if unlisted:
        out += ["", f"'''{sum(unlisted.values())}''' more findings on '''{len(unlisted)}''' pages are not listed: "
                f"the page would be over the wiki's size limit ({max_bytes // 1024} KB). "
                "The counts above include them; the check's -format:json output lists them."]
    return "\n".join(out) + "\n"


def render_index(reports: dict[str, dict]) -> str:
    """The index of the scoped report pages: report title -> {"scope", "time", "pages", "error",
    "warning", "info", "job"}; sorted by scope."""
    out = ["The consistency-check bot keeps one report per scope (the pages a check covers); this page lists "
           "them. A note you add outside the table is kept.", "",
           '{| class="wikitable sortable"', "! Scope !! Report !! Pages !! Errors !! Warnings !! Info !! Checked !! By"]
    for title, r in sorted(reports.items(), key=lambda kv: (kv[1].get("scope", ""), kv[0])):
        by = f"<code>{_cell(r['job'])}</code>" if r.get("job") else "by hand"
        out.append(f"|-\n| {_cell(r.get('scope', ''))} || [[{title}]] || {r.get('pages', 0)} || {r.get('error', 0)}"
                   f" || {r.get('warning', 0)} || {r.get('info', 0)} || {_cell(r.get('time', ''))} || {by}")
    out.append("|}")
    return "\n".join(out) + "\n"


DEFAULT_REPORT = "Project:Consistency report"
_NOT_IN_TITLES = re.compile(r"[#<>\[\]|{}_\x00-\x1f\x7f]+")


def scope_label(gen_args: Iterable[str]) -> str:
    """A short name for a check's scope from its page generator options: "-cat:Earth-1389" is
    "Earth-1389", several options are joined, none is "All pages"."""
    parts = []
    for arg in gen_args:
        name, _, value = arg.lstrip("-").partition(":")
        parts.append(value if name == "cat" and value else f"{name} {value}".strip())
    return ", ".join(parts) or "All pages"


def report_title(label: str, base: str = DEFAULT_REPORT) -> str:
    """The scoped report page: BASE/LABEL, the label made a valid page name (at most 200 bytes)."""
    name = " ".join(_NOT_IN_TITLES.sub(" - ", label).split()).strip(" -/.") or "All pages"
    while len(name.encode("utf-8")) > 200:
        name = name[:-1]
    return f"{base}/{name}"
