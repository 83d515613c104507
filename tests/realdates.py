"""The real-world O.S./N.S. set (tests/data/realdates): texts by others, their pairs read by hand,
errors planted in them, and the figures the date checker reaches on it.

Used by tests/unit/test_realdates.py (the targets) and benchmarks/dates_realworld.py (the report).
A planted error changes one side of a correct pair by a day, or by the gap of the wrong century,
in the text's own style; planted.yaml records every one (``write_planted`` makes it from pairs.yaml).
"""
from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from convertdate import gregorian, julian

from bots.core.dates.forms import MONTH_NAMES
from bots.core.dates.scanner import find_dates
from bots.core.check.rules import dates as _date_rules  # noqa: F401  (registers the date rules)
from bots.core.check.rules.base import PageView, iter_rules

__all__ = ["DATA", "load_pairs", "load_planted", "text_of", "julian_day_of", "plant_errors", "write_planted",
           "evaluate", "Figures"]

DATA = Path(__file__).resolve().parent / "data" / "realdates"
_CHECKED = ("date-calendar-mismatch", "date-invalid")


def load_pairs() -> dict[str, dict]:
    return yaml.safe_load((DATA / "pairs.yaml").read_text(encoding="utf-8"))


def load_planted() -> list[dict]:
    return yaml.safe_load((DATA / "planted.yaml").read_text(encoding="utf-8")) or []


def text_of(name: str) -> str:
    return (DATA / "texts" / name).read_text(encoding="utf-8")


def julian_day_of(pair: dict) -> tuple[int, int, int]:
    """The Julian date the pair's O.S. side means (the year as written). A Swedish date (1700-1712)
    is the Julian day before; counted here, not by the code under test."""
    y, m, d = pair["os_date"]
    if pair.get("calendar") == "swedish":
        return tuple(int(v) for v in julian.from_jd(julian.to_jd(y, m, 1) + d - 2))
    return y, m, d


# ---------------------------------------------------------------- planting errors

_TEMPLATE = re.compile(r"^(?P<y>\d{3,4})\|(?P<m>\d{1,2})\|(?P<d>\d{1,2})$")
_MONTH = re.compile(r"\b(?:" + "|".join(MONTH_NAMES) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?")
_DAY = re.compile(r"(?<!\d)(?P<d>\d{1,2})(?P<sfx>st|nd|rd|th)?(?!\d)")
_YEAR = re.compile(r"(?<!\d)\d{3,4}(?!\d)")


def _suffix(day: int) -> str:
    return "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def rewrite_side(side: str, old: tuple[int, int, int], new: tuple[int, int, int]) -> str | None:
    """``side`` (a date as the text writes it) rewritten to ``new`` in the same style; None when the
    style cannot show the change (a day alone cannot move to another month)."""
    t = _TEMPLATE.match(side)
    if t:
        parts = [str(new[0]), str(new[1]).zfill(len(t.group("m"))), str(new[2]).zfill(len(t.group("d")))]
        return "|".join(parts)
    out = side
    month = _MONTH.search(out)
    year = _YEAR.search(out)
    if new[1] != old[1]:
        if month is None:
            return None
        token = month.group()
        name = MONTH_NAMES[new[1] - 1]
        if token.rstrip(".").lower() not in [n.lower() for n in MONTH_NAMES]:
            name = name[:3] + ("." if token.endswith(".") else "")
        out = out[:month.start()] + name + out[month.end():]
    if new[0] != old[0]:
        year = _YEAR.search(out)
        if year is None:
            return None
        out = out[:year.start()] + str(new[0]) + out[year.end():]
    spans = [m for m in _DAY.finditer(out) if not _YEAR.fullmatch(m.group("d"))]
    if not spans:
        return None
    d = spans[0]
    sfx = _suffix(new[2]) if d.group("sfx") else ""
    return out[:d.start()] + str(new[2]) + sfx + out[d.end():]


def _shift_gregorian(ymd: tuple[int, int, int], days: int) -> tuple[int, int, int]:
    d = datetime.date(*ymd) + datetime.timedelta(days=days)
    return d.year, d.month, d.day


def _shift_label(ymd: tuple[int, int, int], days: int) -> tuple[int, int, int]:
    # an O.S. label moves in its own (Julian) calendar
    return tuple(int(v) for v in julian.from_jd(julian.to_jd(*ymd) + days))


def _wrong_gap(gap: int) -> int:
    """The gap of a wrong century: the 1900s' 13 days for older dates (the seed's own mistake), the
    1700s' 11 for dates whose gap is 12 or 13."""
    return 13 if gap not in (12, 13) else 11


def plant_errors(pairs: dict[str, dict]) -> list[dict]:
    """Every planted error: each correct pair with its N.S. side a day later, its O.S. side a day
    earlier, and each side moved by the gap of a wrong century."""
    out = []
    for name, entry in pairs.items():
        text = text_of(name)
        for i, p in enumerate(entry["pairs"]):
            ns_date = tuple(p["ns_date"])
            os_date = tuple(p["os_date"])
            gap = int(julian.to_jd(*ns_date) - gregorian.to_jd(*ns_date))   # days the Julian ran behind
            wrong = _wrong_gap(gap) - gap
            variants = [("ns", "day", _shift_gregorian(ns_date, 1)), ("os", "day", _shift_label(os_date, -1)),
                        ("ns", "century", _shift_gregorian(ns_date, wrong)),
                        ("os", "century", _shift_label(os_date, -wrong))]
            seen = set()
            for side, kind, new in variants:
                old_text = p[side]
                new_text = rewrite_side(old_text, ns_date if side == "ns" else os_date, new)
                if new_text is None or new_text == old_text:
                    continue
                near = p["near"]
                at = _side_offset(near, p[side], p["os" if side == "ns" else "ns"])
                after = near[:at] + new_text + near[at + len(old_text):]
                if after in seen or text.count(near) != 1:
                    continue
                seen.add(after)
                item = {"text": name, "pair": i, "side": side, "kind": kind, "before": near, "after": after}
                if side == "ns":
                    item["fix"] = f"{ns_date[2]} {MONTH_NAMES[ns_date[1] - 1]} {ns_date[0]}"
                out.append(item)
    return out


def _side_offset(near: str, side: str, other: str) -> int:
    """Where ``side`` is in ``near``: when both sides read alike ("7 September" in "7 September [O.S. ...]"),
    the occurrence that is not the other side."""
    starts = [m.start() for m in re.finditer(re.escape(side), near)]
    if len(starts) == 1:
        return starts[0]
    others = {m.start() for m in re.finditer(re.escape(other), near)}
    rest = [s for s in starts if s not in others]
    return (rest or starts)[0]


def write_planted(path: Path | None = None) -> int:
    items = plant_errors(load_pairs())
    header = ("# Errors planted in the real-world texts, made by tests/realdates.py (plant_errors) from pairs.yaml:\n"
              "# `before` (a piece of the text that occurs once) becomes `after`. `side` is the side changed,\n"
              "# `kind` \"day\" (one day) or \"century\" (moved by the gap of a wrong century); `fix` is the fix the\n"
              "# checker must give for an error on the N.S. side (its original date).\n")
    (path or DATA / "planted.yaml").write_text(header + yaml.safe_dump(items, allow_unicode=True, sort_keys=False,
                                                                        width=200), encoding="utf-8")
    return len(items)


# ---------------------------------------------------------------- evaluating

def _findings(title: str, text: str) -> list[tuple[str, object]]:
    view = PageView(title, text, {})
    return [(r.id, h) for r in iter_rules("dates") for h in r.check(view)]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


@dataclass
class Figures:
    pairs: int = 0
    pairs_read: int = 0
    unread: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    known_errors: int = 0
    known_errors_found: int = 0
    swedish_notes: int = 0
    planted: int = 0
    caught: int = 0
    missed: list[str] = field(default_factory=list)
    ns_caught: int = 0
    ns_fix_right: int = 0
    ns_edit_restores: int = 0
    wrong_fixes: list[str] = field(default_factory=list)
    os_caught: int = 0
    os_only_os_said: int = 0
    by_kind: Counter = field(default_factory=Counter)
    caught_by_kind: Counter = field(default_factory=Counter)

    @property
    def recall(self) -> float:
        return self.caught / self.planted if self.planted else 1.0


def evaluate(pairs: dict[str, dict] | None = None, planted: list[dict] | None = None) -> Figures:
    pairs = pairs if pairs is not None else load_pairs()
    planted = planted if planted is not None else load_planted()
    fig = Figures()
    base: dict[str, list] = {}
    for name, entry in pairs.items():
        text = text_of(name)
        found = _findings(name, text)
        base[name] = found
        known_lines = {_line_of(text, text.index(k["near"])) for k in entry.get("known_errors", [])}
        for rid, hit in found:
            if rid == "date-swedish-calendar":
                fig.swedish_notes += 1
            elif rid in _CHECKED:
                if hit.line in known_lines and rid == "date-calendar-mismatch":
                    fig.known_errors_found += 1
                else:
                    fig.false_alarms.append(f"{name}:{hit.line}: {rid}: {hit.message}")
        fig.known_errors += len(entry.get("known_errors", []))
        scan = find_dates(text)
        for p in entry["pairs"]:
            fig.pairs += 1
            lo = text.index(p["near"])
            hi = lo + len(p["near"])
            if any(lo <= q.start and q.end <= hi and q.old_style.text == p["os"] and q.new_style.text == p["ns"]
                   for q in scan.pairs):
                fig.pairs_read += 1
            else:
                fig.unread.append(f"{name}: {p['near']!r}")
    for item in planted:
        text = text_of(item["text"])
        changed = text.replace(item["before"], item["after"], 1)
        line = _line_of(changed, changed.index(item["after"]))
        before = Counter(h.line for rid, h in base[item["text"]] if rid == "date-calendar-mismatch")
        new = [h for rid, h in _findings(item["text"], changed) if rid == "date-calendar-mismatch" and h.line == line]
        fig.planted += 1
        kind = f"{item['side']}-{item['kind']}"
        fig.by_kind[kind] += 1
        label = f"{item['text']}: {item['before']!r} -> {item['after']!r}"
        if len(new) <= before[line]:
            fig.missed.append(label)
            continue
        fig.caught += 1
        fig.caught_by_kind[kind] += 1
        if item["side"] == "ns":
            fig.ns_caught += 1
            right = [h for h in new if h.fix == item["fix"]]
            if right:
                fig.ns_fix_right += 1
            else:
                fig.wrong_fixes.append(f"{label}: {[h.fix for h in new]} (expected {item['fix']})")
            if any(h.edit and changed[:h.edit[0]] + h.edit[2] + changed[h.edit[1]:] == text for h in right):
                fig.ns_edit_restores += 1
        else:
            fig.os_caught += 1
            if any("only the O.S. side can be wrong" in h.message for h in new):
                fig.os_only_os_said += 1
    return fig
