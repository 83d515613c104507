"""The check in pieces, for an engine that runs them apart (bots.cluster.dask_engine): what a task does
with one piece of a source, and the hash-partitioned join that answers the cross-page rules.

Pure: plain functions and values, no Dask. The result is the one `Checker.finish` gives over the same
pages read in order, finding for finding (tests/unit/test_engine.py, tests/integration/test_dask.py).

1. A piece read and checked in one budget worker (bots.core.check.parallel.check_pieces, as the local
   check does). What comes out is split in two (`PieceResult.of`): the entries the parent records
   (findings, fixes, errors: no cross-page summary), and the piece's summaries packed in one
   compressed blob (`pages`), which is all the cluster keeps of a piece.
2. The parent records the entries as their pieces come, in order (`Assembly`), and so knows every
   title's first place: a later place is the "same page" error, as offline_pages says, and takes no
   part in the index.
3. `lookups`: from a piece's summaries, records keyed by partition (`part_of`, a hash of the title or
   group key into `parts` partitions): its titles' lean summaries (no links: what a page linking to
   them looks up), the titles it links to (once a piece, however many links), the redirect targets
   among its titles, and its duplicate-event groups, folded over the piece (a count and the first six
   members).
4. `join_lookups` in each partition (bundles packed by `pack_bundle` in two parts, so that a second pass
   reads only the groups' folds): a looked-up title's lean summary goes to each piece that asked
   (a hub linked by every page: one answer a piece); a redirect's target is looked up in a second
   round (one hop, as MediaWiki follows them); each group's folds are merged and a group of more than
   one goes to the pieces that hold its members.
5. `finish_piece`: with its answers, a piece runs `UniverseIndex.page_findings` (the same code as the
   local check) and the duplicate-event finding on its own pages.

Nothing grows with the dump in one task: a partition holds its share of the titles (parts grow with
the dump), a hub title or a hub group costs one answer per piece, and a group's fold keeps its count
and six members, enough to name, for any page of the group, the first five others the local check
names (see `_reduce`).
"""
from __future__ import annotations

import pickle
import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Sequence

from bots.core.check.checker import Checker
from bots.core.check.parallel import Entry, Seq, record
from bots.core.check.rules.base import RULES, Finding
from bots.core.check.rules.crosspage import DUPLICATE, PageSummary, UniverseIndex
from bots.core.wikitext.universe import base_title

__all__ = ["PieceResult", "pack", "unpack", "part_of", "lean",
           "Bundle", "Answer", "lookups", "pack_bundle", "join_lookups", "finish_piece", "Assembly", "group_add",
           "group_merge"]

_KEEP = 6           # five others to name, and the page itself


def pack(value) -> bytes:
    """One compressed pickle: a piece's ~1,000 summaries are ~40 KB so, ~2 MB as Python objects."""
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(blob: bytes):
    return pickle.loads(zlib.decompress(blob))


@dataclass(frozen=True)
class PieceResult:
    """A piece checked: the entries for the parent (outcomes without their summaries) and the
    packed [(seq, summary)] of its checked pages, for the join."""

    piece: int
    entries: list[Entry]
    pages: bytes

    @classmethod
    def of(cls, piece: int, entries: list[Entry]) -> "PieceResult":
        summaries = [(e.seq, e.outcome.summary) for e in entries
                     if e.outcome is not None and e.outcome.summary is not None]
        lean_entries = [replace(e, outcome=replace(e.outcome, summary=None)) if e.outcome is not None else e
                        for e in entries]
        return cls(piece, lean_entries, pack(summaries))


# -- the join: records by partition ----------------------------------------------------------------
def part_of(key, parts: int) -> int:
    """The partition of a title or group key: the same in every process (hash() is salted per process).
    A title hashes its own bytes (repr() first was 0.24 s of a 26,000-page join's 5.6 s)."""
    data = key.encode("utf-8", "surrogatepass") if isinstance(key, str) else repr(key).encode()
    return zlib.crc32(data) % parts


def lean(s: PageSummary) -> PageSummary:
    """What a page linking to `s` looks up (UniverseIndex.page_findings, _resolve): no links."""
    return PageSummary(s.title, s.universe, s.content, s.redirect, own_dates=s.own_dates,
                       own_date_text=s.own_date_text)


# -- duplicate-event groups: a count and a bounded set of members ----------------------------------
Member = tuple[Seq, str, object]      # (place, title, the page's key in the other kind of group)
Group = tuple[int, tuple[Member, ...]]


def _name_key(s: PageSummary) -> tuple | None:
    return (s.name_key, s.date_key) if s.name_key else None


def memberships(seq: Seq, s: PageSummary) -> Iterator[tuple[tuple, Member]]:
    """(group key, member) for a page in duplicate-event groups: by base title, by infobox name and
    date, and by both (only counted: how much the two overlap)."""
    if s.universe is None or not s.content:
        return
    base, name = base_title(s.title), _name_key(s)
    yield ("title", s.universe, base), (seq, s.title, name)
    if name is not None:
        yield ("name", s.universe, name), (seq, s.title, base)
        yield ("both", s.universe, base, name), (seq, s.title, None)


def _reduce(members: list[Member]) -> tuple[Member, ...]:
    """What a group keeps: its first `_KEEP` members (exact under merging: the first six of a union
    are among the first six of its parts). That is all a page needs: the first five others of its
    first group A, then, if A has fewer, the first 6 - |A| of its second group B not in A; B's first
    six hold at most |A| pages of A (the page itself among them), so at least 6 - |A| others."""
    return tuple(sorted(set(members))[:_KEEP])


def group_add(acc: Group | None, item: tuple[tuple, Member]) -> Group:
    if acc is None:             # nearly every group of a piece: one member, nothing to sort
        return 1, (item[1],)
    count, members = acc
    return count + 1, _reduce([*members, item[1]])


def group_merge(a: Group | None, b: Group | None) -> Group:
    if a is None or b is None:
        return a or b
    return a[0] + b[0], _reduce([*a[1], *b[1]])


@dataclass
class Bundle:
    """What one partition receives from one sender (a piece, or a partition of the first round)."""

    facts: dict[str, PageSummary] = field(default_factory=dict)     # title -> lean summary (first places)
    asks: dict[str, set[int]] = field(default_factory=dict)         # title -> the pieces that link to it
    needs: set[str] = field(default_factory=set)                    # redirect targets: wanted in round 2
    groups: dict[tuple, tuple[Group, set[int]]] = field(default_factory=dict)   # key -> fold, pieces


@dataclass
class Answer:
    """What a piece gets back: the lean summaries it looked up, and its groups of more than one."""

    pages: dict[str, PageSummary] = field(default_factory=dict)
    groups: dict[tuple, Group] = field(default_factory=dict)


def lookups(piece: int, pages: list[tuple[Seq, PageSummary]], repeated: frozenset[Seq],
            parts: int) -> list[tuple[int, Bundle]]:
    """A piece's records for the first round, one bundle per partition it sends to."""
    out: dict[int, Bundle] = defaultdict(Bundle)
    for seq, s in pages:
        if seq in repeated:
            continue
        out[part_of(s.title, parts)].facts[s.title] = lean(s)
        for target in {t for t, _ in s.links} | {d.target for d in s.dated_links}:
            out[part_of(target, parts)].asks.setdefault(target, set()).add(piece)
        if s.redirect is not None:
            out[part_of(s.redirect, parts)].needs.add(s.redirect)
        for key, member in memberships(seq, s):
            groups = out[part_of(key, parts)].groups
            fold, pieces = groups.get(key, (None, {piece}))
            groups[key] = (group_add(fold, (key, member)), pieces)
    return list(out.items())


def pack_bundle(b: Bundle) -> bytes:
    """A bundle as it travels to its partition: two packed parts, so that the join reads the first once
    (facts, asks, needs, each group's member count) and only the second (the groups' folds) again."""
    counts = [(key, fold[0]) for key, (fold, _pieces) in b.groups.items()]
    return pickle.dumps((pack((b.facts, b.asks, b.needs, counts)), pack(list(b.groups.items()))),
                        protocol=pickle.HIGHEST_PROTOCOL)


def join_lookups(bundles: Sequence[bytes], parts: int, follow: bool) -> list[tuple[str, int, object]]:
    """One partition's join of its packed bundles (`pack_bundle`): ("piece", n, Answer) for each piece
    that asked, and with `follow` ("part", n, Bundle) for the second round: the targets of the
    redirects looked up, and their summaries (one hop: the second round follows none).

    The groups' folds are read in a second pass, and kept only for the groups of more than one member:
    nearly every group has one, and its fold and pieces were two thirds of a partition's memory (6.3 of
    9.4 MB for 3,000 pages). Only the folds are read twice: the first round's join of 26,000 pages took
    1.07-1.46 s when it read whole bundles twice, 0.63-0.67 s so."""
    facts: dict[str, PageSummary] = {}
    asks: dict[str, set[int]] = defaultdict(set)
    needs: set[str] = set()
    counts: dict[str, int] = {}         # repr(key): a third of the tuple's size, and as exact
    for blob in bundles:
        b_facts, b_asks, b_needs, b_counts = unpack(pickle.loads(blob)[0])
        facts.update(b_facts)
        for title, pieces in b_asks.items():
            asks[title] |= pieces
        needs |= b_needs
        for key, count in b_counts:
            k = repr(key)
            counts[k] = counts.get(k, 0) + count
    groups: dict[tuple, tuple[Group, set[int]]] = {}
    if any(c > 1 for c in counts.values()):
        for blob in bundles:
            for key, (fold, pieces) in unpack(pickle.loads(blob)[1]):
                if counts[repr(key)] < 2:
                    continue
                old = groups.get(key)
                groups[key] = (fold, set(pieces)) if old is None else (group_merge(old[0], fold), old[1] | pieces)
    del counts
    answers: dict[int, Answer] = defaultdict(Answer)
    second: dict[int, Bundle] = defaultdict(Bundle)
    for title, pieces in asks.items():
        s = facts.get(title)
        if s is None:
            continue
        for piece in pieces:
            answers[piece].pages[title] = s
        if follow and s.redirect is not None:
            second[part_of(s.redirect, parts)].asks.setdefault(s.redirect, set()).update(pieces)
    if follow:
        for title in needs & facts.keys():
            second[part_of(title, parts)].facts[title] = facts[title]
    for key, (fold, pieces) in groups.items():
        if fold[0] > 1:
            for piece in pieces:
                answers[piece].groups[key] = fold
    return [("piece", n, a) for n, a in answers.items()] + [("part", n, b) for n, b in second.items()]


def finish_piece(pages: list[tuple[Seq, PageSummary]], answers: Iterable[Answer], repeated: frozenset[Seq],
                 rules: set[str]) -> list[tuple[Seq, tuple[Finding, ...], str | None]]:
    """The cross-page findings of a piece's pages, from its answers: (seq, findings, universe)."""
    index, groups = UniverseIndex(), {}
    for a in answers:
        index.pages.update(a.pages)
        groups.update(a.groups)
    out = []
    for seq, s in pages:
        if seq in repeated:
            continue
        found = list(index.page_findings(s, frozenset(), rules))
        if DUPLICATE in rules:
            dup = _duplicate(s, groups)
            if dup is not None:
                found.append(dup)
        if found:
            out.append((seq, tuple(found), s.universe))
    return out


def _duplicate(s: PageSummary, groups: dict[tuple, Group]) -> Finding | None:
    """The duplicate-event finding on one page, as UniverseIndex._duplicates words it."""
    if s.universe is None or not s.content:
        return None
    base, name = base_title(s.title), _name_key(s)
    found = []
    title_group = groups.get(("title", s.universe, base))
    if title_group and title_group[0] > 1:
        found.append((title_group[1][0][0], 0, title_group, name))      # others named by their name key
    name_group = groups.get(("name", s.universe, name)) if name else None
    if name_group and name_group[0] > 1:
        found.append((name_group[1][0][0], 1, name_group, base))
    if not found:
        return None
    found.sort(key=lambda g: (g[0], g[1]))
    first = found[0][2]
    names = [m[1] for m in first[1] if m[1] != s.title][:5]
    total = first[0] - 1
    if len(found) == 2:
        second, own = found[1][2], found[1][3]      # in the first group too: other-key equal to ours
        names += [m[1] for m in second[1] if m[2] != own and m[1] != s.title][:5 - len(names)]
        both = groups.get(("both", s.universe, base, name), (1, ()))[0]
        total += second[0] - both
    listed = [f"[[{t}]]" for t in names[:5]] + ([f"{total - 5} more"] if total > 5 else [])
    line = s.box_line if name_group and name_group[0] > 1 else 1
    return Finding(s.title, DUPLICATE, RULES[DUPLICATE].severity, line,
                   f"the same event as {', '.join(listed)} in {s.universe}")


# -- what the parent gets --------------------------------------------------------------------------
class Assembly:
    """The CheckResult of every piece's entries with the pages' cross-page findings: what
    Checker.finish gives locally. The entries are recorded as their pieces come, in source order (a
    title given twice is the error the local check makes), while the workers check the next pieces:
    after the join, only the cross-page findings are left (recording 26,000 pages there took ~0.1 s
    of the end's 0.3-0.5 s, offline; the rest is Checker.finish)."""

    def __init__(self, checker: Checker, first_errors: Iterable[str] = ()) -> None:
        self.checker = checker
        for err in first_errors:
            checker.add_error(err)
        self._first: dict[str, str] = {}
        self._recorded: list[tuple[Seq, str]] = []      # (place, title) of each page recorded
        self._repeated: set[Seq] = set()

    def add(self, entries: Iterable[Entry]) -> None:
        """The next entries in source order."""
        for e in entries:
            if e.error is None and e.key in self._first:
                self._repeated.add(e.seq)
            if record(self.checker, e, self._first) is not None:
                self._recorded.append((e.seq, e.outcome.title))

    @property
    def repeated(self) -> frozenset[Seq]:
        """The places of titles given before: not indexed, an error each."""
        return frozenset(self._repeated)

    def finish(self, crosspage: dict[Seq, tuple[tuple[Finding, ...], str | None]]):
        found: list[Finding] = []
        universes: dict[str, str | None] = {}
        for seq, title in self._recorded:
            mine = crosspage.get(seq)
            if mine:
                found.extend(mine[0])
                universes[title] = mine[1]
        return self.checker.finish(crosspage=found, crosspage_universes=universes)
