"""A linear pre-scan that recognises wikitext mwparserfromhell would tokenize in quadratic time.

mwparserfromhell (0.7, its issue #364, open upstream) tries every opener (`{{`, `[[`, `<span`, `{|`,
...) as the start of a construct; an opener that is never closed is only given up at the end of the
text, so each one costs a scan of everything after it. A page of `{{a|` repeated is N openers
times N characters: 64 KB takes minutes, 2 MB would take hours.

The scan matches openers with closers as a tokenizer would (with one stack per kind, comments and
parser tags such as <nowiki> skipped), and prices each opener left open by the length of text after
it, at the per-character cost measured for its kind (mwparserfromhell 0.7.2's C tokenizer; see the
table below). It is an estimate, not a parse: it is used only to refuse pages whose estimate is far
over the budget (`REFUSE_FACTOR` times), so that the budget itself (bots.core.budget) is seldom
spent on them; a page it lets through is still parsed under the budget.

Pure: the standard library and mwparserfromhell's own tag tables.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass

from mwparserfromhell.definitions import PARSER_BLACKLIST, SINGLE

from bots.core.budget import Budget, OverBudget

__all__ = ["Estimate", "estimate", "refuse", "REFUSE_FACTOR"]

# Nanoseconds of tokenizer CPU per character after an opener left open, measured with 8 KB pages of
# each shape repeated ("{{a|", "{{{a|", "[[a|", "{|\n|-\n|a\n", "[http://a ", "<span>", "<span a=",
# "<!--"): 122, 119, 17, 444, 21, 18, 179, 6. Rounded up: the scan should err towards the true cost.
NS_PER_CHAR = {"template": 125, "link": 20, "table": 450, "external link": 25, "tag": 20,
               "unterminated tag": 180, "comment": 6}
# Refuse without parsing only when the estimate is this many times the budget: an estimate that is
# a few times too high must never cost an ordinary page its findings.
REFUSE_FACTOR = 4.0
# Below this size no shape costs a second (8 KB of the worst, "{|" rows, takes 1.5 s): not scanned.
_TOO_SMALL = 4096

_SKIPPED = sorted(t for t in PARSER_BLACKLIST if t.isalnum())   # content not tokenized: not scanned
_SINGLE = frozenset(SINGLE)
_TOKEN = re.compile(
    r"<!--"
    r"|(?P<braces>\{\{+)|(?P<close>\}\}+)"
    r"|(?P<link>\[\[)|\]\]"
    r"|(?P<ext>\[(?:[A-Za-z][A-Za-z0-9+.-]*:|//))"
    r"|(?P<table>(?:^|\n)[ \t]*\{\|)|(?P<tclose>\n[ \t]*\|\})"
    r"|<(?P<slash>/?)(?P<tag>[A-Za-z][A-Za-z0-9]*)(?P<attrs>[^<>]*)(?P<end>>?)")
# Every token starts with one of these (or is a table at the text's start): finding the next of them
# is a scan in C, where _TOKEN.search tries its ten alternatives at every character (10x slower).
_TOKEN_START = re.compile(r"[<{}\[\]\n]")
_PIPE_FIRST = re.compile(r"[{}|\[\]]")     # what follows an opener first: a "|" makes it costly
_COMMENT_END = re.compile("-->")
_SKIP_END = re.compile(r"</(" + "|".join(_SKIPPED) + r")\s*>", re.I)


@dataclass(frozen=True)
class Estimate:
    """What the pre-scan found: openers left open per kind, and the estimated tokenizer CPU."""

    seconds: float
    open: dict[str, int]

    def describe(self) -> str:
        kinds = ", ".join(f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in
                          sorted(self.open.items(), key=lambda kv: -kv[1]) if n)
        return f"{kinds or 'no'} opened and never closed"


class _Ends:
    """Positions of a closing sequence, found once: "is there a closer after p" in O(log n)."""

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self.at = [(m.start(), m.end(), m.group(1).lower() if m.groups() else "") for m in pattern.finditer(text)]
        self.starts = [a for a, _e, _n in self.at]

    def after(self, pos: int, name: str = "") -> int | None:
        i = bisect_left(self.starts, pos)
        while i < len(self.at):
            start, end, found = self.at[i]
            if not name or found == name:
                return end
            i += 1   # a closer of another skipped tag; rare, and each is passed once per opener
        return None


def _next_token(text: str, pos: int) -> re.Match[str] | None:
    """_TOKEN.search(text, pos), tried only where a token can start."""
    if pos == 0 and (m := _TOKEN.match(text, 0)):     # "^" of a table at the start
        return m
    while (start := _TOKEN_START.search(text, pos)) is not None:
        if m := _TOKEN.match(text, start.start()):
            return m
        pos = start.start() + 1
    return None


def _costly(text: str, pos: int) -> bool:
    """An opener is costly when a "|" comes before any other bracket: `{{a|`, not `{{a{{a`."""
    m = _PIPE_FIRST.search(text, pos)
    return m is not None and m.group() == "|"


def estimate(text: str) -> Estimate:
    """Openers left open and the tokenizer time they would cost; linear in the text."""
    n = len(text)
    stacks: dict[str, list[int]] = defaultdict(list)   # kind -> positions of costly open openers
    cheap: dict[str, list[int]] = defaultdict(list)    # same kinds, openers that fail fast
    tags: dict[str, list[int]] = defaultdict(list)
    cost_chars: dict[str, int] = defaultdict(int)
    opened: dict[str, int] = defaultdict(int)
    comments = skipped = None
    pos = 0
    while True:
        m = _next_token(text, pos)
        if m is None:
            break
        pos = m.end()
        kind = "tag" if m.group("tag") else m.lastgroup
        token = m.group()
        if token == "<!--":
            comments = comments or _Ends(_COMMENT_END, text)
            end = comments.after(pos)
            if end is None:
                opened["comment"] += 1
                cost_chars["comment"] += n - pos
            else:
                pos = end
        elif kind == "braces":
            for _ in range(len(token) // 2):
                (stacks if _costly(text, pos) else cheap)["template"].append(m.start())
        elif kind == "close":
            for _ in range(len(token) // 2):
                _pop(stacks["template"], cheap["template"])
        elif kind == "link":
            (stacks if _costly(text, pos) else cheap)["link"].append(m.start())
        elif token == "]]":
            _pop(stacks["link"], cheap["link"])
        elif kind == "ext":
            line_end = text.find("\n", pos)
            close = text.find("]", pos, line_end if line_end >= 0 else n)
            if close < 0:       # an external link ends at its line: it costs the rest of the line
                opened["external link"] += 1
                cost_chars["external link"] += (line_end if line_end >= 0 else n) - pos
        elif kind == "table":
            stacks["table"].append(m.end())
        elif kind == "tclose":
            if stacks["table"]:
                stacks["table"].pop()
        elif kind == "tag":
            name = m.group("tag").lower()
            if not m.group("end"):
                opened["unterminated tag"] += 1
                cost_chars["unterminated tag"] += n - m.start()
            elif m.group("slash"):
                if tags[name]:
                    tags[name].pop()
            elif name in _SKIPPED and not m.group("attrs").rstrip().endswith("/"):
                skipped = skipped or _Ends(_SKIP_END, text)
                end = skipped.after(pos, name)
                if end is None:
                    opened["tag"] += 1
                    cost_chars["tag"] += n - pos
                else:
                    pos = end
            elif name not in _SINGLE and not m.group("attrs").rstrip().endswith("/"):
                tags[name].append(m.start())
    for kind in ("template", "link", "table"):
        opened[kind] += len(stacks[kind])
        cost_chars[kind] += sum(n - p for p in stacks[kind])
    for positions in tags.values():
        opened["tag"] += len(positions)
        cost_chars["tag"] += sum(n - p for p in positions)
    seconds = sum(NS_PER_CHAR[k] * c for k, c in cost_chars.items()) / 1e9
    return Estimate(seconds, {k: v for k, v in opened.items() if v})


def _pop(costly: list[int], cheap: list[int]) -> None:
    """A closer closes the innermost opener, costly or not."""
    if costly and (not cheap or costly[-1] > cheap[-1]):
        costly.pop()
    elif cheap:
        cheap.pop()


def refuse(text: str, budget: Budget) -> OverBudget | None:
    """An OverBudget for a page the scan says is far over the budget; None to go on and parse it."""
    if len(text) < _TOO_SMALL:
        return None
    found = estimate(text)
    if found.seconds <= REFUSE_FACTOR * budget.cpu_seconds:
        return None
    return OverBudget("shape", budget, detail=f"{found.describe()} in {len(text) // 1024} KB; parsing it would take "
                      f"about {found.seconds:.0f} s (mwparserfromhell issue #364)")
