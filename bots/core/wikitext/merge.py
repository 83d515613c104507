"""Three-way merges of page text: the bot's last generated text, its new one, and the page as it is now.

Pure. `merge3(base, ours, theirs)` is diff3 over sequences of tokens: lines, except that each
generator-owned region (bots.core.wikitext.regions) is one token whose identity is its key, not its content,
so the lines around a region merge as lines and the region itself is decided as a whole:

- a region the generator did not change keeps the page's version (a person's fix inside it stays);
- a region the person did not change takes the new text;
- a region both changed takes the new text, and the merge says so (`replaced`).

Lines outside regions follow diff3: a change on one side is taken; the same change on both sides is
taken once; different changes to the same lines (or insertions at the same place) are a conflict,
and the caller skips the page instead of choosing.

Written here on difflib rather than taken from the `merge3` package (Breezy's), which is
GPL-2.0-or-later while this project is MIT; the algorithm is the classic one (sync regions where
base, ours and theirs all match, then classify what lies between).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Hashable, Sequence

from bots.core.wikitext.regions import Region, find_regions

__all__ = ["MergeResult", "merge3", "diff3_groups", "RegionToken"]


@dataclass(frozen=True)
class RegionToken:
    """A region's place in a token sequence; equal across versions when the key is."""

    key: str


@dataclass
class MergeResult:
    text: str | None                                            # None when there are conflicts
    conflicts: list[tuple[int, int]] = field(default_factory=list)   # 1-based line ranges in `theirs`
    updated: list[str] = field(default_factory=list)            # regions whose text the merge changed
    replaced: list[str] = field(default_factory=list)           # regions where a person's edit gave way
    kept_theirs: bool = False                                   # `theirs` differs from base outside regions

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _matches(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int, int]]:
    return SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()


def _sync_regions(base, a, b) -> list[tuple[int, int, int, int, int, int]]:
    """Stretches where all three agree: (base_start, base_end, a_start, a_end, b_start, b_end), ending
    with an empty sentinel at the three ends."""
    am, bm = _matches(base, a), _matches(base, b)
    out, ia, ib = [], 0, 0
    while ia < len(am) and ib < len(bm):
        abase, amatch, alen = am[ia]
        bbase, bmatch, blen = bm[ib]
        start, end = max(abase, bbase), min(abase + alen, bbase + blen)
        if start < end:
            out.append((start, end, amatch + (start - abase), amatch + (end - abase),
                        bmatch + (start - bbase), bmatch + (end - bbase)))
        if abase + alen < bbase + blen:
            ia += 1
        else:
            ib += 1
    out.append((len(base), len(base), len(a), len(a), len(b), len(b)))
    return out


def diff3_groups(base, a, b):
    """('unchanged' | 'a' | 'b' | 'same', items) and ('conflict', base_items, a_items, b_items, b_start):
    the classic diff3 classification of what lies between the sync regions."""
    iz = ia = ib = 0
    for zmatch, zend, amatch, aend, bmatch, bend in _sync_regions(base, a, b):
        if amatch > ia or bmatch > ib or zmatch > iz:
            za, aa, ba = base[iz:zmatch], a[ia:amatch], b[ib:bmatch]
            if list(aa) == list(ba):
                if aa:
                    yield "same", aa
            elif list(aa) == list(za):
                yield "b", ba
            elif list(ba) == list(za):
                yield "a", aa
            else:
                yield "conflict", za, aa, ba, ib
        if zend > zmatch:
            yield "unchanged", base[zmatch:zend]
        iz, ia, ib = zend, aend, bend


def _tokens(text: str, regions: dict[str, Region]) -> list:
    """Lines (with their ends), a RegionToken in place of each region."""
    out: list = []
    cursor = 0
    for region in sorted(regions.values(), key=lambda r: r.start):
        out.extend(text[cursor:region.start].splitlines(keepends=True))
        out.append(RegionToken(region.key))
        cursor = region.end
    out.extend(text[cursor:].splitlines(keepends=True))
    return out


def _line_starts(tokens: list, regions: dict[str, Region]) -> list[int]:
    """The 1-based line in the text at which each token starts (and one past the end)."""
    starts, line = [], 1
    for tok in tokens:
        starts.append(line)
        piece = regions[tok.key].text if isinstance(tok, RegionToken) else tok
        line += piece.count("\n")
    starts.append(line)
    return starts


def merge3(base: str, ours: str, theirs: str, templates: frozenset[str] = frozenset()) -> MergeResult:
    """Merge the generator's change (base -> ours) into the page as it is now (theirs).

    `templates`: the template names whose first call is a generator-owned region (the infobox)."""
    if theirs == base:
        return _ours_over_base(base, ours, templates)
    return _merge3(base, ours, theirs, templates)


def _ours_over_base(base: str, ours: str, templates: frozenset[str]) -> MergeResult:
    """No one edited the page since the bot's last text: the merge is the new text. Exactly what
    `_merge3` gives then (diff3 with one side unchanged takes the other, every region decided for
    ours), at two parses instead of three and no diff: most pages of an update are in this case."""
    rb, ro = find_regions(base, templates), find_regions(ours, templates)
    result = MergeResult(ours)
    for key, region in ro.items():         # the regions decided as _merge3 decides them (the page's are base's)
        _decide(key, rb.get(key), region, rb.get(key), result)
    return result


def _merge3(base: str, ours: str, theirs: str, templates: frozenset[str]) -> MergeResult:
    rb, ro, rt = (find_regions(t, templates) for t in (base, ours, theirs))
    tb, to, tt = _tokens(base, rb), _tokens(ours, ro), _tokens(theirs, rt)
    result = MergeResult(None)
    result.kept_theirs = [t for t in tb] != [t for t in tt]
    starts = _line_starts(tt, rt)
    pieces: list = []
    for group in diff3_groups(tb, to, tt):
        if group[0] == "conflict":
            _, _, _, b_items, b_at = group
            first = starts[b_at]
            last = max(first, starts[b_at + len(b_items)] - 1)
            result.conflicts.append((first, last))
            continue
        pieces.extend(group[1])
    if result.conflicts:
        return result
    out = []
    for tok in pieces:
        if not isinstance(tok, RegionToken):
            out.append(tok)
            continue
        out.append(_decide(tok.key, rb.get(tok.key), ro.get(tok.key), rt.get(tok.key), result))
    result.text = "".join(out)
    return result


def _decide(key: str, base: Region | None, ours: Region | None, theirs: Region | None,
            result: MergeResult) -> str:
    """One region's text in the merge (see the module docstring)."""
    if ours is None:        # kept only by the page: the person's
        return theirs.text if theirs is not None else ""
    if theirs is None:
        return ours.text
    if ours.text == theirs.text:
        return ours.text
    if base is not None and ours.text == base.text:
        return theirs.text
    result.updated.append(key)
    if base is None or theirs.text != base.text:
        result.replaced.append(key)
    return ours.text
