"""The timeline chart: the entries of a universe along a time axis, its points of divergence
highlighted, as an SVG document (drawn with drawsvg, which escapes every text and attribute).

Bounded: at most MAX_MARKS entries are drawn (evenly chosen, the chart says so), and at most
MAX_LABELS divergences are labelled, so a 10,000-page universe gives a chart of a few hundred KB.
"""
from __future__ import annotations

import drawsvg as dw

from bots.core.timeline.entries import Entry

__all__ = ["chart_svg", "chart_name", "MAX_MARKS", "MAX_LABELS"]

MAX_MARKS = 2000
MAX_LABELS = 8
WIDTH, LEFT, RIGHT = 960, 40, 40
LANES = 6


def chart_name(title: str) -> str:
    """The file the chart of [[title]] is uploaded as (without the File: prefix)."""
    return f"{title.replace('/', ' - ')}.svg"


def _when(e: Entry, end: bool = False) -> float:
    y, m, d = (e.end or e.ns).sort_key() if end else e.ns.sort_key()
    return y + ((m or 1) - 1) / 12 + ((d or 1) - 1) / 372


def chart_svg(universe: str, entries: list[Entry], divergent: list[Entry]) -> str:
    shown = entries if len(entries) <= MAX_MARKS else entries[:: -(-len(entries) // MAX_MARKS)]
    marks = list(shown) + [e for e in divergent if e not in shown]
    height = 70 + LANES * 14 + (min(len(divergent), MAX_LABELS) + 1) * 14
    d = dw.Drawing(WIDTH, height, font_family="sans-serif")
    d.append(dw.Rectangle(0, 0, WIDTH, height, fill="#ffffff"))
    title = f"Timeline of {universe}: {len(entries):,} entries"
    if len(shown) < len(entries):
        title += f" ({len(shown):,} drawn)"
    d.append(dw.Text(title, 14, LEFT, 20, font_weight="bold"))
    if not marks:
        d.append(dw.Text("No dated facts.", 12, LEFT, 50))
        return d.as_svg()
    lo = min(_when(e) for e in marks)
    hi = max(max(_when(e), _when(e, True)) for e in marks)
    lo, hi = int(lo), int(hi) + 1
    span = max(hi - lo, 1)

    def x(t: float) -> float:
        return LEFT + (t - lo) / span * (WIDTH - LEFT - RIGHT)

    axis = 40 + LANES * 14
    d.append(dw.Line(LEFT, axis, WIDTH - RIGHT, axis, stroke="#444", stroke_width=1))
    step = max(1, round(span / 10))
    for year in range(lo, hi + 1, step):
        d.append(dw.Line(x(year), axis, x(year), axis + 5, stroke="#444"))
        d.append(dw.Text(str(year), 10, x(year), axis + 17, text_anchor="middle", fill="#333"))
    for i, e in enumerate(shown):
        y = 36 + (i % LANES) * 14
        if e.end is not None:
            d.append(dw.Line(x(_when(e)), y, x(_when(e, True)), y, stroke="#36c", stroke_width=3,
                             stroke_opacity=0.6))
        dot = dw.Circle(x(_when(e)), y, 3, fill="#36c", fill_opacity=0.7)
        dot.append_title(f"{e.shown()}: {e.page}")
        d.append(dot)
    for i, e in enumerate(divergent):
        mark = dw.Circle(x(_when(e)), axis, 6, fill="#d33", stroke="#fff", stroke_width=1.5)
        mark.append_title(f"Divergence: {e.shown()}: {e.page}")
        d.append(mark)
        if i < MAX_LABELS:
            ly = axis + 34 + i * 14
            d.append(dw.Line(x(_when(e)), axis + 6, x(_when(e)), ly - 10, stroke="#d33", stroke_width=0.8))
            label = f"{'Point of divergence: ' if i == 0 else ''}{e.page} ({e.shown()})"
            d.append(dw.Text(label[:90], 11, x(_when(e)) + 4, ly, fill="#d33"))
    return d.as_svg()
