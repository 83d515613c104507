"""Lines of a text: the one way the bots turn a character offset into the 1-based line a finding names.

`Lines` finds the newlines once (a regex scan, no Python loop over characters) and answers each
offset by bisection, so a page with thousands of findings stays linear; `line_of` is the one-off
form. Works on str and bytes alike. Pure.
"""
from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["Lines", "line_of"]

_NL = re.compile("\n")
_NL_BYTES = re.compile(b"\n")


class Lines:
    __slots__ = ("newlines",)

    def __init__(self, text: str | bytes) -> None:
        pattern = _NL_BYTES if isinstance(text, bytes) else _NL
        self.newlines = [m.start() for m in pattern.finditer(text)]

    def at(self, offset: int) -> int:
        """The 1-based line of the character at `offset` (a newline belongs to the line it ends)."""
        return bisect_right(self.newlines, offset - 1) + 1


def line_of(text: str | bytes, offset: int) -> int:
    """The 1-based line of `offset`, for a single lookup."""
    return text.count(b"\n" if isinstance(text, bytes) else "\n", 0, max(offset, 0)) + 1
