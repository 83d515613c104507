"""The short phrase a date was read from: its sentence, as a reader sees it, at most about 150
characters. Pure; a few regexes over a bounded window of the text (never the whole page), so a
page of any size costs the same per date.

The phrase is plain text for quoting (links give their label, bold/italic quotes, references, comments
and template calls are dropped); whoever writes it into a page must still escape it
(bots.core.wikitext.escape): it is data.
"""
from __future__ import annotations

import re

__all__ = ["phrase_at", "plain"]

_WINDOW = 400        # characters looked at on each side of the date for the sentence's ends
_SIDE = 70           # characters of context kept on each side of the date in a long sentence
# A sentence ends at . ! ? followed by a space, unless right after a capital ("O.S. calendar", "J. Smith").
_END = re.compile(r"(?<![A-Z])[.!?](?=\s)|\n\s*\n|\n(?=[=*#:;|{!])|^=[^\n]*=[ \t]*\n|\}\}[ \t]*\n", re.M)
_LINK = re.compile(r"\[\[(?:[^\[\]|\n]*\|)?([^\[\]\n]*)\]\]")
_EXT = re.compile(r"\[(?:https?:)?//[^\s\]]+\s*([^\]\n]*)\]")
_DROP = re.compile(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>|<!--.*?-->|\{\{[^{}]*\}\}|<[^>\n]*>|'{2,}", re.S)


def plain(text: str) -> str:
    """What a reader sees of a snippet of wikitext, roughly: labels of links, no markup, one space."""
    text = _DROP.sub("", text)
    text = _EXT.sub(r"\1", _LINK.sub(r"\1", text))
    return " ".join(text.split())


def phrase_at(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], plain, shortened around the date when long."""
    lo = max(0, start - _WINDOW)
    head = text[lo:start]
    cut = None
    for m in _END.finditer(head):
        cut = m.end()
    begin = lo + cut if cut is not None else (0 if lo == 0 else lo)
    tail = text[end:end + _WINDOW]
    m = _END.search(tail)
    finish = end + (m.end() if m else len(tail))
    # Markers (private-use characters) keep the date's place through the markup removal.
    whole = plain(text[begin:start] + "\ue000" + text[start:end] + "\ue001" + text[end:finish])
    at, to = whole.find("\ue000"), whole.find("\ue001")
    if at < 0 or to < at:
        return plain(text[start:end]).replace("\ue000", "").replace("\ue001", "")
    before, date, after = whole[:at], whole[at + 1:to], whole[to + 1:]
    if len(before) > _SIDE:
        before = "…" + before[len(before) - _SIDE:].split(" ", 1)[-1]
    if len(after) > _SIDE:
        after = after[:_SIDE].rsplit(" ", 1)[0] + "…"
    return (before + date + after).strip()
