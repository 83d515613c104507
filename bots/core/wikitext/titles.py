"""MediaWiki page-title rules, as a default MediaWiki 1.39 applies them.

Mirrors ``MediaWikiTitleCodec::splitTitleString`` for a wiki with
``$wgCapitalLinks = true`` and no interwiki prefixes, so that a bot can tell,
offline, which page a link or a file name stands for and whether the wiki
would accept the title at all.

Not modelled: interwiki prefixes, per-namespace case settings, IP-address
normalisation of user names, the wiki's own name as an alias of ``Project``.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from html.entities import html5

__all__ = [
    "NAMESPACES",
    "NAMESPACE_ALIASES",
    "InvalidTitle",
    "normalize_title",
    "validate_title",
    "namespace_of",
    "title_to_filename",
    "filename_to_title",
    "is_shortened",
    "shortened_for",
    "TITLE_INDEX",
    "MAX_STEM_BYTES",
]

# Canonical names of MediaWiki's built-in namespaces. 9 and 13 are not used
# by our bots but exist on every wiki: without them "Help talk:X" would be
# taken for a main-namespace page.
NAMESPACES: dict[int, str] = {
    -2: "Media",
    -1: "Special",
    0: "",
    1: "Talk",
    2: "User",
    3: "User talk",
    4: "Project",
    5: "Project talk",
    6: "File",
    7: "File talk",
    8: "MediaWiki",
    9: "MediaWiki talk",
    10: "Template",
    11: "Template talk",
    12: "Help",
    13: "Help talk",
    14: "Category",
    15: "Category talk",
    828: "Module",
    829: "Module talk",
}

# Other prefixes the wiki accepts; titles are rewritten to the canonical name.
NAMESPACE_ALIASES: dict[str, int] = {
    "Image": 6,
    "Image talk": 7,
    "WP": 4,
}

_PREFIXES: dict[str, int] = {
    name.lower(): ns for ns, name in NAMESPACES.items() if name
} | {name.lower(): ns for name, ns in NAMESPACE_ALIASES.items()}

# What MediaWiki treats as a space in titles (TitleParser); runs collapse to one.
_SPACES = re.compile(
    "[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)
# Direction marks are invisible and stripped, so "Foo\u200e" is "Foo".
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e]")
_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z][A-Za-z0-9]*));")
# MediaWiki's getTitleInvalidRegex: characters outside $wgLegalTitleChars,
# and sequences that would not survive a trip through a URL or HTML.
_INVALID = re.compile(
    r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]"
    r"|%[0-9A-Fa-f]{2}"
    r"|&[A-Za-z0-9\x80-\U0010ffff]+;"
    r"|&#[0-9]+;"
    r"|&#x[0-9A-Fa-f]+;"
)
_MAX_BYTES = 255


class InvalidTitle(ValueError):
    """A title MediaWiki would refuse; the message says why."""


def _valid_codepoint(cp: int) -> bool:
    # Sanitizer::validateCodepoint: anything else stays as literal text.
    return (
        cp in (0x09, 0x0A, 0x0D)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _decode_entity(match: re.Match[str]) -> str:
    hexa, dec, name = match.groups()
    if name is not None:
        return html5.get(name + ";", match.group(0))
    cp = int(hexa, 16) if hexa is not None else int(dec)
    return chr(cp) if _valid_codepoint(cp) else match.group(0)


# A check normalises every link and template name. What repeats is few (template names, hubs): a
# dump's other link targets are new, and 65,536 of them (~17 MB) made a long-lived worker grow with
# the dump (34 -> 48 MB from 26,000 to 104,000 pages). 4,096 had the same hits on 6,000 pages.
@lru_cache(maxsize=4096)
def _split(raw: str) -> tuple[int, str]:
    """Return (namespace, rest) of a normalised title, rest not yet capitalised."""
    text = _ENTITY.sub(_decode_entity, raw)
    text = _BIDI_MARKS.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if text.startswith(":"):
        # A leading colon only changes how a link renders, not its target.
        text = text[1:].strip()
    ns, rest = 0, text
    prefix, colon, after = text.partition(":")
    if colon and prefix.strip().lower() in _PREFIXES:
        ns, rest = _PREFIXES[prefix.strip().lower()], after.strip()
    rest = rest.partition("#")[0].rstrip()
    return ns, rest


def _join(ns: int, rest: str) -> str:
    rest = rest[:1].upper() + rest[1:]
    return f"{NAMESPACES[ns]}:{rest}" if ns else rest


def normalize_title(raw: str, once: bool = False) -> str:
    """Return the title as MediaWiki would store it; never raises.

    Decodes HTML entities (not %XX), turns underscores and runs of spaces into
    one space, drops a leading ":" and a "#fragment", writes the namespace
    prefix canonically and uppercases the first letter after it.
    ``normalize_title("october_Revolution#Aftermath") == "October Revolution"``.
    The result may still be invalid: use validate_title() before writing.

    `once`: a title seen once in a run (a page's own title) is not cached. Link targets repeat and
    the cache pays; own titles never do, and in a long-lived process (a Dask worker, the parent of
    a check) they filled it: 15 MB for 52,000 pages (benchmarks/dump.py, 104,000 pages, 2 workers).
    """
    ns, rest = (_split.__wrapped__ if once else _split)(raw)
    if ns == 0 and not rest:
        return ""
    return _join(ns, rest)


def validate_title(raw: str) -> str:
    """Return the normalised title, or raise InvalidTitle saying why."""
    ns, rest = _split(raw)
    if not rest:
        if ns:
            raise InvalidTitle(f"{raw!r}: namespace {NAMESPACES[ns]!r} with no page name")
        raise InvalidTitle(f"{raw!r}: empty title")
    bad = _INVALID.search(rest)
    if bad:
        raise InvalidTitle(f"{raw!r}: contains the forbidden sequence {bad.group(0)!r}")
    if rest.startswith(":"):
        raise InvalidTitle(f"{raw!r}: page name starts with ':'")
    if "~~~" in rest:
        raise InvalidTitle(f"{raw!r}: contains '~~~' (signature markup)")
    # Relative-path titles would break the wiki's /path URLs.
    if "." in rest and (
        rest in (".", "..")
        or rest.startswith(("./", "../"))
        or "/./" in rest
        or "/../" in rest
        or rest.endswith(("/.", "/.."))
    ):
        raise InvalidTitle(f"{raw!r}: relative path ('.' or '..' segment)")
    size = len(rest.encode("utf-8"))
    if size > _MAX_BYTES:
        # MediaWiki counts the name without its namespace prefix.
        raise InvalidTitle(f"{raw!r}: {size} UTF-8 bytes, over the limit of {_MAX_BYTES}")
    return _join(ns, rest)


def namespace_of(title: str) -> int:
    """Namespace number of a title (0 when it has no known prefix)."""
    return _split(title)[0]


# File names: at most 255 bytes on every common file system, ".wikitext" included; longer titles
# get a shortened name. Room is left for editors' tools that add a suffix (".orig", "~").
MAX_STEM_BYTES = 200
TITLE_INDEX = ".gmw-titles.tsv"      # in a folder: shortened file name <TAB> title, one per line
_HASHED = re.compile(r"~[0-9a-f]{16}$")
_FILENAME_ESCAPE = re.compile("%(2F|25|7E)", re.IGNORECASE)
_UNESCAPED = {"2F": "/", "25": "%", "7E": "~"}
_SUFFIX = ".wikitext"


def _title_hash(title: str) -> str:
    return hashlib.sha256(title.encode("utf-8")).hexdigest()[:16]


def title_to_filename(title: str) -> str:
    """File name (without extension) for a title; filename_to_title() undoes it.

    Only what a POSIX file name cannot hold is escaped: "/" and the escape
    character "%" itself. Spaces become underscores as in MediaWiki URLs,
    which is reversible because normalised titles contain no underscores.

    A name over MAX_STEM_BYTES is shortened: its start, "~" and 16 hex digits
    of the title's SHA-256. Such a name cannot be read back alone: the folder's
    TITLE_INDEX lists its title (bots.core.sources reads it, bots.generate writes
    it). A name that merely looks shortened has its "~" escaped ("%7E").
    """
    name = title.replace("%", "%25").replace("/", "%2F").replace(" ", "_")
    if len(name.encode("utf-8")) > MAX_STEM_BYTES:
        keep = MAX_STEM_BYTES - 17
        cut = name.encode("utf-8")[:keep].decode("utf-8", errors="ignore")
        cut = re.sub(r"%[0-9A-Fa-f]?$", "", cut)          # never half an escape
        return f"{cut}~{_title_hash(title)}"
    if _HASHED.search(name):
        name = name[:-17] + "%7E" + name[-16:]
    return name


def is_shortened(name: str) -> bool:
    """A file name (with or without ".wikitext") that title_to_filename() shortened."""
    return bool(_HASHED.search(name.removesuffix(_SUFFIX)))


def shortened_for(name: str, title: str) -> bool:
    """Whether a shortened file name belongs to this title (its hash matches)."""
    return title_to_filename(title) == name.removesuffix(_SUFFIX)


def filename_to_title(name: str) -> str:
    """Title for a file name made by title_to_filename(), with or without ".wikitext".
    A shortened name (is_shortened) is not a title: look it up in the folder's TITLE_INDEX."""
    if name.endswith(_SUFFIX):
        name = name[: -len(_SUFFIX)]
    name = name.replace("_", " ")
    return _FILENAME_ESCAPE.sub(lambda m: _UNESCAPED[m.group(1).upper()], name)
