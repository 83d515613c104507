"""Escaping data values for template parameters: no value can break a template call or add markup.

A value is written with HTML character references for every character that wikitext would read as
markup in a parameter value (`|`, `{`, `}`, `[`, `]`, `<`, `>`, `=`, newlines, runs of `'`, `~`, `_`,
`&` starting an entity, leading and trailing spaces). MediaWiki renders the references as the
characters themselves, and `unescape_value` gives back the exact value, so generate → harvest is
lossless. Plain values ("7 November 1389", "O'Brien", "Petrograd") are written unchanged.
"""
from __future__ import annotations

import html
import re

__all__ = ["escape_value", "unescape_value"]

# One pattern for everything that is markup in a parameter value; each match becomes references.
_MARKUP = re.compile(
    r"[|{}\[\]<>=\n\r\t~]"          # template/link/tag syntax, signatures, line structure
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"   # control characters (the parser stops at NUL)
    r"|'{2,}"                       # bold / italic
    r"|_{2,}"                       # __MAGIC_WORDS__
    r"|&(?=[#A-Za-z])"              # something that would read as a character reference
    r"|(?:ISBN|RFC|PMID)(?=\s)"     # magic links
    r"|(?i:https?|ftp|mailto|//)(?=:|/)",   # free external links
)


def _refs(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group(0))



def escape_value(value: str) -> str:
    out = _MARKUP.sub(_refs, value)
    # Parameter values are stripped when read: keep edge whitespace as references.
    core = out.strip()
    if core == out:
        return out
    head = out[: len(out) - len(out.lstrip())]
    tail = out[len(out.rstrip()):] if core else ""
    return "".join(f"&#{ord(c)};" for c in head) + core + "".join(f"&#{ord(c)};" for c in tail)


_REF = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|[A-Za-z][A-Za-z0-9]*);")


def _decode(m: re.Match[str]) -> str:
    # Numeric references decode to their code point exactly (html.unescape would drop control
    # characters), so escape_value has an exact inverse; named ones as HTML defines them.
    num = m.group(1) or m.group(2)
    if num is None:
        return html.unescape(m.group(0))
    cp = int(num, 10 if m.group(1) else 16)
    return chr(cp) if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else m.group(0)


def unescape_value(value: str) -> str:
    """The value a reader sees: character references decoded (only complete ones, with `;`)."""
    return _REF.sub(_decode, value) if "&" in value else value
